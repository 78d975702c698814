package order

// The module's API queries (core.Querier): accord_getOrder(id) View and
// accord_getOrders(filter) ListView, read from the committed state.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/types"
)

var _ core.Querier = Module{}

// Query methods.
const (
	QueryOrder  = "accord_getOrder"
	QueryOrders = "accord_getOrders"
)

// View is one order as the API reports it. USDT amounts come twice, as a
// decimal string ("12.5") and as integer micro-USDT (…_micro); times are
// block-time unix milliseconds (…_ms); hashes and addresses are 0x-hex.
type View struct {
	ID          string `json:"id"`
	Seq         uint64 `json:"seq"`
	State       string `json:"state"` // LOCKED, PAID, COMPLETED, REJECTED, EXPIRED, CANCELLED, DISPUTED, RESOLVED_RELEASE, RESOLVED_REFUND
	Merchant    string `json:"merchant"`
	Acceptor    string `json:"acceptor,omitempty"` // empty when REJECTED
	MerchantRef string `json:"merchant_ref"`
	Currency    string `json:"currency"`
	FiatAmount  string `json:"fiat_amount"`       // decimal in the currency ("123.45", JPY "1500")
	FiatMinor   uint64 `json:"fiat_amount_minor"` // in the currency's minor unit
	Amount      string `json:"amount"`            // USDT in escrow, converted at creation
	AmountMicro uint64 `json:"amount_micro"`
	// CommissionBps and FeeBps were fixed at creation.
	CommissionBps uint64 `json:"commission_bps"`
	FeeBps        uint64 `json:"fee_bps"`
	Method        string `json:"method,omitempty"` // hash of the acceptor's payment details to pay to
	CreatedAtMs   uint64 `json:"created_at_ms"`
	CreatedHeight uint64 `json:"created_height"`
	// DeadlineMs is the pending timer: the payment deadline while LOCKED,
	// the release deadline while PAID; 0 otherwise.
	DeadlineMs uint64 `json:"deadline_ms,omitempty"`
	Extended   bool   `json:"extended,omitempty"`
	PaidAtMs   uint64 `json:"paid_at_ms,omitempty"`
	PaymentRef string `json:"payment_ref,omitempty"`
	ClosedAtMs uint64 `json:"closed_at_ms,omitempty"`
}

// ListView is a page of a merchant's or an acceptor's orders in creation
// order. Next, when set, is the "after" of the next page.
type ListView struct {
	Orders []View `json:"orders"`
	Next   uint64 `json:"next,omitempty"`
}

// Filter is accord_getOrders' parameter: exactly one of Merchant or
// Acceptor; State (a state name) optional; orders with Seq above After;
// at most Limit (default 100, max 1000).
type Filter struct {
	Merchant string `json:"merchant,omitempty"`
	Acceptor string `json:"acceptor,omitempty"`
	State    string `json:"state,omitempty"`
	After    uint64 `json:"after,omitempty"`
	Limit    int    `json:"limit,omitempty"`
}

// NewView is o's API view.
func NewView(o *Order) View {
	dec := uint8(2)
	if c, err := oracle.LookupCurrency(o.Currency); err == nil {
		dec = c.Decimals
	}
	usdt := types.FormatUSDT
	v := View{ID: o.ID.Hex(), Seq: o.Seq, State: o.State.String(), Merchant: o.Merchant.Hex(),
		MerchantRef: o.MerchantRef, Currency: o.Currency, FiatAmount: oracle.FormatFiat(o.FiatAmount, dec), FiatMinor: o.FiatAmount,
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

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{
		{Method: QueryOrder, Doc: "(id) View: one order", Handle: m.queryOrder},
		{Method: QueryOrders, Doc: "(Filter) ListView: a merchant's or an acceptor's orders in creation order", Handle: m.queryOrders},
	}
}

func (m Module) queryOrder(q core.QueryState, p json.RawMessage) (any, error) {
	var s string
	if err := core.DecodeParams(QueryOrder, p, 1, &s); err != nil {
		return nil, err
	}
	id, err := types.ParseHash(s)
	if err != nil {
		return nil, core.Invalid(fmt.Errorf("order id: %w", err))
	}
	o, err := m.GetOrder(q.Store, id)
	if errors.Is(err, ErrNotFound) {
		return nil, core.NotFound(err)
	}
	if err != nil {
		return nil, err
	}
	return NewView(o), nil
}

func (m Module) queryOrders(q core.QueryState, p json.RawMessage) (any, error) {
	var f Filter
	if err := core.DecodeParams(QueryOrders, p, 1, &f); err != nil {
		return nil, err
	}
	var party Party
	var who string
	switch {
	case f.Merchant != "" && f.Acceptor == "":
		party, who = ByMerchant, f.Merchant
	case f.Acceptor != "" && f.Merchant == "":
		party, who = ByAcceptor, f.Acceptor
	default:
		return nil, core.Invalid(errors.New(`give exactly one of "merchant" or "acceptor"`))
	}
	a, err := types.ParseAddress(who)
	if err != nil {
		return nil, core.Invalid(err)
	}
	query := Query{After: f.After}
	if query.Limit, err = core.ListLimit(f.Limit); err != nil {
		return nil, err
	}
	if f.State != "" {
		if query.State, err = ParseState(strings.ToUpper(f.State)); err != nil {
			return nil, core.Invalid(err)
		}
	}
	os, err := m.OrdersBy(q.Store, party, a, query)
	if err != nil {
		return nil, err
	}
	out := ListView{Orders: make([]View, 0, len(os))}
	for _, o := range os {
		out.Orders = append(out.Orders, NewView(o))
	}
	if len(os) == query.Limit {
		out.Next = os[len(os)-1].Seq
	}
	return out, nil
}
