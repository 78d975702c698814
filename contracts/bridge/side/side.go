package side

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/bridge/retain"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's name: the bridge's, as on main. No chain
// runs both halves, so each chain has one "bridge" module, its events are
// bridge.* (main proves bridge.burned) and `tx bridge burn` sits beside
// main's `tx bridge lock`. The halves' result codes are disjoint (see
// descriptor.go), so ("bridge", code) means one thing on either chain.
const ModuleName = "bridge"

// Transaction types: the upper half of the bridge range (the main half
// uses the lower; no chain runs both).
const (
	TypeMint = core.TypeBridge + 0x81 // MsgMint: anyone (a relayer)
	TypeBurn = core.TypeBridge + 0x82 // MsgBurn: the holder
	TypeAck  = core.TypeBridge + 0x83 // MsgAckRelease: anyone (a relayer)
)

// Sentinel errors.
var (
	ErrAlreadyMinted = errors.New("lock already minted")
	ErrWrongEvent    = errors.New("proven event is not a lock for this chain")
	ErrZeroAmount    = errors.New("amount must be positive")
	ErrZeroRecipient = errors.New("recipient must be set")
	ErrNotPending    = errors.New("no pending burn of this chain at that height and nonce")
)

// MsgMint mints a main-chain lock: Proof proves event EventIndex of a
// receipt in the trusted main header at MainHeight.
type MsgMint struct {
	MainHeight uint64
	Proof      proof.ReceiptProof
	EventIndex uint64
}

// MsgBurn burns Amount of the sender's USDT for Recipient on main.
type MsgBurn struct {
	Recipient types.Address
	Amount    uint64
}

// MsgAckRelease shows this chain that main released one of its burns:
// Proof proves event EventIndex (a bridge.released for this chain) of a
// receipt in the trusted main header at MainHeight. It only ends the
// burn's retention (pruning may then delete its block); it moves no funds,
// so anyone may send it.
type MsgAckRelease struct {
	MainHeight uint64
	Proof      proof.ReceiptProof
	EventIndex uint64
}

// ValidateBasic checks what needs no state.
func (m *MsgAckRelease) ValidateBasic() error {
	if len(m.Proof.Path) > proof.MaxPath {
		return fmt.Errorf("%w: path of %d", proof.ErrMalformed, len(m.Proof.Path))
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgMint) ValidateBasic() error {
	if len(m.Proof.Path) > proof.MaxPath {
		return fmt.Errorf("%w: path of %d", proof.ErrMalformed, len(m.Proof.Path))
	}
	return nil
}

// ValidateBasic checks what needs no state.
func (m *MsgBurn) ValidateBasic() error {
	if m.Recipient == (types.Address{}) {
		return ErrZeroRecipient
	}
	if m.Amount == 0 {
		return ErrZeroAmount
	}
	return nil
}

// LightClient proves main-chain receipts. lightclient.Keeper implements it.
type LightClient interface {
	VerifyReceipt(st state.Store, height uint64, p *proof.ReceiptProof, eventIndex uint64) (types.Event, types.Hash, error)
}

// BankKeeper is what the side half needs from bank.
type BankKeeper interface {
	Mint(st state.Store, to types.Address, amount uint64) error
	Burn(st state.Store, from types.Address, amount uint64) error
}

// Keeper runs the side half.
type Keeper struct {
	bank   BankKeeper
	client LightClient
	holds  retain.Set // burns main has not released yet, as far as this chain was shown
}

// NewKeeper returns a keeper over the bank and the light client.
func NewKeeper(b BankKeeper, c LightClient) Keeper {
	return Keeper{bank: b, client: c, holds: retain.Set{Prefix: prefixHold}}
}

// WithRetainWindow returns k with burns retained for at most window blocks
// (retain.DefaultWindow when 0); every node of a chain must use the same.
func (k Keeper) WithRetainWindow(window uint64) Keeper {
	k.holds.Window = window
	return k
}

var (
	prefixMinted = []byte("bridge_side/m/") // + lock ID -> {}
	keyBurnSeq   = []byte("bridge_side/bseq")
	prefixHold   = []byte("bridge_side/h/") // + height + burn nonce -> {}: a burn main has not been shown to release
)

// Pending reports whether the burn with nonce at height still holds its
// block back from pruning: main's release of it was not shown here, and
// its retention window has not passed.
func (k Keeper) Pending(st state.Store, height, nonce uint64) bool {
	return k.holds.Has(st, height, nonce)
}

// RetainHeight implements core.HeightRetainer: the lowest height of a
// pending burn, whose block and receipts its proof on main needs.
func (k Keeper) RetainHeight(st state.Store) uint64 { return k.holds.Lowest(st) }

// AckRelease verifies main's release of one of this chain's burns and ends
// that burn's retention.
func (k Keeper) AckRelease(ctx *core.Context, m *MsgAckRelease) error {
	st := ctx.Store
	ev, _, err := k.client.VerifyReceipt(st, m.MainHeight, &m.Proof, m.EventIndex)
	if err != nil {
		return err
	}
	if ev.Type != bridge.EventReleased || ev.Get("chain") != ctx.Block.ChainID {
		return fmt.Errorf("%w: %q for chain %q, want %s", ErrWrongEvent, ev.Type, ev.Get("chain"), bridge.EventReleased)
	}
	var r bridge.ReleasedEvent
	if err := core.DecodeEvent(ev, &r); err != nil {
		return fmt.Errorf("%w: %w", ErrWrongEvent, err)
	}
	if !k.holds.Remove(st, r.Height, r.Nonce) {
		return fmt.Errorf("burn %d at height %d: %w", r.Nonce, r.Height, ErrNotPending)
	}
	ctx.EmitEvent(ReleaseAckedEvent{Height: r.Height, Nonce: r.Nonce, Burn: r.Burn})
	return nil
}

// BeginBlock implements core.BeginBlocker: burns past the retention
// window stop holding their blocks.
func (k Keeper) BeginBlock(ctx *core.Context) error {
	k.holds.Expire(ctx.Store, ctx.Block.Height)
	return nil
}

// Minted reports whether the lock was minted here.
func (Keeper) Minted(st state.Store, lock types.Hash) bool {
	return st.Has(slices.Concat(prefixMinted, lock[:]))
}

// Mint verifies a lock on main and mints it here, once.
func (k Keeper) Mint(ctx *core.Context, m *MsgMint) error {
	st := ctx.Store
	ev, lock, err := k.client.VerifyReceipt(st, m.MainHeight, &m.Proof, m.EventIndex)
	if err != nil {
		return err
	}
	if ev.Type != bridge.EventLocked || ev.Get("chain") != ctx.Block.ChainID {
		return fmt.Errorf("%w: %q for chain %q", ErrWrongEvent, ev.Type, ev.Get("chain"))
	}
	if k.Minted(st, lock) {
		return fmt.Errorf("lock %s: %w", lock.Hex(), ErrAlreadyMinted)
	}
	l, err := bridge.DecodeLocked(ev)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrongEvent, err)
	}
	to, amount := l.Recipient, l.Amount
	if err := k.bank.Mint(st, to, amount); err != nil {
		return err
	}
	st.Set(slices.Concat(prefixMinted, lock[:]), []byte{1})
	ctx.EmitEvent(MintedEvent{Lock: lock, Recipient: to, Amount: amount})
	return nil
}

