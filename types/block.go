package types

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/rlp"
)

// MaxBlockSize bounds an encoded block accepted from the network.
const MaxBlockSize = 64 << 20

// ErrMalformedBlock is returned when block or header bytes do not decode.
var ErrMalformedBlock = errors.New("malformed block")

// Header commits to everything about a block. Execution is immediate (as in
// Ethereum): StateRoot and ReceiptRoot are the results of executing this
// block's transactions on the parent state, so a receipt proof needs only
// this header.
type Header struct {
	ChainID        string
	Height         uint64
	Time           uint64 // block time in unix milliseconds, chosen by the proposer, strictly increasing
	ParentHash     Hash
	LastCertHash   Hash // hash of the parent's commit certificate carried in Block.LastCert
	TxRoot         Hash // Merkle root of the transaction hashes
	ReceiptRoot    Hash // Merkle root of the receipt hashes
	StateRoot      Hash // app hash after this block
	ValidatorsHash Hash // the validator set that finalizes this block
	Proposer       Address
	TxCount        uint32
}

// Hash is the block ID: Keccak-256 of the header's RLP.
func (h *Header) Hash() Hash {
	b, err := rlp.EncodeToBytes(h)
	if err != nil {
		panic(fmt.Sprintf("encode header: %v", err))
	}
	return Keccak(b)
}

// Block is a header, its transactions, and the commit certificate of the
// parent (so every committed block carries its parent's finality proof, and
// the seed for random choices is fixed once the block is proposed).
type Block struct {
	Header   Header
	Txs      []*Tx
	LastCert *CommitCert `rlp:"nil"`
}

// Hash is the header hash.
func (b *Block) Hash() Hash { return b.Header.Hash() }

// Height is the header height.
func (b *Block) Height() uint64 { return b.Header.Height }

// Encode returns the block's canonical RLP.
func (b *Block) Encode() []byte {
	out, err := rlp.EncodeToBytes(b)
	if err != nil {
		panic(fmt.Sprintf("encode block: %v", err))
	}
	return out
}

// DecodeBlock decodes a block and checks the structural rules that need no
// state: sizes, transaction count and TxRoot. It does not verify signatures.
func DecodeBlock(raw []byte) (*Block, error) {
	if len(raw) > MaxBlockSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrMalformedBlock, len(raw))
	}
	_, content, rest, err := rlp.Split(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedBlock, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: trailing bytes", ErrMalformedBlock)
	}
	// Decode field by field so each transaction is decoded (and its
	// exact bytes kept) by DecodeTx.
	var hdrRaw, txsRaw rlp.RawValue
	var certRaw rlp.RawValue
	elems, err := splitList(content, 3)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedBlock, err)
	}
	hdrRaw, txsRaw, certRaw = elems[0], elems[1], elems[2]
	b := new(Block)
	if err := rlp.DecodeBytes(hdrRaw, &b.Header); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrMalformedBlock, err)
	}
	_, txsContent, _, err := rlp.Split(txsRaw)
	if err != nil {
		return nil, fmt.Errorf("%w: txs: %v", ErrMalformedBlock, err)
	}
	for len(txsContent) > 0 {
		tx := new(Tx)
		txsContent, err = decodeTxPrefix(txsContent, tx)
		if err != nil {
			return nil, fmt.Errorf("%w: tx %d: %w", ErrMalformedBlock, len(b.Txs), err)
		}
		b.Txs = append(b.Txs, tx)
	}
	kind, certContent, _, err := rlp.Split(certRaw)
	if err != nil {
		return nil, fmt.Errorf("%w: cert: %v", ErrMalformedBlock, err)
	}
	if !(kind == rlp.List && len(certContent) == 0) {
		b.LastCert = new(CommitCert)
		if err := rlp.DecodeBytes(certRaw, b.LastCert); err != nil {
			return nil, fmt.Errorf("%w: cert: %v", ErrMalformedBlock, err)
		}
	}
	if err := b.CheckStructure(); err != nil {
		return nil, err
	}
	return b, nil
}

