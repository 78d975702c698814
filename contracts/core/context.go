package core

import (
	"strconv"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Block carries what a handler may know about the block being executed. It
// is the ledger's BlockInfo, so the Router is a ledger.App as it is.
type Block = ledger.BlockInfo

// Context is what a handler sees while executing one transaction (or the
// block's timer processing, with a zero Sender).
type Context struct {
	Block  Block
	Store  state.Store
	Sender types.Address
	TxHash types.Hash
	events []types.Event
}

// NewContext returns a context over st for the given block.
func NewContext(b Block, st state.Store) *Context {
	return &Context{Block: b, Store: st}
}

// Emit records an untyped event; kv alternates keys and values. Only the
// modules not yet converted to typed events (arbitration, channel, pay,
// risk) still use it; new code uses EmitEvent.
func (c *Context) Emit(typ string, kv ...string) {
	ev := types.Event{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attrs = append(ev.Attrs, types.Attr{Key: kv[i], Value: kv[i+1]})
	}
	c.events = append(c.events, ev)
}

// EmitEvent records a typed event (see events.go); every module event
// is one, so clients decode structs instead of parsing attributes.
func (c *Context) EmitEvent(ev Event) { c.events = append(c.events, EncodeEvent(ev)) }

// Events returns the events emitted so far.
func (c *Context) Events() []types.Event { return c.events }

// resetEvents drops events back to n (used when a message fails).
func (c *Context) resetEvents(n int) { c.events = c.events[:n] }

// U64 formats an integer for views and parameter reports.
func U64(v uint64) string { return strconv.FormatUint(v, 10) }
