package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// Route is one REST view: its pattern, what it answers and its query
// parameters (the OpenAPI document is built from this table).
type Route struct {
	Method, Path string
	Summary      string
	// PathParams and Query name the parameters, each with a description.
	PathParams [][2]string
	Query      [][2]string
	// Result is a value of the answer's type, for the schema.
	Result any
}

// Routes are the REST views RegisterREST serves.
var Routes = []Route{
	{Method: "GET", Path: "/v1/orders/{id}", Summary: "One order, as accord_getOrder returns it.",
		PathParams: [][2]string{{"id", "order ID (0x-hex, 32 bytes)"}}, Result: views.Order{}},
	{Method: "GET", Path: "/v1/merchants/{addr}/orders", Summary: "A merchant's orders in creation order, a page at a time.",
		PathParams: [][2]string{{"addr", "merchant address (0x-hex)"}},
		Query: [][2]string{
			{"state", "only orders now in this state (LOCKED, PAID, COMPLETED, …; any case)"},
			{"from", "only orders created at or after this block time (unix ms or RFC 3339)"},
			{"to", "only orders created before this block time (unix ms or RFC 3339)"},
			{"cursor", "next_cursor of the previous page"},
			{"limit", "orders per page, 1 to 1000 (default 100)"},
		}, Result: views.OrderPage{}},
	{Method: "GET", Path: "/v1/accounts/{addr}", Summary: "An account's balance and nonces, as accord_getAccount returns it.",
		PathParams: [][2]string{{"addr", "account address (0x-hex)"}}, Result: views.Account{}},
}

// scanPerPage bounds the index entries one page of a merchant's orders
// examines: with a filter that matches little, a page comes back short (or
// empty) with a cursor, rather than walking the merchant's whole history.
const scanPerPage = 5000

// RegisterREST mounts the REST views (Routes) over the committed state; k
// reads orders.
func (s *Server) RegisterREST(k order.Keeper) {
	r := &rest{s: s, k: k}
	s.mux.HandleFunc("GET /v1/orders/{id}", r.order)
	s.mux.HandleFunc("GET /v1/merchants/{addr}/orders", r.merchantOrders)
	s.mux.HandleFunc("GET /v1/accounts/{addr}", r.account)
}

type rest struct {
	s *Server
	k order.Keeper
}

// restError is a REST view's error body.
type restError struct {
	Error *wire.Error `json:"error"`
}

func (r *rest) reply(w http.ResponseWriter, v any, err error) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if err != nil {
		var e *wire.Error
		if !errors.As(err, &e) {
			r.s.log.Warn("rest internal error", "err", err)
			e = errorf(wire.CodeInternal, err.Error())
		}
		status := http.StatusInternalServerError
		switch e.Code {
		case wire.CodeInvalidParams:
			status = http.StatusBadRequest
		case wire.CodeNotFound:
			status = http.StatusNotFound
		}
		w.WriteHeader(status)
		writeJSON(w, restError{Error: e})
		return
	}
	writeJSON(w, v)
}

func (r *rest) order(w http.ResponseWriter, req *http.Request) {
	id, err := types.ParseHash(req.PathValue("id"))
	if err != nil {
		r.reply(w, nil, InvalidParams(fmt.Errorf("order id: %w", err)))
		return
	}
	o, err := r.k.GetOrder(r.s.b.Ledger().ReadState(), id)
	if errors.Is(err, order.ErrNotFound) {
		r.reply(w, nil, NotFound(err))
		return
	}
	if err != nil {
		r.reply(w, nil, err)
		return
	}
	r.reply(w, OrderView(o), nil)
}

func (r *rest) account(w http.ResponseWriter, req *http.Request) {
	p, _ := json.Marshal([]string{req.PathValue("addr")})
	v, err := r.s.getAccount(p)
	r.reply(w, v, err)
}

