package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// C2C are the keepers the C2C query methods read through, wired as the
// node's application wires them (node.App.C2C).
type C2C struct {
	Bank     bank.Keeper
	Gov      gov.Keeper
	KYC      kyc.Keeper
	Oracle   oracle.Keeper
	Acceptor acceptor.Keeper
	Order    order.Keeper
	// Modules is the application's module list: accord_getParams reads
	// each module's core.ParamReporter, and every core.Querier's queries
	// become methods.
	Modules []core.Module
}

// Limits of the C2C listings.
const (
	DefaultListLimit = 100
	MaxListLimit     = 1000
)

// RegisterC2C adds the read-only methods of the C2C flow. Each reads the
// committed state (Ledger().ReadState()) at the last block's time:
//
//	accord_getOrder(id)                     views.Order
//	accord_getOrders(filter)                views.OrderList (views.OrderFilter)
//	accord_getAcceptor(addr)                views.Acceptor
//	accord_getAcceptors([after], [limit])   views.AcceptorList
//	accord_getRates()                       views.Rates
//	accord_getKYC(addr)                     views.KYC
//	accord_getRoles(addr)                   views.Roles
//	accord_getRoleMembers(role)             []string
//	accord_getProposal(id)                  views.Proposal
//	accord_getProposals()                   []views.Proposal (open ones)
//	accord_getParams(module)                views.Params
//
// and every module query (core.Querier) of k.Modules. A missing order,
// acceptor, attestation or proposal is CodeNotFound; a malformed parameter
// is CodeInvalidParams.
func (s *Server) RegisterC2C(k C2C) {
	q := &c2c{s: s, k: k}
	// The views of each module, registered when the module is in the
	// application (all of them when k.Modules is empty).
	byModule := []struct {
		module  string
		methods map[string]Method
	}{
		{gov.ModuleName, map[string]Method{"accord_getRoles": q.getRoles, "accord_getRoleMembers": q.getRoleMembers,
			"accord_getProposal": q.getProposal, "accord_getProposals": q.getProposals}},
		{kyc.ModuleName, map[string]Method{"accord_getKYC": q.getKYC}},
		{acceptor.ModuleName, map[string]Method{"accord_getAcceptor": q.getAcceptor, "accord_getAcceptors": q.getAcceptors}},
		{order.ModuleName, map[string]Method{"accord_getOrder": q.getOrder, "accord_getOrders": q.getOrders}},
	}
	present := func(name string) bool {
		if len(k.Modules) == 0 {
			return true
		}
		for _, m := range k.Modules {
			if m.Name() == name {
				return true
			}
		}
		return false
	}
	for _, g := range byModule {
		if !present(g.module) {
			continue
		}
		for name, m := range g.methods {
			s.Register(name, m)
		}
	}
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

// view returns the committed state and the block time it is as of.
func (q *c2c) view() (state.Store, uint64) {
	l := q.s.b.Ledger()
	return l.ReadState(), l.Last().Time
}

func addrParam(p json.RawMessage) (types.Address, error) {
	var s string
	if err := Params(p, 1, &s); err != nil {
		return types.Address{}, err
	}
	a, err := types.ParseAddress(s)
	if err != nil {
		return a, InvalidParams(err)
	}
	return a, nil
}

func usdt(micro uint64) string { return types.FormatUSDT(micro) }

// OrderView converts an order record.
func OrderView(o *order.Order) views.Order {
	dec := uint8(2)
	if c, err := oracle.LookupCurrency(o.Currency); err == nil {
		dec = c.Decimals
	}
	v := views.Order{ID: o.ID.Hex(), Seq: o.Seq, State: o.State.String(), Merchant: o.Merchant.Hex(),
		MerchantRef: o.MerchantRef, Currency: o.Currency, FiatAmount: views.FormatFiat(o.FiatAmount, dec), FiatMinor: o.FiatAmount,
		Amount: usdt(o.Amount), AmountMicro: o.Amount, CommissionBps: o.CommissionBps, FeeBps: o.FeeBps,
		CreatedAtMs: o.CreatedAt, CreatedHeight: o.CreatedHeight, DeadlineMs: o.Deadline, Extended: o.Extended,
		PaidAtMs: o.PaidAt, ClosedAtMs: o.ClosedAt}
	if o.Acceptor != (types.Address{}) {
		v.Acceptor = o.Acceptor.Hex()
	}
	if o.Method != (types.Hash{}) {
		v.Method = o.Method.Hex()
	}
	if o.PaymentRef != (types.Hash{}) {
		v.PaymentRef = o.PaymentRef.Hex()
	}
	return v
}

func (q *c2c) getOrder(p json.RawMessage) (any, error) {
	var s string
	if err := Params(p, 1, &s); err != nil {
		return nil, err
	}
	id, err := types.ParseHash(s)
	if err != nil {
		return nil, InvalidParams(fmt.Errorf("order id: %w", err))
	}
	st, _ := q.view()
	o, err := q.k.Order.GetOrder(st, id)
	if errors.Is(err, order.ErrNotFound) {
		return nil, NotFound(err)
	}
	if err != nil {
		return nil, err
	}
	return OrderView(o), nil
}

func listLimit(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultListLimit, nil
	case n < 0 || n > MaxListLimit:
		return 0, InvalidParams(fmt.Errorf("limit %d: want 1 to %d", n, MaxListLimit))
	}
	return n, nil
}

