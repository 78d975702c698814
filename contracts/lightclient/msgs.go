package lightclient

import (
	"fmt"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Transaction types. No range is reserved for the light client yet; it
// takes the upper half of the checkpoint range (the other direction of
// anchoring: checkpoints are main's record of side, the light client
// side's record of main, and no chain runs both).
const (
	TypeUpdate = core.TypeCheckpoint + 0x81 // MsgUpdate: anyone (a relayer)
)

// MaxChanges bounds the change proofs in one update (one block rarely
// executes more than one SetValidators proposal).
const MaxChanges = 8

// ChangeProof proves event EventIndex of a receipt in the relayed header
// to be a gov.validators_set event.
type ChangeProof struct {
	Receipt    proof.ReceiptProof
	EventIndex uint64
}

// MsgUpdate relays a main-chain header and its commit certificate, with
// proofs of the validator-set changes that header's block scheduled.
type MsgUpdate struct {
	Header  types.Header
	Cert    types.CommitCert
	Changes []ChangeProof
}

// TxType is the message's transaction type.
func (*MsgUpdate) TxType() types.TxType { return TypeUpdate }

// ValidateBasic checks what needs no state.
func (m *MsgUpdate) ValidateBasic() error {
	if m.Header.Height == 0 {
		return fmt.Errorf("%w: height 0", ErrBeforeTrust)
	}
	if m.Cert.Height != m.Header.Height || m.Cert.BlockHash != m.Header.Hash() {
		return fmt.Errorf("%w: certificate for %d/%s, header %d/%s", ErrCertMismatch,
			m.Cert.Height, m.Cert.BlockHash.Hex(), m.Header.Height, m.Header.Hash().Hex())
	}
	if len(m.Changes) > MaxChanges {
		return fmt.Errorf("%w: %d change proofs (max %d)", ErrBadChange, len(m.Changes), MaxChanges)
	}
	for i, c := range m.Changes {
		if len(c.Receipt.Path) > proof.MaxPath {
			return fmt.Errorf("%w: change %d: path of %d", ErrBadChange, i, len(c.Receipt.Path))
		}
	}
	return nil
}

// DecodeUpdate decodes and validates a MsgUpdate payload; the payload must
// be its canonical encoding.
func DecodeUpdate(payload []byte) (*MsgUpdate, error) {
	if len(payload) > proof.MaxProofSize*MaxChanges {
		return nil, fmt.Errorf("%w: %d bytes", core.ErrBadPayload, len(payload))
	}
	m, err := core.DecodeValid[MsgUpdate](payload)
	if err != nil {
		return nil, err
	}
	if re, err := rlp.EncodeToBytes(m); err != nil || string(re) != string(payload) {
		return nil, fmt.Errorf("%w: not the canonical encoding", core.ErrBadPayload)
	}
	return m, nil
}

// Cost is 0: relaying moves no USDT besides the fee. It errors on a bad
// payload, for mempool admission.
func Cost(tx *types.Tx) (uint64, error) {
	if tx.Type != TypeUpdate {
		return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
	}
	if _, err := DecodeUpdate(tx.Payload); err != nil {
		return 0, err
	}
	return 0, nil
}