// parseBlockTime reads a time bound: unix milliseconds or RFC 3339.
func parseBlockTime(s string) (uint64, error) {
	if ms, err := strconv.ParseUint(s, 10, 64); err == nil {
		return ms, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || t.UnixMilli() < 0 {
		return 0, fmt.Errorf("%q is neither unix milliseconds nor an RFC 3339 time", s)
	}
	return uint64(t.UnixMilli()), nil
}

// merchantQuery is a parsed page request.
type merchantQuery struct {
	state    order.State
	from, to uint64 // to 0: no upper bound
	hasFrom  bool
	after    uint64
	limit    int
}

func parseMerchantQuery(req *http.Request) (merchantQuery, error) {
	q := merchantQuery{limit: DefaultListLimit}
	vals := req.URL.Query()
	for k := range vals {
		if !slices.Contains([]string{"state", "from", "to", "cursor", "limit"}, k) {
			return q, fmt.Errorf("unknown parameter %q (want state, from, to, cursor, limit)", k)
		}
		if len(vals[k]) > 1 {
			return q, fmt.Errorf("parameter %q given twice", k)
		}
	}
	var err error
	if v := vals.Get("state"); v != "" {
		if q.state, err = order.ParseState(strings.ToUpper(v)); err != nil {
			return q, err
		}
	}
	if v := vals.Get("from"); v != "" {
		if q.from, err = parseBlockTime(v); err != nil {
			return q, fmt.Errorf("from: %w", err)
		}
		q.hasFrom = true
	}
	if v := vals.Get("to"); v != "" {
		if q.to, err = parseBlockTime(v); err != nil {
			return q, fmt.Errorf("to: %w", err)
		}
		if q.to <= q.from {
			return q, fmt.Errorf("to (%d) must be after from (%d)", q.to, q.from)
		}
	}
	if v := vals.Get("cursor"); v != "" {
		if q.after, err = strconv.ParseUint(v, 10, 64); err != nil {
			return q, fmt.Errorf("cursor %q: not one this API returned", v)
		}
	}
	if v := vals.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxListLimit {
			return q, fmt.Errorf("limit %q: want 1 to %d", v, MaxListLimit)
		}
		q.limit = n
	}
	return q, nil
}

// merchantOrders pages through a merchant's orders by the order module's
// merchant index (creation sequence). Block time never decreases along the
// sequence, so "from" is found by a binary search over it and "to" ends
// the walk.
func (r *rest) merchantOrders(w http.ResponseWriter, req *http.Request) {
	a, err := types.ParseAddress(req.PathValue("addr"))
	if err != nil {
		r.reply(w, nil, InvalidParams(err))
		return
	}
	q, err := parseMerchantQuery(req)
	if err != nil {
		r.reply(w, nil, InvalidParams(err))
		return
	}
	st := r.s.b.Ledger().ReadState()
	first := func(after uint64) (*order.Order, error) {
		os, err := r.k.OrdersBy(st, order.ByMerchant, a, order.Query{After: after, Limit: 1})
		if err != nil || len(os) == 0 {
			return nil, err
		}
		return os[0], nil
	}
	after := q.after
	if q.hasFrom && after == 0 {
		// The smallest after whose next order is created at or after from
		// (or that has no next order).
		lo, hi := uint64(0), r.k.Count(st)
		for lo < hi {
			mid := lo + (hi-lo)/2
			o, err := first(mid)
			if err != nil {
				r.reply(w, nil, err)
				return
			}
			if o == nil || o.CreatedAt >= q.from {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		after = lo
	}
	page := views.OrderPage{Orders: []views.Order{}}
	scanned, done := 0, false
	for !done && len(page.Orders) < q.limit && scanned < scanPerPage {
		want := min(100, scanPerPage-scanned)
		os, err := r.k.OrdersBy(st, order.ByMerchant, a, order.Query{After: after, Limit: want})
		if err != nil {
			r.reply(w, nil, err)
			return
		}
		done = len(os) < want
		for i, o := range os {
			if q.to != 0 && o.CreatedAt >= q.to {
				done = true
				break
			}
			scanned++
			after = o.Seq
			if (!q.hasFrom || o.CreatedAt >= q.from) && (q.state == 0 || o.State == q.state) {
				page.Orders = append(page.Orders, OrderView(o))
				if len(page.Orders) == q.limit {
					done = done && i == len(os)-1 // the rest of this batch is still to come
					break
				}
			}
		}
	}
	if !done {
		page.NextCursor = strconv.FormatUint(after, 10)
	}
	r.reply(w, page, nil)
}
