package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sort"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Router is the application: it owns the modules and executes transactions.
type Router struct {
	chainID string
	modules []Module
	routes  map[types.TxType]route
	ante    []Ante
	specs   []ParamSpec
	blocked []types.Address
	namers  []ReadKeyNamer
	codes   [][]ErrorCode // by module index
	log     *slog.Logger
}

type route struct {
	Route
	module int // index into modules
}

// NewRouter registers modules in order (their genesis and BeginBlock run in
// this order) and the ante checks, which run in order for every
// transaction. It walks the module descriptors (descriptor.go): the
// parameter specs of every module go to the ParamSpecConsumer (gov), every
// module account to the BlockedConsumer (bank). It fails when a module has
// routes but no Cost, when two modules claim one type range (or one type),
// when a module's routes span ranges, when a result code is reserved or
// used twice, or when a module reports a parameter no spec of its own
// declares.
func NewRouter(chainID string, ante []Ante, modules ...Module) (*Router, error) {
	r := &Router{chainID: chainID, modules: append([]Module(nil), modules...), routes: make(map[types.TxType]route), ante: ante}
	ranges := map[types.TxType]string{}
	names := map[string]bool{}
	for i, m := range r.modules {
		if names[m.Name()] {
			return nil, fmt.Errorf("module %q registered twice", m.Name())
		}
		names[m.Name()] = true
		rts := m.Routes()
		if _, ok := m.(Coster); len(rts) > 0 && !ok {
			return nil, fmt.Errorf("module %s has routes but no Cost: the mempool would refuse all its transactions", m.Name())
		}
		for _, rt := range rts {
			if prev, dup := r.routes[rt.Type]; dup {
				return nil, fmt.Errorf("tx type %#x registered by %s and %s", rt.Type, prev.Name, rt.Name)
			}
			base := rt.Type &^ 0xff
			if owner, ok := ranges[base]; ok && owner != m.Name() {
				return nil, fmt.Errorf("tx type range %#x claimed by modules %s and %s", base, owner, m.Name())
			}
			ranges[base] = m.Name()
			r.routes[rt.Type] = route{Route: rt, module: i}
		}
		if d, ok := m.(ParamDeclarer); ok {
			r.specs = append(r.specs, d.ParamSpecs()...)
		}
		if a, ok := m.(ModuleAccounts); ok {
			r.blocked = append(r.blocked, a.ModuleAccounts()...)
		}
		if n, ok := m.(ReadKeyNamer); ok {
			r.namers = append(r.namers, n)
		}
		codes, err := checkCodes(m)
		if err != nil {
			return nil, err
		}
		r.codes = append(r.codes, codes)
	}
	if err := r.checkParamReports(); err != nil {
		return nil, err
	}
	for i, m := range r.modules {
		if c, ok := m.(ParamSpecConsumer); ok {
			var others []ParamSpec
			for _, s := range r.specs {
				if s.Module != m.Name() {
					others = append(others, s)
				}
			}
			r.modules[i] = c.WithParamSpecs(others)
		}
		if c, ok := r.modules[i].(BlockedConsumer); ok {
			r.modules[i] = c.WithBlocked(r.blocked)
		}
	}
	// Routes hold handlers bound to the module values before the consumers
	// were handed their tables: rebind them to the final values.
	for t, rt := range r.routes {
		for _, nrt := range r.modules[rt.module].Routes() {
			if nrt.Type == t {
				r.routes[t] = route{Route: nrt, module: rt.module}
			}
		}
	}
	return r, nil
}

func checkCodes(m Module) ([]ErrorCode, error) {
	c, ok := m.(ErrorCoder)
	if !ok {
		return nil, nil
	}
	codes := c.ErrorCodes()
	seen := map[uint32]bool{}
	for _, ec := range codes {
		switch {
		case ec.Code == CodeOK || ec.Code == CodeUnknown:
			return nil, fmt.Errorf("module %s: result code %d is reserved", m.Name(), ec.Code)
		case seen[ec.Code]:
			return nil, fmt.Errorf("module %s: result code %d used twice", m.Name(), ec.Code)
		case ec.Err == nil:
			return nil, fmt.Errorf("module %s: result code %d has no error", m.Name(), ec.Code)
		}
		seen[ec.Code] = true
	}
	return codes, nil
}

// checkParamReports refuses a module that reports a parameter key its own
// specs do not declare: a proposal could never set it.
func (r *Router) checkParamReports() error {
	empty := state.NewOverlay(nil)
	for _, m := range r.modules {
		rep, ok := m.(ParamReporter)
		if !ok {
			continue
		}
		if _, declares := m.(ParamDeclarer); !declares {
			continue
		}
		vals := rep.ParamValues(empty)
		keys := make([]string, 0, len(vals))
		for k := range vals {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if !Covers(r.specs, m.Name(), k) {
				return fmt.Errorf("module %s reports parameter %q that none of its specs declares", m.Name(), k)
			}
		}
	}
	return nil
}