func (q *c2c) getOrders(p json.RawMessage) (any, error) {
	var f views.OrderFilter
	if err := Params(p, 1, &f); err != nil {
		return nil, err
	}
	var party order.Party
	var who string
	switch {
	case f.Merchant != "" && f.Acceptor == "":
		party, who = order.ByMerchant, f.Merchant
	case f.Acceptor != "" && f.Merchant == "":
		party, who = order.ByAcceptor, f.Acceptor
	default:
		return nil, InvalidParams(errors.New(`give exactly one of "merchant" or "acceptor"`))
	}
	a, err := types.ParseAddress(who)
	if err != nil {
		return nil, InvalidParams(err)
	}
	query := order.Query{After: f.After}
	if query.Limit, err = listLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.State != "" {
		if query.State, err = order.ParseState(strings.ToUpper(f.State)); err != nil {
			return nil, InvalidParams(err)
		}
	}
	st, _ := q.view()
	os, err := q.k.Order.OrdersBy(st, party, a, query)
	if err != nil {
		return nil, err
	}
	out := views.OrderList{Orders: make([]views.Order, 0, len(os))}
	for _, o := range os {
		out.Orders = append(out.Orders, OrderView(o))
	}
	if len(os) == query.Limit {
		out.Next = os[len(os)-1].Seq
	}
	return out, nil
}

func (q *c2c) acceptorView(st state.Store, now uint64, rec *acceptor.Acceptor) views.Acceptor {
	p := q.k.Acceptor.Params(st)
	lim := acceptor.LimitsOf(p, rec, now)
	att, kerr := q.k.KYC.KYCValid(st, rec.Address, now)
	s := rec.Stats
	v := views.Acceptor{Address: rec.Address.Hex(), Status: rec.Status.String(), Identity: rec.Identity.Hex(),
		KYCValid: kerr == nil && uint64(att.Level) >= p.MinKYCLevel, RegisteredAtMs: rec.RegisteredAt,
		RegisteredHeight: rec.RegisteredHeight, Currencies: append([]string{}, rec.Currencies...),
		Methods:  make([]views.PaymentMethod, 0, len(rec.Methods)),
		MinOrder: usdt(rec.MinOrder), MinOrderMicro: rec.MinOrder, MaxOrder: usdt(rec.MaxOrder), MaxOrderMicro: rec.MaxOrder,
		Float: usdt(rec.Float), FloatMicro: rec.Float, Locked: usdt(rec.Locked), LockedMicro: rec.Locked,
		Margin: usdt(rec.Margin), MarginMicro: rec.Margin, Reputation: rec.Reputation,
		Stats: views.AcceptorStats{Completed: s.Completed, Credited: s.Credited, Counterparties: s.Counterparties,
			Expired: s.Expired, DisputesWon: s.DisputesWon, DisputesLost: s.DisputesLost, OpenDisputes: s.OpenDisputes,
			ReleaseTimesMs: append([]uint64{}, s.ReleaseTimes...)},
		Limits: views.AcceptorLimits{Order: usdt(lim.Order), OrderMicro: lim.Order, Daily: usdt(lim.Daily), DailyMicro: lim.Daily,
			Volume24h: usdt(lim.Volume24h), Volume24hMicro: lim.Volume24h, MarginRequired: usdt(lim.Margin), MarginReqMicro: lim.Margin},
	}
	for _, m := range rec.Methods {
		v.Methods = append(v.Methods, views.PaymentMethod{Currency: m.Currency, Kind: m.Kind, DetailsHash: m.DetailsHash.Hex()})
	}
	return v
}

