package channel

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// EscrowAddress is the module account holding every unsettled channel's
// deposit (minus what was redeemed). Bank must refuse plain transfers into it.
var EscrowAddress = bank.ModuleAddress("channel")

// State of a channel.
type State uint8

// Channel states: OPEN ─Close─▶ CLOSING ─Settle─▶ SETTLED; OPEN ─Settle─▶
// SETTLED directly (payee any time, payer after the window).
const (
	StateOpen    State = 1
	StateClosing State = 2
	StateSettled State = 3
)

var stateNames = [...]string{StateOpen: "OPEN", StateClosing: "CLOSING", StateSettled: "SETTLED"}

// Valid reports whether s is a known state.
func (s State) Valid() bool { return s >= StateOpen && s <= StateSettled }

func (s State) String() string {
	if s.Valid() {
		return stateNames[s]
	}
	return fmt.Sprintf("STATE(%d)", uint8(s))
}

// Channel is one channel's record.
type Channel struct {
	ID        types.Hash
	Seq       uint64 // the payer's channel number, from 1
	Payer     types.Address
	Payee     types.Address
	Deposit   uint64 // total deposited, micro-USDT
	Redeemed  uint64 // total paid to the payee
	Nonce     uint64 // nonce of the last redeemed voucher
	Expiry    uint64 // block time, ms
	Challenge uint64 // challenge period, fixed at open
	State     State
	ClosesAt  uint64 // CLOSING: end of the challenge period
	OpenedAt  uint64
	SettledAt uint64
	Refunded  uint64 // returned to the payer at settlement
}

// RedeemUntil is the first block time at which the payee can no longer
// redeem: the end of the challenge period once closing, else expiry plus
// the challenge period.
func (c *Channel) RedeemUntil() uint64 {
	if c.State == StateClosing {
		return c.ClosesAt
	}
	return c.Expiry + c.Challenge // bounded at open and extend: cannot wrap
}

// Remaining is the part of the deposit not yet redeemed.
func (c *Channel) Remaining() uint64 { return c.Deposit - c.Redeemed }

// Keeper reads and writes channel state.
type Keeper struct {
	bank    BankKeeper
	freezer Freezer
	params  ParamStore
}

// Deps are the keepers the channel module uses; Freezer may be nil.
type Deps struct {
	Bank    BankKeeper
	Freezer Freezer
	Params  ParamStore
}

// NewKeeper returns a keeper over deps.
func NewKeeper(d Deps) Keeper { return Keeper{bank: d.Bank, freezer: d.Freezer, params: d.Params} }

// Store layout.
var (
	prefixChannel = []byte("channel/c/") // + id -> RLP Channel
	prefixCount   = []byte("channel/n/") // + payer -> be64 channels ever opened
	prefixOpen    = []byte("channel/o/") // + payer -> be64 unsettled channels
	prefixPayer   = []byte("channel/p/") // + payer + be64 seq -> id
	prefixPayee   = []byte("channel/e/") // + payee + id -> {}
)

func be64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func channelKey(id types.Hash) []byte { return slices.Concat(prefixChannel, id[:]) }

// ChannelID is the ID of payer's seq-th channel:
// Keccak-256("accord/channel/v1" ‖ payer ‖ be64(seq)). A payer knows the ID
// of the channel it is opening (seq = ChannelCount + 1) before it is mined.
func ChannelID(payer types.Address, seq uint64) types.Hash {
	return types.Keccak([]byte("accord/channel/v1"), payer[:], be64(seq))
}

// GetChannel returns a channel, or an error wrapping ErrNotFound.
func (Keeper) GetChannel(st state.Store, id types.Hash) (*Channel, error) {
	v, ok := st.Get(channelKey(id))
	if !ok {
		return nil, fmt.Errorf("channel %s: %w", id.Hex(), ErrNotFound)
	}
	var c Channel
	if err := core.Decode(v, &c); err != nil {
		return nil, fmt.Errorf("channel %s: %w: %v", id.Hex(), ErrCorrupt, err)
	}
	return &c, nil
}

func (Keeper) setChannel(st state.Store, c *Channel) { st.Set(channelKey(c.ID), core.Encode(c)) }

func getU64(st state.Store, key []byte) uint64 {
	if v, ok := st.Get(key); ok && len(v) == 8 {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func setU64(st state.Store, key []byte, v uint64) {
	if v == 0 {
		st.Delete(key)
		return
	}
	st.Set(key, be64(v))
}

// ChannelCount is how many channels payer ever opened.
func (Keeper) ChannelCount(st state.Store, payer types.Address) uint64 {
	return getU64(st, slices.Concat(prefixCount, payer[:]))
}

// OpenCount is how many of payer's channels are not settled.
func (Keeper) OpenCount(st state.Store, payer types.Address) uint64 {
	return getU64(st, slices.Concat(prefixOpen, payer[:]))
}

// NextID is the ID payer's next MsgOpen will get.
func (k Keeper) NextID(st state.Store, payer types.Address) types.Hash {
	return ChannelID(payer, k.ChannelCount(st, payer)+1)
}

// ByPayer lists payer's channels in opening order, after sequence number
// after, at most limit (≤ 0: no limit).
func (k Keeper) ByPayer(st state.Store, payer types.Address, after uint64, limit int) ([]*Channel, error) {
	if after == ^uint64(0) {
		return nil, nil
	}
	p := slices.Concat(prefixPayer, payer[:])
	var ids []types.Hash
	st.Iterate(slices.Concat(p, be64(after+1)), state.PrefixEnd(p), false, func(_, v []byte) bool {
		ids = append(ids, types.Hash(v))
		return limit <= 0 || len(ids) < limit
	})
	return k.load(st, ids)
}

// ByPayee lists the channels paying payee, in channel ID order, at most
// limit (≤ 0: no limit).
func (k Keeper) ByPayee(st state.Store, payee types.Address, limit int) ([]*Channel, error) {
	p := slices.Concat(prefixPayee, payee[:])
	var ids []types.Hash
	st.Iterate(p, state.PrefixEnd(p), false, func(key, _ []byte) bool {
		ids = append(ids, types.Hash(key[len(p):]))
		return limit <= 0 || len(ids) < limit
	})
	return k.load(st, ids)
}

func (k Keeper) load(st state.Store, ids []types.Hash) ([]*Channel, error) {
	out := make([]*Channel, 0, len(ids))
	for _, id := range ids {
		c, err := k.GetChannel(st, id)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

func (k Keeper) frozen(st state.Store, a types.Address) bool {
	return k.freezer != nil && k.freezer.IsFrozen(st, a)
}
