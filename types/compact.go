package types

import (
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/ethereum/go-ethereum/rlp"
)

// ErrTxMismatch is returned when a transaction offered to rebuild a compact
// block is missing or does not hash to the hash the block lists there.
var ErrTxMismatch = errors.New("transaction does not match the compact block")

// CompactBlock is a block with each transaction replaced by its hash: the
// header, the hashes in block order and the parent certificate. It is what a
// proposal carries on the wire; a receiver rebuilds the Block from the
// transactions its mempool already holds and fetches only the ones it
// lacks, so a block's transactions are not sent, decoded and hashed a second
// time on every node.
//
// Nothing about the block changes: the header (and so the block hash) is the
// block's, TxRoot commits to the hashes, and a hash commits to the exact
// signed encoding, so the rebuilt Block is the proposed one byte for byte.
// Stored and synced blocks are whole Blocks.
type CompactBlock struct {
	Header   Header
	TxHashes []Hash
	LastCert *CommitCert `rlp:"nil"`

	checked bool // CheckStructure passed (not encoded)
}

// Compact returns b's compact form.
func (b *Block) Compact() *CompactBlock {
	hs := make([]Hash, len(b.Txs))
	for i, tx := range b.Txs {
		hs[i] = tx.Hash()
	}
	return &CompactBlock{Header: b.Header, TxHashes: hs, LastCert: b.LastCert}
}

// Hash is the block hash (the header's).
func (c *CompactBlock) Hash() Hash { return c.Header.Hash() }

// Encode returns the compact block's canonical RLP.
func (c *CompactBlock) Encode() []byte {
	out, err := rlp.EncodeToBytes(c)
	if err != nil {
		panic(fmt.Sprintf("encode compact block: %v", err))
	}
	return out
}

// DecodeCompactBlock decodes a compact block and checks its structure
// (CheckStructure).
func DecodeCompactBlock(raw []byte) (*CompactBlock, error) {
	if len(raw) > MaxBlockSize {
		return nil, fmt.Errorf("%w: compact block of %d bytes", ErrMalformedBlock, len(raw))
	}
	c := new(CompactBlock)
	if err := rlp.DecodeBytes(raw, c); err != nil {
		return nil, fmt.Errorf("%w: compact block: %v", ErrMalformedBlock, err)
	}
	if err := c.CheckStructure(); err != nil {
		return nil, err
	}
	return c, nil
}

// CheckStructure is Block.CheckStructure for the compact form: the hash
// count and their Merkle root match the header, and the parent certificate
// is the one the header names.
func (c *CompactBlock) CheckStructure() error {
	if c.checked {
		return nil
	}
	if uint64(c.Header.TxCount) != uint64(len(c.TxHashes)) {
		return fmt.Errorf("%w: header says %d txs, compact block lists %d", ErrMalformedBlock, c.Header.TxCount, len(c.TxHashes))
	}
	if !compactRoots.seen(c.Header.TxRoot, c.TxHashes) {
		if root := MerkleRoot(c.TxHashes); root != c.Header.TxRoot {
			return fmt.Errorf("%w: tx root %s != header %s", ErrMalformedBlock, root.Hex(), c.Header.TxRoot.Hex())
		}
		compactRoots.add(c.Header.TxRoot, c.TxHashes)
	}
	if err := checkParentCert(&c.Header, c.LastCert); err != nil {
		return err
	}
	c.checked = true
	return nil
}

// Missing returns the positions of txs (aligned with TxHashes, nil where
// the caller has no body) that still need a body.
func (c *CompactBlock) Missing(txs []*Tx) []int {
	var out []int
	for i := range c.TxHashes {
		if i >= len(txs) || txs[i] == nil {
			out = append(out, i)
		}
	}
	return out
}

// Rebuild returns the whole block from txs, one per hash in order. Every
// transaction must hash to the listed hash (ErrTxMismatch otherwise), so
// the result is exactly the block the header describes.
func (c *CompactBlock) Rebuild(txs []*Tx) (*Block, error) {
	if err := c.CheckStructure(); err != nil {
		return nil, err
	}
	if len(txs) != len(c.TxHashes) {
		return nil, fmt.Errorf("%w: %d transactions for %d hashes", ErrTxMismatch, len(txs), len(c.TxHashes))
	}
	for i, tx := range txs {
		if tx == nil {
			return nil, fmt.Errorf("%w: transaction %d missing", ErrTxMismatch, i)
		}
		if tx.Hash() != c.TxHashes[i] {
			return nil, fmt.Errorf("%w: transaction %d hashes to %s, block lists %s", ErrTxMismatch, i, tx.Hash().Hex(), c.TxHashes[i].Hex())
		}
	}
	b := &Block{Header: c.Header, Txs: append([]*Tx(nil), txs...), LastCert: c.LastCert}
	// The root over these hashes was checked above; remember it for this
	// very list so the block's own CheckStructure calls need not recompute.
	txRoots.add(c.Header.TxRoot, b.Txs)
	return b, nil
}

// compactRoots remembers the hash lists whose root CheckStructure verified
// last: a proposer re-sends its proposal every second until the height is
// final, and the root of 10,000 hashes costs ~20,000 Keccak calls, a
// comparison with a remembered list a few microseconds.
var compactRoots hashRootMemo

type hashRootMemo struct {
	mu      sync.Mutex
	entries [txRootMemoSize]struct {
		root   Hash
		hashes []Hash
	}
	next int
}

func (m *hashRootMemo) seen(root Hash, hashes []Hash) bool {
	if len(hashes) < 64 {
		return false // cheap enough to recompute
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	for i := range m.entries {
		if e := &m.entries[i]; e.root == root && slices.Equal(e.hashes, hashes) {
			return true
		}
	}
	return false
}

func (m *hashRootMemo) add(root Hash, hashes []Hash) {
	if len(hashes) < 64 {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	e := &m.entries[m.next]
	e.root, e.hashes = root, slices.Clone(hashes)
	m.next = (m.next + 1) % len(m.entries)
}