func (q *c2c) getAcceptor(p json.RawMessage) (any, error) {
	a, err := addrParam(p)
	if err != nil {
		return nil, err
	}
	st, now := q.view()
	rec, err := q.k.Acceptor.GetAcceptor(st, a)
	if errors.Is(err, acceptor.ErrNotRegistered) {
		return nil, NotFound(err)
	}
	if err != nil {
		return nil, err
	}
	return q.acceptorView(st, now, rec), nil
}

func (q *c2c) getAcceptors(p json.RawMessage) (any, error) {
	var afterS string
	var limit int
	if err := Params(p, 0, &afterS, &limit); err != nil {
		return nil, err
	}
	var after types.Address
	if afterS != "" {
		var err error
		if after, err = types.ParseAddress(afterS); err != nil {
			return nil, InvalidParams(err)
		}
	}
	limit, err := listLimit(limit)
	if err != nil {
		return nil, err
	}
	st, now := q.view()
	recs, err := q.k.Acceptor.Acceptors(st, after, limit)
	if err != nil {
		return nil, err
	}
	out := views.AcceptorList{Acceptors: make([]views.Acceptor, 0, len(recs))}
	for _, r := range recs {
		out.Acceptors = append(out.Acceptors, q.acceptorView(st, now, r))
	}
	if len(recs) == limit {
		out.Next = recs[len(recs)-1].Address.Hex()
	}
	return out, nil
}

// KYCView converts an attestation; err is KYCValid's verdict at now.
func KYCView(att kyc.Attestation, err error, limit uint64) views.KYC {
	v := views.KYC{Account: att.Account.Hex(), Status: "valid", Valid: err == nil, Level: att.Level, Country: att.Country,
		RecordHash: att.RecordHash.Hex(), Provider: att.Provider.Hex(), AttestedAtMs: att.AttestedAt, ExpiresAtMs: att.ExpiresAt,
		OrderLimit: usdt(limit), OrderLimitMicro: limit, Reason: att.Reason}
	switch {
	case errors.Is(err, kyc.ErrKYCProviderRevoked):
		v.Status = "provider_revoked"
	case errors.Is(err, kyc.ErrKYCRevoked):
		v.Status = "revoked"
	case errors.Is(err, kyc.ErrKYCExpired):
		v.Status = "expired"
	case err != nil:
		v.Status = "invalid"
	}
	if att.Revoked {
		v.RevokedBy, v.RevokedAtMs = att.RevokedBy.Hex(), att.RevokedAt
	}
	return v
}

func (q *c2c) getKYC(p json.RawMessage) (any, error) {
	a, err := addrParam(p)
	if err != nil {
		return nil, err
	}
	st, now := q.view()
	att, ok := q.k.KYC.KYC(st, a)
	if !ok {
		return nil, NotFound(fmt.Errorf("%s: %w", a.Hex(), kyc.ErrNoKYC))
	}
	_, verr := q.k.KYC.KYCValid(st, a, now)
	return KYCView(att, verr, q.k.KYC.LevelLimit(st, att.Level)), nil
}

func (q *c2c) getRoles(p json.RawMessage) (any, error) {
	a, err := addrParam(p)
	if err != nil {
		return nil, err
	}
	st, _ := q.view()
	out := views.Roles{Address: a.Hex(), Admin: q.k.Gov.IsAdmin(st, a), Roles: []string{}}
	for _, r := range q.k.Gov.RolesOf(st, a) {
		out.Roles = append(out.Roles, r.String())
	}
	return out, nil
}

