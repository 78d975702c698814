package channel

import (
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/internal/store"
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

func channelKey(id types.Hash) []byte { return slices.Concat(prefixChannel, id[:]) }

// ChannelID is the ID of payer's seq-th channel:
// Keccak-256("accord/channel/v1" ‖ payer ‖ be64(seq)). A payer knows the ID
// of the channel it is opening (seq = ChannelCount + 1) before it is mined.
func ChannelID(payer types.Address, seq uint64) types.Hash {
	return types.Keccak([]byte("accord/channel/v1"), payer[:], store.BE64(seq))
}

// GetChannel returns a channel, or an error wrapping ErrNotFound.
func (Keeper) GetChannel(st state.Store, id types.Hash) (*Channel, error) {
	return store.Get[Channel](st, channelKey(id), "channel "+id.Hex(), ErrNotFound, ErrCorrupt)
}

func (Keeper) setChannel(st state.Store, c *Channel) { store.Put(st, channelKey(c.ID), c) }

// ChannelCount is how many channels payer ever opened.
func (Keeper) ChannelCount(st state.Store, payer types.Address) uint64 {
	return store.GetU64(st, slices.Concat(prefixCount, payer[:]))
}

// OpenCount is how many of payer's channels are not settled.
func (Keeper) OpenCount(st state.Store, payer types.Address) uint64 {
	return store.GetU64(st, slices.Concat(prefixOpen, payer[:]))
}

// NextID is the ID payer's next MsgOpen will get.
func (k Keeper) NextID(st state.Store, payer types.Address) types.Hash {
	return ChannelID(payer, k.ChannelCount(st, payer)+1)
}

// ByPayer lists payer's channels in opening order, after sequence number
// after, at most limit (≤ 0: no limit).
func (k Keeper) ByPayer(st state.Store, payer types.Address, after uint64, limit int) ([]*Channel, error) {
	return k.load(st, store.SeqIDs(st, prefixPayer, payer, after, limit))
}

// ByPayee lists the channels paying payee, in channel ID order, at most
// limit (≤ 0: no limit).
func (k Keeper) ByPayee(st state.Store, payee types.Address, limit int) ([]*Channel, error) {
	return k.load(st, store.SuffixIDs(st, prefixPayee, payee, limit))
}

func (k Keeper) load(st state.Store, ids []types.Hash) ([]*Channel, error) {
	return store.Load(ids, func(id types.Hash) (*Channel, error) { return k.GetChannel(st, id) })
}

func (k Keeper) frozen(st state.Store, a types.Address) bool {
	return k.freezer != nil && k.freezer.IsFrozen(st, a)
}