// CheckStructure verifies the stateless consistency of a block: the
// transaction count and root match the header, and the last certificate
// (present above height 1) names the parent.
func (b *Block) CheckStructure() error {
	if uint64(b.Header.TxCount) != uint64(len(b.Txs)) {
		return fmt.Errorf("%w: header says %d txs, block has %d", ErrMalformedBlock, b.Header.TxCount, len(b.Txs))
	}
	if !txRoots.seen(b.Header.TxRoot, b.Txs) {
		root := TxRoot(b.Txs)
		if root != b.Header.TxRoot {
			return fmt.Errorf("%w: tx root %s != header %s", ErrMalformedBlock, root.Hex(), b.Header.TxRoot.Hex())
		}
		txRoots.add(root, b.Txs)
	}
	return checkParentCert(&b.Header, b.LastCert)
}

// checkParentCert checks that c is the parent certificate h names (present
// above height 1).
func checkParentCert(h *Header, c *CommitCert) error {
	if h.Height > 1 {
		if c == nil {
			return fmt.Errorf("%w: height %d without parent certificate", ErrMalformedBlock, h.Height)
		}
		if c.Height != h.Height-1 || c.BlockHash != h.ParentHash {
			return fmt.Errorf("%w: parent certificate is for %d/%s", ErrMalformedBlock, c.Height, c.BlockHash.Hex())
		}
		if c.Hash() != h.LastCertHash {
			return fmt.Errorf("%w: last certificate hash mismatch", ErrMalformedBlock)
		}
	}
	return nil
}

// txRoots remembers the transaction lists whose root CheckStructure
// verified last. One block is checked many times on its way through a node
// (decoded from gossip, ValidateBasic in the decoder, in the signature
// cache and in the engine, then Execute), and the Merkle root of a
// 10,000-tx block costs ~20,000 Keccak calls each time. A list matches a
// remembered one when it holds the very same *Tx values in the same order;
// a Tx memoises its hash, so the root cannot differ.
var txRoots txRootMemo

const txRootMemoSize = 4

type txRootMemo struct {
	mu      sync.Mutex
	entries [txRootMemoSize]struct {
		root Hash
		txs  []*Tx
	}
	next int
}

func (m *txRootMemo) seen(root Hash, txs []*Tx) bool {
	if len(txs) < 64 {
		return false // cheap enough to recompute
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.entries {
		e := &m.entries[i]
		if e.root == root && slices.Equal(e.txs, txs) {
			return true
		}
	}
	return false
}

func (m *txRootMemo) add(root Hash, txs []*Tx) {
	if len(txs) < 64 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := &m.entries[m.next]
	e.root, e.txs = root, slices.Clone(txs)
	m.next = (m.next + 1) % txRootMemoSize
}

// SealTxRoot is TxRoot for a block being built: it also remembers the root
// for this very list, so the built block's CheckStructure calls on its way
// out (the engine checks the proposal it is about to sign) find it instead
// of hashing every transaction and Merkle node a second time.
func SealTxRoot(txs []*Tx) Hash {
	root := TxRoot(txs)
	txRoots.add(root, txs)
	return root
}

// TxRoot is the Merkle root of the transaction hashes, in block order.
func TxRoot(txs []*Tx) Hash {
	leaves := make([]Hash, len(txs))
	for i, tx := range txs {
		leaves[i] = tx.Hash()
	}
	return MerkleRoot(leaves)
}

// splitList splits an RLP list's content into exactly n raw elements.
func splitList(content []byte, n int) ([]rlp.RawValue, error) {
	out := make([]rlp.RawValue, 0, n)
	for len(content) > 0 {
		_, _, rest, err := rlp.Split(content)
		if err != nil {
			return nil, err
		}
		out = append(out, content[:len(content)-len(rest)])
		content = rest
	}
	if len(out) != n {
		return nil, fmt.Errorf("list has %d elements, want %d", len(out), n)
	}
	return out, nil
}
