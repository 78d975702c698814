package acceptor

// The module's API queries (core.Querier): accord_getAcceptor(addr) View
// and accord_getAcceptors([after], [limit]) ListView, read from the
// committed state at the last block's time.

import (
	"encoding/json"
	"errors"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var _ core.Querier = Module{}

// Query methods.
const (
	QueryAcceptor  = "accord_getAcceptor"
	QueryAcceptors = "accord_getAcceptors"
)

// PaymentMethodView is an acceptor's way to receive fiat (a hash of the
// account details; the details reach the merchant off-chain).
type PaymentMethodView struct {
	Currency    string `json:"currency"`
	Kind        string `json:"kind"`
	DetailsHash string `json:"details_hash"`
}

// StatsView are the counters reputation is computed from.
type StatsView struct {
	Completed      uint64   `json:"completed"`
	Credited       uint64   `json:"credited"`
	Counterparties uint64   `json:"counterparties"`
	Expired        uint64   `json:"expired"`
	DisputesWon    uint64   `json:"disputes_won"`
	DisputesLost   uint64   `json:"disputes_lost"`
	OpenDisputes   uint64   `json:"open_disputes"`
	ReleaseTimesMs []uint64 `json:"release_times_ms"`
}

// LimitsView are an acceptor's limits at the current block time.
type LimitsView struct {
	Order          string `json:"order"` // largest single order
	OrderMicro     uint64 `json:"order_micro"`
	Daily          string `json:"daily"` // trailing-24h assigned volume allowed
	DailyMicro     uint64 `json:"daily_micro"`
	Volume24h      string `json:"volume_24h"` // trailing-24h assigned volume so far
	Volume24hMicro uint64 `json:"volume_24h_micro"`
	MarginRequired string `json:"margin_required"` // margin the trailing-24h volume requires
	MarginReqMicro uint64 `json:"margin_required_micro"`
}

// View is an acceptor's record as the API reports it: funds, profile,
// reputation and limits. USDT amounts come as a decimal string and as
// micro-USDT (…_micro).
type View struct {
	Address          string              `json:"address"`
	Status           string              `json:"status"` // active or paused
	Identity         string              `json:"identity"`
	KYCValid         bool                `json:"kyc_valid"`
	RegisteredAtMs   uint64              `json:"registered_at_ms"`
	RegisteredHeight uint64              `json:"registered_height"`
	Currencies       []string            `json:"currencies"`
	Methods          []PaymentMethodView `json:"methods"`
	MinOrder         string              `json:"min_order"`
	MinOrderMicro    uint64              `json:"min_order_micro"`
	MaxOrder         string              `json:"max_order"` // "0": only the module's limits apply
	MaxOrderMicro    uint64              `json:"max_order_micro"`
	Float            string              `json:"float"` // free float
	FloatMicro       uint64              `json:"float_micro"`
	Locked           string              `json:"locked"` // float in open orders' escrow
	LockedMicro      uint64              `json:"locked_micro"`
	Margin           string              `json:"margin"`
	MarginMicro      uint64              `json:"margin_micro"`
	Reputation       uint64              `json:"reputation"` // 0–1000
	Stats            StatsView           `json:"stats"`
	Limits           LimitsView          `json:"limits"`
}

// ListView is a page of acceptors in address order; Next, when set, is
// the "after" of the next page.
type ListView struct {
	Acceptors []View `json:"acceptors"`
	Next      string `json:"next,omitempty"`
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{
		{Method: QueryAcceptor, Doc: "(addr) View: an acceptor's funds, limits, reputation and payment methods", Handle: m.queryAcceptor},
		{Method: QueryAcceptors, Doc: "([after], [limit]) ListView: acceptors in address order", Handle: m.queryAcceptors},
	}
}

// NewView is rec's view at block time now.
func (k Keeper) NewView(st state.Store, now uint64, rec *Acceptor) View {
	p := k.Params(st)
	lim := LimitsOf(p, rec, now)
	kycValid := false
	if k.kyc != nil {
		info, ok := k.kyc.KYC(st, rec.Address, now)
		kycValid = ok && uint64(info.Level) >= p.MinKYCLevel
	}
	usdt := types.FormatUSDT
	s := rec.Stats
	v := View{Address: rec.Address.Hex(), Status: rec.Status.String(), Identity: rec.Identity.Hex(),
		KYCValid: kycValid, RegisteredAtMs: rec.RegisteredAt,
		RegisteredHeight: rec.RegisteredHeight, Currencies: append([]string{}, rec.Currencies...),
		Methods:  make([]PaymentMethodView, 0, len(rec.Methods)),
		MinOrder: usdt(rec.MinOrder), MinOrderMicro: rec.MinOrder, MaxOrder: usdt(rec.MaxOrder), MaxOrderMicro: rec.MaxOrder,
		Float: usdt(rec.Float), FloatMicro: rec.Float, Locked: usdt(rec.Locked), LockedMicro: rec.Locked,
		Margin: usdt(rec.Margin), MarginMicro: rec.Margin, Reputation: rec.Reputation,
		Stats: StatsView{Completed: s.Completed, Credited: s.Credited, Counterparties: s.Counterparties,
			Expired: s.Expired, DisputesWon: s.DisputesWon, DisputesLost: s.DisputesLost, OpenDisputes: s.OpenDisputes,
			ReleaseTimesMs: append([]uint64{}, s.ReleaseTimes...)},
		Limits: LimitsView{Order: usdt(lim.Order), OrderMicro: lim.Order, Daily: usdt(lim.Daily), DailyMicro: lim.Daily,
			Volume24h: usdt(lim.Volume24h), Volume24hMicro: lim.Volume24h, MarginRequired: usdt(lim.Margin), MarginReqMicro: lim.Margin},
	}
	for _, m := range rec.Methods {
		v.Methods = append(v.Methods, PaymentMethodView{Currency: m.Currency, Kind: m.Kind, DetailsHash: m.DetailsHash.Hex()})
	}
	return v
}

func (m Module) queryAcceptor(q core.QueryState, p json.RawMessage) (any, error) {
	var s string
	if err := core.DecodeParams(QueryAcceptor, p, 1, &s); err != nil {
		return nil, err
	}
	a, err := types.ParseAddress(s)
	if err != nil {
		return nil, core.Invalid(err)
	}
	rec, err := m.GetAcceptor(q.Store, a)
	if errors.Is(err, ErrNotRegistered) {
		return nil, core.NotFound(err)
	}
	if err != nil {
		return nil, err
	}
	return m.NewView(q.Store, q.Time, rec), nil
}

func (m Module) queryAcceptors(q core.QueryState, p json.RawMessage) (any, error) {
	var afterS string
	var limit int
	if err := core.DecodeParams(QueryAcceptors, p, 0, &afterS, &limit); err != nil {
		return nil, err
	}
	var after types.Address
	if afterS != "" {
		var err error
		if after, err = types.ParseAddress(afterS); err != nil {
			return nil, core.Invalid(err)
		}
	}
	limit, err := core.ListLimit(limit)
	if err != nil {
		return nil, err
	}
	recs, err := m.Acceptors(q.Store, after, limit)
	if err != nil {
		return nil, err
	}
	out := ListView{Acceptors: make([]View, 0, len(recs))}
	for _, r := range recs {
		out.Acceptors = append(out.Acceptors, m.NewView(q.Store, q.Time, r))
	}
	if len(recs) == limit {
		out.Next = recs[len(recs)-1].Address.Hex()
	}
	return out, nil
}