// SetLogger sets where a panicking handler is reported (default
// slog.Default()). Logging never affects execution.
func (r *Router) SetLogger(l *slog.Logger) { r.log = l }

// ChainID is the chain this router executes for.
func (r *Router) ChainID() string { return r.chainID }

// Modules lists the modules in registration order, as wired (gov with
// every spec, bank with every blocked account).
func (r *Router) Modules() []Module { return r.modules }

// Module returns the module registered under name.
func (r *Router) Module(name string) (Module, bool) {
	for _, m := range r.modules {
		if m.Name() == name {
			return m, true
		}
	}
	return nil, false
}

// ParamSpecs are the parameter specs every module declared.
func (r *Router) ParamSpecs() []ParamSpec { return r.specs }

// Blocked lists every module account, in module order.
func (r *Router) Blocked() []types.Address { return r.blocked }

// Route returns the route of a type.
func (r *Router) Route(t types.TxType) (Route, bool) {
	rt, ok := r.routes[t]
	return rt.Route, ok
}

// ModuleOf returns the module owning a transaction type.
func (r *Router) ModuleOf(t types.TxType) (Module, bool) {
	rt, ok := r.routes[t]
	if !ok {
		return nil, false
	}
	return r.modules[rt.module], true
}

// Cost is the mempool's admission cost of tx (see Coster); an unrouted
// type is ErrUnknownType.
func (r *Router) Cost(tx *types.Tx) (uint64, error) {
	m, ok := r.ModuleOf(tx.Type)
	if !ok {
		return 0, fmt.Errorf("%w %#x", ErrUnknownType, tx.Type)
	}
	return m.(Coster).Cost(tx)
}

// TypeName names a transaction type for people.
func (r *Router) TypeName(t types.TxType) string {
	if rt, ok := r.routes[t]; ok {
		return rt.Name
	}
	return fmt.Sprintf("unknown(%#x)", uint16(t))
}

// Invariants lists every module's invariants, in module order, each named
// "module/name".
func (r *Router) Invariants() []Invariant { return Invariants(r.modules) }

// CheckInvariants runs every invariant over st and returns the first
// broken one's name and message, or "".
func (r *Router) CheckInvariants(st state.Store) string { return CheckInvariants(r.modules, st) }

// Invariants lists the invariants of mods (see InvariantRegistry), each
// named "module/name".
func Invariants(mods []Module) []Invariant {
	var out []Invariant
	for _, m := range mods {
		reg, ok := m.(InvariantRegistry)
		if !ok {
			continue
		}
		for _, inv := range reg.Invariants() {
			out = append(out, Invariant{Name: m.Name() + "/" + inv.Name, Check: inv.Check})
		}
	}
	return out
}

// CheckInvariants runs the invariants of mods over st and returns the
// first broken one's name and message, or "".
func CheckInvariants(mods []Module, st state.Store) string {
	for _, inv := range Invariants(mods) {
		if msg, broken := inv.Check(st); broken {
			return inv.Name + ": " + msg
		}
	}
	return ""
}

// resultCode maps a failure of a message of module index mi to its stable
// (codespace, code): the first of the module's own registered errors the
// failure wraps, else another module's (an order failing with a bank
// error reports bank's code), else the frame's, else (module, CodeUnknown).
func (r *Router) resultCode(mi int, err error) (string, uint32) {
	for _, ec := range r.codes[mi] {
		if errors.Is(err, ec.Err) {
			return r.modules[mi].Name(), ec.Code
		}
	}
	for i, codes := range r.codes {
		for _, ec := range codes {
			if i != mi && errors.Is(err, ec.Err) {
				return r.modules[i].Name(), ec.Code
			}
		}
	}
	for _, ec := range coreCodes {
		if errors.Is(err, ec.Err) {
			return Codespace, ec.Code
		}
	}
	return r.modules[mi].Name(), CodeUnknown
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
// error: it yields a failed receipt with the failure's stable result code,
// keeping only the fee and nonce effects. A handler that panics fails its
// message the same way (CodePanic), so one bad handler cannot halt the
// chain, and every node reaches the same receipt.
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
	if err := r.runHandler(rt.Route, ctx, tx.Payload); err != nil {
		st.RevertTo(msgMark)
		ctx.resetEvents(evMark)
		rc.Status, rc.Error = types.StatusFailed, fmt.Sprintf("%s: %v", rt.Name, err)
		rc.Codespace, rc.Code = r.resultCode(rt.module, err)
	}
	rc.Events = ctx.Events()
	return rc, nil
}

// runHandler runs a route's handler, turning a panic into ErrPanic.
func (r *Router) runHandler(rt Route, ctx *Context, payload []byte) (err error) {
	defer func() {
		if p := recover(); p != nil {
			log := r.log
			if log == nil {
				log = slog.Default()
			}
			log.Error("transaction handler panicked", "tx", ctx.TxHash.Hex(), "route", rt.Name, "panic", fmt.Sprint(p))
			err = fmt.Errorf("%w: %v", ErrPanic, p)
		}
	}()
	return rt.Handler(ctx, payload)
}