// Burn destroys the sender's USDT and emits the event main releases.
func (k Keeper) Burn(ctx *core.Context, m *MsgBurn) error {
	if err := k.bank.Burn(ctx.Store, ctx.Sender, m.Amount); err != nil {
		return err
	}
	var n uint64
	if v, ok := ctx.Store.Get(keyBurnSeq); ok && len(v) == 8 {
		n = binary.BigEndian.Uint64(v)
	}
	n++
	ctx.Store.Set(keyBurnSeq, binary.BigEndian.AppendUint64(nil, n))
	k.holds.Add(ctx.Store, ctx.Block.Height, n)
	ctx.EmitEvent(bridge.BurnedEvent{Recipient: m.Recipient, Amount: m.Amount, Sender: ctx.Sender, Nonce: n})
	return nil
}

// Module is the side half as a contract module.
type Module struct{ Keeper }

// NewModule returns the module over k.
func NewModule(k Keeper) Module { return Module{k} }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypeMint, Name: "bridge.mint", Handler: m.handleMint},
		{Type: TypeBurn, Name: "bridge.burn", Handler: m.handleBurn},
		{Type: TypeAck, Name: "bridge.ack_release", Handler: m.handleAck, Msg: MsgAckRelease{}},
	}
}

func (m Module) handleAck(ctx *core.Context, payload []byte) error {
	msg, err := decode[MsgAckRelease](payload)
	if err != nil {
		return err
	}
	return m.AckRelease(ctx, msg)
}

func (m Module) handleMint(ctx *core.Context, payload []byte) error {
	msg, err := decode[MsgMint](payload)
	if err != nil {
		return err
	}
	return m.Mint(ctx, msg)
}

func (m Module) handleBurn(ctx *core.Context, payload []byte) error {
	msg, err := decode[MsgBurn](payload)
	if err != nil {
		return err
	}
	return m.Burn(ctx, msg)
}

func decode[T any, P interface {
	*T
	core.Validator
}](payload []byte) (*T, error) {
	if len(payload) > proof.MaxProofSize {
		return nil, fmt.Errorf("%w: %d bytes", core.ErrBadPayload, len(payload))
	}
	m, err := core.DecodeValid[T, P](payload)
	if err != nil {
		return nil, err
	}
	if string(core.Encode(m)) != string(payload) {
		return nil, fmt.Errorf("%w: not the canonical encoding", core.ErrBadPayload)
	}
	return m, nil
}

// InitGenesis implements core.Module: the side half has no genesis state.
func (Module) InitGenesis(*core.Context, json.RawMessage) error { return nil }

// Cost is what a side-half message moves out of its sender: the amount of a burn.
func Cost(tx *types.Tx) (uint64, error) {
	switch tx.Type {
	case TypeMint:
		_, err := decode[MsgMint](tx.Payload)
		return 0, err
	case TypeAck:
		_, err := decode[MsgAckRelease](tx.Payload)
		return 0, err
	case TypeBurn:
		m, err := decode[MsgBurn](tx.Payload)
		if err != nil {
			return 0, err
		}
		return m.Amount, nil
	}
	return 0, fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
}
