package coretest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
)

// Parameters.
const (
	ParamMaxAdd   = "max_add"
	DefaultMaxAdd = 100
)

var (
	keyCounter = []byte("coretest/counter")
	keyPings   = []byte("coretest/pings")
	keyTicks   = []byte("coretest/ticks")
	keyPanic   = []byte("coretest/panic")
)

// Module is the test module; Params is gov's parameter store.
type Module struct {
	Params core.ParamStore
}

// New returns the module reading its parameter through params (gov's
// keeper).
func New(params core.ParamStore) Module { return Module{Params: params} }

func get(st state.Store, k []byte) uint64 {
	v, ok := st.Get(k)
	if !ok || len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func put(st state.Store, k []byte, n uint64) { st.Set(k, binary.BigEndian.AppendUint64(nil, n)) }

// Counter, Pings and Ticks read the module's state.
func Counter(st state.Store) uint64 { return get(st, keyCounter) }
func Pings(st state.Store) uint64   { return get(st, keyPings) }
func Ticks(st state.Store) uint64   { return get(st, keyTicks) }

// MaxAdd is the governed cap on one ping.
func (m Module) MaxAdd(st state.Store) uint64 {
	if m.Params == nil {
		return DefaultMaxAdd
	}
	return m.Params.ParamUint64(st, ModuleName, ParamMaxAdd, DefaultMaxAdd)
}

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypePing, Name: "coretest.ping", Handler: core.HandleMsg(m.handlePing)},
		{Type: TypePanic, Name: "coretest.panic", Handler: core.HandleMsg(m.handlePanic)},
	}
}

// InitGenesis implements core.Module: nothing to set.
func (Module) InitGenesis(*core.Context, json.RawMessage) error { return nil }

func (m Module) handlePing(ctx *core.Context, msg *MsgPing) error {
	if limit := m.MaxAdd(ctx.Store); msg.Add > limit {
		return fmt.Errorf("%w: %d > %d", ErrTooMuch, msg.Add, limit)
	}
	c := Counter(ctx.Store) + msg.Add
	put(ctx.Store, keyCounter, c)
	put(ctx.Store, keyPings, Pings(ctx.Store)+1)
	ctx.EmitEvent(EventPinged{By: ctx.Sender, Add: msg.Add, Counter: c})
	return nil
}

func (m Module) handlePanic(ctx *core.Context, _ *MsgPanic) error {
	ctx.Store.Set(keyPanic, []byte("written before the panic"))
	panic("coretest: deliberate panic")
}

// BeginBlock implements core.BeginBlocker: count blocks.
func (Module) BeginBlock(ctx *core.Context) error {
	put(ctx.Store, keyTicks, Ticks(ctx.Store)+1)
	return nil
}

// Panicked reports whether a panicking message's write survived (it must
// not).
func Panicked(st state.Store) bool { return st.Has(keyPanic) }
