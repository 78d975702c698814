package bank

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Transaction types of the bank module.
const (
	TypeTransfer = core.TypeBank + 1
)

// MsgTransfer moves Amount micro-USDT from the sender to To.
type MsgTransfer struct {
	To     types.Address
	Amount uint64
}

// ValidateBasic checks what needs no state.
func (m *MsgTransfer) ValidateBasic() error {
	if m.Amount == 0 {
		return ErrZeroAmount
	}
	// Usually an unset field in a client, not an intent to burn; burning
	// has its own paths (bridge withdrawals) that keep the supply right.
	if m.To == (types.Address{}) {
		return ErrZeroRecipient
	}
	return nil
}

// DecodeTransfer decodes and validates a transfer payload.
func DecodeTransfer(payload []byte) (*MsgTransfer, error) {
	var m MsgTransfer
	// The canonical encoding is decoded without reflection; anything else
	// takes the general decoder, which also words the error.
	if to, amount, ok := decodeAddressUint(payload); ok {
		m = MsgTransfer{To: to, Amount: amount}
	} else if err := core.Decode(payload, &m); err != nil {
		return nil, err
	}
	if err := m.ValidateBasic(); err != nil {
		return nil, err
	}
	return &m, nil
}

// decodeAddressUint decodes the RLP list [address, uint64] exactly as
// rlp.DecodeBytes decodes it into struct{ types.Address; uint64 }: canonical
// sizes and integers, a 20-byte address, nothing more. ok is false for any
// input the reflection decoder would refuse or that this one does not know.
func decodeAddressUint(b []byte) (a types.Address, x uint64, ok bool) {
	content, rest, err := rlp.SplitList(b)
	if err != nil || len(rest) != 0 {
		return a, 0, false
	}
	addr, content, err := rlp.SplitString(content)
	if err != nil || len(addr) != len(a) {
		return a, 0, false
	}
	x, content, err = rlp.SplitUint64(content)
	if err != nil || len(content) != 0 {
		return a, 0, false
	}
	copy(a[:], addr)
	return a, x, true
}

// decodeUintAddress is decodeAddressUint for the list [uint64, address].
func decodeUintAddress(b []byte) (x uint64, a types.Address, ok bool) {
	content, rest, err := rlp.SplitList(b)
	if err != nil || len(rest) != 0 {
		return 0, a, false
	}
	x, content, err = rlp.SplitUint64(content)
	if err != nil {
		return 0, a, false
	}
	addr, content, err := rlp.SplitString(content)
	if err != nil || len(addr) != len(a) || len(content) != 0 {
		return 0, a, false
	}
	copy(a[:], addr)
	return x, a, true
}

// Cost returns the micro-USDT a transaction moves out of its sender besides
// the fee, for mempool admission. Types of other modules that spend the
// sender's balance register their own cost functions with the mempool
// wiring; bank knows only its own.
func Cost(tx *types.Tx) (uint64, error) {
	switch tx.Type {
	case TypeTransfer:
		m, err := DecodeTransfer(tx.Payload)
		if err != nil {
			return 0, err
		}
		return m.Amount, nil
	}
	return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
}

// TxType is the message's transaction type.
func (*MsgTransfer) TxType() types.TxType { return TypeTransfer }