func (q *c2c) getRoleMembers(p json.RawMessage) (any, error) {
	var name string
	if err := Params(p, 1, &name); err != nil {
		return nil, err
	}
	st, _ := q.view()
	var members []types.Address
	if name == "admin" {
		members = q.k.Gov.Admins(st)
	} else {
		r, err := gov.ParseRole(name)
		if err != nil {
			return nil, InvalidParams(err)
		}
		members = q.k.Gov.Members(st, r)
	}
	out := make([]string, 0, len(members))
	for _, m := range members {
		out = append(out, m.Hex())
	}
	return out, nil
}

// ProposalView converts an open proposal; threshold is the approvals it
// needs now.
func ProposalView(p *gov.Proposal, threshold uint64) views.Proposal {
	v := views.Proposal{ID: p.ID, Proposer: p.Proposer.Hex(), Memo: p.Memo, CreatedAtMs: p.CreatedAt,
		ExpiresAtMs: p.ExpiresAt, Threshold: threshold, Actions: make([]views.ProposalAction, 0, len(p.Actions)),
		Approvals: make([]string, 0, len(p.Approvals))}
	for _, a := range p.Approvals {
		v.Approvals = append(v.Approvals, a.Hex())
	}
	for i := range p.Actions {
		a := &p.Actions[i]
		av := views.ProposalAction{Kind: a.Kind()}
		switch {
		case a.GrantRole != nil:
			av.Address, av.Role = a.GrantRole.Addr.Hex(), a.GrantRole.Role.String()
		case a.RevokeRole != nil:
			av.Address, av.Role = a.RevokeRole.Addr.Hex(), a.RevokeRole.Role.String()
		case a.SetParam != nil:
			av.Module, av.Key, av.Value = a.SetParam.Module, a.SetParam.Key, gov.ParamValueString(a.SetParam.Value)
		case a.AddAdmin != nil:
			av.Address = a.AddAdmin.Addr.Hex()
		case a.RemoveAdmin != nil:
			av.Address = a.RemoveAdmin.Addr.Hex()
		case a.SetThreshold != nil:
			av.Threshold = a.SetThreshold.Threshold
		case a.SetValidators != nil:
			for _, val := range a.SetValidators.Validators {
				av.Validators = append(av.Validators, val.Hex())
			}
		}
		v.Actions = append(v.Actions, av)
	}
	return v
}

func (q *c2c) getProposal(p json.RawMessage) (any, error) {
	var id uint64
	if err := Params(p, 1, &id); err != nil {
		return nil, err
	}
	st, _ := q.view()
	prop, ok := q.k.Gov.Proposal(st, id)
	if !ok {
		return nil, NotFound(fmt.Errorf("proposal %d: %w", id, gov.ErrUnknownProposal))
	}
	return ProposalView(prop, q.k.Gov.Threshold(st)), nil
}

func (q *c2c) getProposals(p json.RawMessage) (any, error) {
	if err := Params(p, 0); err != nil {
		return nil, err
	}
	st, _ := q.view()
	k := q.k.Gov.Threshold(st)
	out := []views.Proposal{}
	for _, prop := range q.k.Gov.OpenProposals(st) {
		out = append(out, ProposalView(prop, k))
	}
	return out, nil
}

// AcceptorParams renders the acceptor module's parameters by key, as a
// SetParam proposal would set them.
func AcceptorParams(p acceptor.Params) map[string]string { return acceptor.ParamValuesOf(p) }

// OrderParams renders the order module's parameters by key.
func OrderParams(p order.Params) map[string]string { return order.ParamValuesOf(p) }

func (q *c2c) getParams(p json.RawMessage) (any, error) {
	var module string
	if err := Params(p, 1, &module); err != nil {
		return nil, err
	}
	st, _ := q.view()
	out := views.Params{Module: module}
	var names []string
	for _, m := range q.k.Modules {
		rep, ok := m.(core.ParamReporter)
		if !ok {
			continue
		}
		names = append(names, m.Name())
		if m.Name() == module {
			out.Params = rep.ParamValues(st)
		}
	}
	if out.Params == nil {
		return nil, InvalidParams(fmt.Errorf("unknown module %q (want one of %s)", module, strings.Join(names, ", ")))
	}
	if module == gov.ModuleName {
		for _, a := range q.k.Gov.Admins(st) {
			out.Admins = append(out.Admins, a.Hex())
		}
		out.Threshold = q.k.Gov.Threshold(st)
	}
	return out, nil
}
