package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// C2C is what the module query methods read through: the application's
// module list (node.App.C2C).
type C2C struct {
	// Modules is the application's module list: every core.Querier's
	// queries become methods, and accord_getParams reads each module's
	// core.ParamReporter.
	Modules []core.Module
}

// Limits of the list queries (core.ListLimit).
const (
	DefaultListLimit = core.DefaultListLimit
	MaxListLimit     = core.MaxListLimit
)

// RegisterC2C adds the read-only methods of the application's modules,
// each reading the committed state (Ledger().ReadState()) at the last
// block's time: every query a module declares (core.Querier; for the C2C
// flow accord_getOrder, accord_getOrders, accord_getAcceptor,
// accord_getAcceptors, accord_getRates, accord_getKYC, accord_getRoles,
// accord_getRoleMembers, accord_getProposal, accord_getProposals), and
//
//	accord_getParams(module)                views.Params
//	accord_eventTypes()                     []views.EventType
//
// A missing record is CodeNotFound; a malformed parameter is
// CodeInvalidParams.
func (s *Server) RegisterC2C(k C2C) {
	q := &c2c{s: s, k: k}
	s.Register("accord_getParams", q.getParams)
	s.RegisterModules(k.Modules)
}

// RegisterModules adds every query the modules declare (core.Querier) as
// a method, reading the committed state as of the last block, and
// accord_eventTypes, which lists every event type the modules declare
// (core.EventDeclarer) with its attribute keys.
func (s *Server) RegisterModules(mods []core.Module) {
	var evs []views.EventType
	for _, m := range mods {
		if d, ok := m.(core.EventDeclarer); ok {
			for _, e := range d.Events() {
				evs = append(evs, views.EventType{Module: m.Name(), Type: e.EventType(), Attrs: core.EventKeys(e)})
			}
		}
	}
	s.Register("accord_eventTypes", func(p json.RawMessage) (any, error) {
		if err := Params(p, 0); err != nil {
			return nil, err
		}
		return evs, nil
	})
	for _, m := range mods {
		qm, ok := m.(core.Querier)
		if !ok {
			continue
		}
		for _, qd := range qm.Queries() {
			h := qd.Handle
			s.Register(qd.Method, func(p json.RawMessage) (any, error) {
				l := s.b.Ledger()
				last := l.Last()
				v, err := h(core.QueryState{Store: l.ReadState(), Height: last.Height, Time: last.Time}, p)
				return v, queryError(err)
			})
		}
	}
}

// queryError maps a module query's failure to the API's codes.
func queryError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, core.ErrNotFound):
		return NotFound(err)
	case errors.Is(err, core.ErrInvalidQuery):
		return InvalidParams(err)
	}
	return err
}

type c2c struct {
	s *Server
	k C2C
}

// OrderView converts an order record (order.NewView).
func OrderView(o *order.Order) views.Order { return order.NewView(o) }

// ProposalView converts an open proposal; threshold is the approvals it
// needs now (gov.NewProposalView).
func ProposalView(p *gov.Proposal, threshold uint64) views.Proposal {
	return gov.NewProposalView(p, threshold)
}

// AcceptorParams renders the acceptor module's parameters by key, as a
// SetParam proposal would set them.
func AcceptorParams(p acceptor.Params) map[string]string { return acceptor.ParamValuesOf(p) }

// OrderParams renders the order module's parameters by key.
func OrderParams(p order.Params) map[string]string { return order.ParamValuesOf(p) }

// adminMultisig is a module (gov) whose parameters come with the admin
// multisig; accord_getParams reports it beside them.
type adminMultisig interface {
	AdminMultisig(st state.Store) (admins []types.Address, threshold uint64)
}

func (q *c2c) getParams(p json.RawMessage) (any, error) {
	var module string
	if err := Params(p, 1, &module); err != nil {
		return nil, err
	}
	st := q.s.b.Ledger().ReadState()
	out := views.Params{Module: module}
	var names []string
	for _, m := range q.k.Modules {
		rep, ok := m.(core.ParamReporter)
		if !ok {
			continue
		}
		names = append(names, m.Name())
		if m.Name() != module {
			continue
		}
		out.Params = rep.ParamValues(st)
		if am, ok := m.(adminMultisig); ok {
			admins, threshold := am.AdminMultisig(st)
			for _, a := range admins {
				out.Admins = append(out.Admins, a.Hex())
			}
			out.Threshold = threshold
		}
	}
	if out.Params == nil {
		return nil, InvalidParams(fmt.Errorf("unknown module %q (want one of %s)", module, strings.Join(names, ", ")))
	}
	return out, nil
}
