package core

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Router is the application: it owns the modules and executes transactions.
type Router struct {
	chainID string
	modules []Module
	routes  map[types.TxType]Route
	ante    []Ante
}

// NewRouter registers modules in order (their BeginBlock runs in this
// order) and the ante checks, which run in order for every transaction.
func NewRouter(chainID string, ante []Ante, modules ...Module) (*Router, error) {
	r := &Router{chainID: chainID, modules: modules, routes: make(map[types.TxType]Route), ante: ante}
	for _, m := range modules {
		for _, rt := range m.Routes() {
			if prev, dup := r.routes[rt.Type]; dup {
				return nil, fmt.Errorf("tx type %#x registered by %s and %s", rt.Type, prev.Name, rt.Name)
			}
			r.routes[rt.Type] = rt
		}
	}
	return r, nil
}

// ChainID is the chain this router executes for.
func (r *Router) ChainID() string { return r.chainID }

// Route returns the route of a type.
func (r *Router) Route(t types.TxType) (Route, bool) {
	rt, ok := r.routes[t]
	return rt, ok
}

// InitGenesis runs every module's genesis with its section of the document.
func (r *Router) InitGenesis(b Block, st state.Store, sections map[string]json.RawMessage) error {
	ctx := NewContext(b, st)
	for _, m := range r.modules {
		if err := m.InitGenesis(ctx, sections[m.Name()]); err != nil {
			return fmt.Errorf("genesis %s: %w", m.Name(), err)
		}
	}
	return nil
}

// BeginBlock runs the modules' timers.
func (r *Router) BeginBlock(b Block, st state.Journaled) ([]types.Event, error) {
	ctx := NewContext(b, st)
	for _, m := range r.modules {
		bb, ok := m.(BeginBlocker)
		if !ok {
			continue
		}
		if err := bb.BeginBlock(ctx); err != nil {
			return nil, fmt.Errorf("begin block %s: %w", m.Name(), err)
		}
	}
	return ctx.Events(), nil
}

// ApplyTx executes one transaction. An error (wrapping ErrInvalidTx) means
// the transaction may not be in a block: the caller rolls back and skips it
// (proposer) or rejects the block (validator). A failing message is not an
// error: it yields a failed receipt, keeping only the fee and nonce effects.
func (r *Router) ApplyTx(b Block, st state.Journaled, tx *types.Tx) (*types.Receipt, error) {
	mark := st.Snapshot()
	ctx := NewContext(b, st)
	ctx.TxHash = tx.Hash()
	if err := tx.CheckChainID(r.chainID); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidTx, err)
	}
	from, err := tx.Sender()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidTx, err)
	}
	ctx.Sender = from
	rt, ok := r.routes[tx.Type]
	if !ok {
		return nil, fmt.Errorf("%w: %w %#x", ErrInvalidTx, ErrUnknownType, tx.Type)
	}
	for _, a := range r.ante {
		if err := a(ctx, tx); err != nil {
			st.RevertTo(mark)
			return nil, fmt.Errorf("%w: %w", ErrInvalidTx, err)
		}
	}
	rc := &types.Receipt{TxHash: ctx.TxHash, Fee: tx.Fee}
	msgMark, evMark := st.Snapshot(), len(ctx.events)
	if err := rt.Handler(ctx, tx.Payload); err != nil {
		st.RevertTo(msgMark)
		ctx.resetEvents(evMark)
		rc.Status, rc.Error = types.StatusFailed, fmt.Sprintf("%s: %v", rt.Name, err)
	}
	rc.Events = ctx.Events()
	return rc, nil
}

// IsInvalidTx reports whether err means the transaction cannot be included.
func IsInvalidTx(err error) bool { return errors.Is(err, ErrInvalidTx) }
