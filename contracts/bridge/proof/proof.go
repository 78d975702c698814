package proof

import (
	"bytes"
	"fmt"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// MaxProofSize bounds an encoded proof accepted from a transaction. A
// receipt is bounded by the block it came from; 64 KiB leaves room for a
// receipt with many events and two paths of up to 64 siblings each.
const MaxProofSize = 64 << 10

// MaxPath bounds a Merkle path: a tree of 2^64 leaves has depth 64.
const MaxPath = 64

var emptyRoot = types.MerkleRoot(nil)

// CheckRoot refuses the zero hash and the root of an empty tree.
func CheckRoot(root types.Hash) error {
	if root == (types.Hash{}) || root == emptyRoot {
		return fmt.Errorf("%w: %s", ErrZeroRoot, root.Hex())
	}
	return nil
}

// ReceiptProof shows that Receipt is at Index among a block's receipts.
type ReceiptProof struct {
	Receipt types.Receipt
	Index   uint64
	Path    []types.Hash // siblings from the leaf upwards
}

// Verify checks the proof against a header: its receipt root, with the
// header's transaction count as the number of leaves.
func (p *ReceiptProof) Verify(h *types.Header) error {
	if err := CheckRoot(h.ReceiptRoot); err != nil {
		return fmt.Errorf("receipt root: %w", err)
	}
	if len(p.Path) > MaxPath {
		return fmt.Errorf("%w: receipt path of %d", ErrMalformed, len(p.Path))
	}
	mp := types.MerkleProof{Index: p.Index, Total: uint64(h.TxCount), Siblings: p.Path}
	if err := mp.Verify(h.ReceiptRoot, p.Receipt.Hash()); err != nil {
		return fmt.Errorf("%w: receipt %d of block %d: %w", ErrBadPath, p.Index, h.Height, err)
	}
	return nil
}

// ProveReceipt builds the proof of rs[i] (rs being a block's receipts).
func ProveReceipt(rs []*types.Receipt, i int) (*ReceiptProof, error) {
	leaves := make([]types.Hash, len(rs))
	for j, r := range rs {
		leaves[j] = r.Hash()
	}
	mp, err := types.MerkleProve(leaves, i)
	if err != nil {
		return nil, err
	}
	return &ReceiptProof{Receipt: *rs[i], Index: uint64(i), Path: mp.Siblings}, nil
}

// BlocksRoot is a checkpoint's root over the hashes of its blocks, in
// height order (hashes[0] is the block at the checkpoint's start).
func BlocksRoot(hashes []types.Hash) types.Hash { return types.MerkleRoot(hashes) }

// HeaderPath proves hashes[i] under BlocksRoot(hashes).
func HeaderPath(hashes []types.Hash, i int) ([]types.Hash, error) {
	mp, err := types.MerkleProve(hashes, i)
	if err != nil {
		return nil, err
	}
	return mp.Siblings, nil
}

// VerifyHeader checks that blockHash is the hash of the block at height in
// a checkpoint over [start, end] with root blocksRoot.
func VerifyHeader(blocksRoot types.Hash, start, end, height uint64, blockHash types.Hash, path []types.Hash) error {
	if err := CheckRoot(blocksRoot); err != nil {
		return fmt.Errorf("blocks root: %w", err)
	}
	if start == 0 || end < start {
		return fmt.Errorf("%w: checkpoint range [%d, %d]", ErrMalformed, start, end)
	}
	if height < start || height > end {
		return fmt.Errorf("%w: %d not in [%d, %d]", ErrOutOfRange, height, start, end)
	}
	if len(path) > MaxPath {
		return fmt.Errorf("%w: header path of %d", ErrMalformed, len(path))
	}
	mp := types.MerkleProof{Index: height - start, Total: end - start + 1, Siblings: path}
	if err := mp.Verify(blocksRoot, blockHash); err != nil {
		return fmt.Errorf("%w: block %d in [%d, %d]: %w", ErrBadPath, height, start, end, err)
	}
	return nil
}

// BurnProof proves an event of a side-chain receipt against an anchored
// checkpoint: receipt → header's receipt root → header hash in the
// checkpoint's blocks root.
type BurnProof struct {
	Header     types.Header
	Receipt    ReceiptProof
	HeaderPath []types.Hash
	EventIndex uint64
}

// Span is what a verifier needs of an anchored checkpoint.
type Span struct {
	ChainID    string
	Start, End uint64
	BlocksRoot types.Hash
}

// Verify checks the whole chain of proofs against sp and returns the
// proven event and the burn's ID. The receipt must be a successful one.
func (p *BurnProof) Verify(sp Span) (types.Event, types.Hash, error) {
	if p.Header.ChainID != sp.ChainID {
		return types.Event{}, types.Hash{}, fmt.Errorf("%w: header of %q, checkpoint of %q", ErrWrongChain, p.Header.ChainID, sp.ChainID)
	}
	if err := VerifyHeader(sp.BlocksRoot, sp.Start, sp.End, p.Header.Height, p.Header.Hash(), p.HeaderPath); err != nil {
		return types.Event{}, types.Hash{}, err
	}
	if err := p.Receipt.Verify(&p.Header); err != nil {
		return types.Event{}, types.Hash{}, err
	}
	ev, err := p.Receipt.Event(p.EventIndex)
	if err != nil {
		return types.Event{}, types.Hash{}, err
	}
	return ev, BurnID(sp.ChainID, p.Header.Height, p.Receipt.Index, p.EventIndex), nil
}

// Event returns event i of a successful receipt.
func (p *ReceiptProof) Event(i uint64) (types.Event, error) {
	if p.Receipt.Status != types.StatusOK {
		return types.Event{}, fmt.Errorf("%w: tx %s", ErrFailedTx, p.Receipt.TxHash.Hex())
	}
	if i >= uint64(len(p.Receipt.Events)) {
		return types.Event{}, fmt.Errorf("%w: event %d of %d", ErrNoEvent, i, len(p.Receipt.Events))
	}
	return p.Receipt.Events[i], nil
}

// BurnID identifies the event at eventIndex of the receipt at
// receiptIndex of block height on chainID, for a side → main release.
// Every input is bound by a verified proof, none is a choice of encoding,
// so a burn has one ID.
func BurnID(chainID string, height, receiptIndex, eventIndex uint64) types.Hash {
	return eventID("accord/burn/v1", chainID, height, receiptIndex, eventIndex)
}

// LockID is BurnID for a main → side lock proven to the light client; the
// tags differ so the two ID spaces never meet.
func LockID(chainID string, height, receiptIndex, eventIndex uint64) types.Hash {
	return eventID("accord/lock/v1", chainID, height, receiptIndex, eventIndex)
}

func eventID(tag, chainID string, height, receiptIndex, eventIndex uint64) types.Hash {
	b, err := rlp.EncodeToBytes([]any{chainID, height, receiptIndex, eventIndex})
	if err != nil {
		panic(fmt.Sprintf("encode event id: %v", err))
	}
	return types.Keccak([]byte(tag), b)
}

// Encode returns the proof's canonical RLP.
func (p *BurnProof) Encode() []byte { return encode(p) }

// Encode returns the proof's canonical RLP.
func (p *ReceiptProof) Encode() []byte { return encode(p) }

func encode(v any) []byte {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
}

// DecodeBurnProof decodes a proof strictly: one canonical RLP value and
// nothing after it, paths of at most MaxPath siblings.
func DecodeBurnProof(b []byte) (*BurnProof, error) {
	p := new(BurnProof)
	if err := decodeStrict(b, p); err != nil {
		return nil, err
	}
	if len(p.HeaderPath) > MaxPath || len(p.Receipt.Path) > MaxPath {
		return nil, fmt.Errorf("%w: path longer than %d", ErrMalformed, MaxPath)
	}
	return p, nil
}

// decodeStrict decodes b into v and insists that b is the canonical
// encoding of the result. rlp.DecodeBytes already refuses trailing bytes
// and non-minimal sizes and integers; the round trip also catches anything
// the decoder tolerates (e.g. a list where a nil pointer could be), so a
// value has exactly one accepted encoding.
func decodeStrict(b []byte, v any) error {
	if len(b) > MaxProofSize {
		return fmt.Errorf("%w: %d bytes (max %d)", ErrMalformed, len(b), MaxProofSize)
	}
	if err := rlp.DecodeBytes(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	re, err := rlp.EncodeToBytes(v)
	if err != nil || !bytes.Equal(re, b) {
		return fmt.Errorf("%w: not the canonical encoding", ErrMalformed)
	}
	return nil
}
