package checkpoint

import (
	"crypto/ecdsa"
	"fmt"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Transaction types of the checkpoint module.
const (
	TypeSubmit = core.TypeCheckpoint + 1 // MsgSubmit: anyone (a relayer)
)

// Bounds on what a message may carry.
const (
	MaxChainIDLen = 64
	MaxValidators = 100     // as gov.MaxValidators: a side set is a chain's validator set
	MaxSpan       = 1 << 20 // blocks in one checkpoint (the interval is 256 by default)
)

// Checkpoint is what the side validators sign: the side blocks
// [Start, End] of ChainID, the Merkle root of their hashes, the app hash
// after End, the set that signs this checkpoint and the one that signs the
// next.
type Checkpoint struct {
	ChainID            string
	Number             uint64 // 1, 2, … per side chain
	Start, End         uint64
	BlocksRoot         types.Hash
	AppHash            types.Hash
	ValidatorsHash     types.Hash
	NextValidatorsHash types.Hash
}

// Hash identifies a checkpoint's content.
func (c *Checkpoint) Hash() types.Hash { return types.Keccak(core.Encode(c)) }

// Digest is what each side validator signs; the domain tag keeps it apart
// from every other signed message (votes, transactions).
func (c *Checkpoint) Digest() types.Hash {
	return types.Keccak([]byte("accord/checkpoint/v1"), core.Encode(c))
}

// Span is the checkpoint as the proof verifier needs it.
func (c *Checkpoint) Span() proof.Span {
	return proof.Span{ChainID: c.ChainID, Start: c.Start, End: c.End, BlocksRoot: c.BlocksRoot}
}

// Sig is one validator's signature over Digest; Index is its position in
// the set named by ValidatorsHash.
type Sig struct {
	Index uint32
	Sig   []byte
}

// MsgSubmit anchors a checkpoint. NextValidators is the next set's
// members, required exactly when the set changes.
type MsgSubmit struct {
	Checkpoint     Checkpoint
	Sigs           []Sig
	NextValidators []types.Address
}

// TxType is the message's transaction type.
func (*MsgSubmit) TxType() types.TxType { return TypeSubmit }

// CheckChainID checks a side chain ID: 1–64 printable ASCII bytes.
func CheckChainID(id string) error {
	if len(id) == 0 || len(id) > MaxChainIDLen {
		return fmt.Errorf("%w: %d bytes (1–%d)", ErrBadChainID, len(id), MaxChainIDLen)
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return fmt.Errorf("%w: byte %#x at %d", ErrBadChainID, id[i], i)
		}
	}
	return nil
}

// ValidateBasic checks a checkpoint without state.
func (c *Checkpoint) ValidateBasic() error {
	if err := CheckChainID(c.ChainID); err != nil {
		return err
	}
	if c.Number == 0 || c.Start == 0 || c.End < c.Start || c.End-c.Start >= MaxSpan {
		return fmt.Errorf("%w: number %d, [%d, %d] (at most %d blocks)", ErrBadRange, c.Number, c.Start, c.End, MaxSpan)
	}
	if err := proof.CheckRoot(c.BlocksRoot); err != nil {
		return fmt.Errorf("%w: blocks root: %w", ErrZeroRoot, err)
	}
	for _, h := range []struct {
		name string
		v    types.Hash
	}{{"app hash", c.AppHash}, {"validators hash", c.ValidatorsHash}, {"next validators hash", c.NextValidatorsHash}} {
		if h.v == (types.Hash{}) {
			return fmt.Errorf("%w: %s", ErrZeroRoot, h.name)
		}
	}
	return nil
}

// ValidateBasic checks what needs no state: the checkpoint, the shape of
// the signatures (sorted, unique, 65 bytes) and the next set.
func (m *MsgSubmit) ValidateBasic() error {
	if err := m.Checkpoint.ValidateBasic(); err != nil {
		return err
	}
	if len(m.Sigs) == 0 || len(m.Sigs) > MaxValidators {
		return fmt.Errorf("%w: %d signatures", ErrBelowThreshold, len(m.Sigs))
	}
	for i, s := range m.Sigs {
		if i > 0 && s.Index <= m.Sigs[i-1].Index {
			return fmt.Errorf("%w: index %d after %d", ErrUnsortedSigners, s.Index, m.Sigs[i-1].Index)
		}
		if len(s.Sig) != types.SignatureLength {
			return fmt.Errorf("%w: index %d: %d bytes", ErrBadSignature, s.Index, len(s.Sig))
		}
	}
	c := &m.Checkpoint
	if c.NextValidatorsHash == c.ValidatorsHash {
		if len(m.NextValidators) != 0 {
			return fmt.Errorf("%w: next validators given but the set does not change", ErrBadValidators)
		}
		return nil
	}
	vs, err := newSet(m.NextValidators)
	if err != nil {
		return err
	}
	if vs.Hash() != c.NextValidatorsHash {
		return fmt.Errorf("%w: next validators hash to %s, checkpoint names %s", ErrBadValidators, vs.Hash().Hex(), c.NextValidatorsHash.Hex())
	}
	return nil
}

func newSet(addrs []types.Address) (*types.ValidatorSet, error) {
	if len(addrs) > MaxValidators {
		return nil, fmt.Errorf("%w: %d validators (max %d)", ErrBadValidators, len(addrs), MaxValidators)
	}
	for _, a := range addrs {
		if a == (types.Address{}) {
			return nil, fmt.Errorf("%w: zero address", ErrBadValidators)
		}
	}
	vs, err := types.NewValidatorSet(addrs)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadValidators, err)
	}
	return vs, nil
}

// DecodeSubmit decodes and validates a MsgSubmit payload; the payload must
// be its canonical encoding.
func DecodeSubmit(payload []byte) (*MsgSubmit, error) {
	m, err := core.DecodeValid[MsgSubmit](payload)
	if err != nil {
		return nil, err
	}
	if re, err := rlp.EncodeToBytes(m); err != nil || string(re) != string(payload) {
		return nil, fmt.Errorf("%w: not the canonical encoding", core.ErrBadPayload)
	}
	return m, nil
}

// Cost is 0: submitting a checkpoint moves no USDT besides the fee. It
// errors on a bad payload, for mempool admission.
func Cost(tx *types.Tx) (uint64, error) {
	if tx.Type != TypeSubmit {
		return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
	}
	if _, err := DecodeSubmit(tx.Payload); err != nil {
		return 0, err
	}
	return 0, nil
}

// Sign returns the signature of the validator at index (holding key) over
// c, for a MsgSubmit (side validators and tests).
func Sign(c *Checkpoint, index uint32, key *ecdsa.PrivateKey) (Sig, error) {
	s, err := types.SignDigest(c.Digest(), key)
	if err != nil {
		return Sig{}, fmt.Errorf("sign checkpoint %d: %w", c.Number, err)
	}
	return Sig{Index: index, Sig: s}, nil
}
