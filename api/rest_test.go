package api_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

// orderChain is a chain where the merchant created perBlock orders in each
// of blocks blocks (one second apart), every third of them then paid.
func orderChain(t *testing.T, blocks, perBlock int) (*chain, []types.Hash) {
	t.Helper()
	c := newChain(t)
	exp := uint64(genesisMs + 365*24*3600*1000)
	attest := func(i int, level uint8) *types.Tx {
		return c.sign(kycKey, kyc.TypeAttest, &kyc.MsgAttest{Account: c.addr(i), Level: level, ExpiresAt: exp,
			Country: "SG", RecordHash: types.Keccak([]byte{byte(i)})})
	}
	c.produce(1000,
		c.sign(oracleKey, oracle.TypePostRates, &oracle.MsgPostRates{Rates: []oracle.RatePost{{Currency: "USD", Rate: oracle.RateScale}}}),
		attest(merchantKey, 2), attest(acceptorA, 3), attest(acceptorB, 3))
	var setup []*types.Tx
	for i, k := range []int{acceptorA, acceptorB} {
		setup = append(setup,
			c.sign(k, acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: []string{"USD"}, Methods: []acceptor.PaymentMethod{method("USD", i)}}),
			c.sign(k, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: 5000 * types.MicroPerUSDT}),
			c.sign(k, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: 2000 * types.MicroPerUSDT}))
	}
	c.produce(1000, setup...)
	var ids []types.Hash
	m := c.addr(merchantKey)
	for b := 0; b < blocks; b++ {
		var txs []*types.Tx
		for i := 0; i < perBlock; i++ {
			ref := fmt.Sprintf("r%d-%d", b, i)
			txs = append(txs, c.sign(merchantKey, order.TypeCreate, &order.MsgCreate{Currency: "USD", FiatAmount: 1000, MerchantRef: ref}))
			ids = append(ids, order.OrderID(m, ref))
		}
		c.produce(1000, txs...)
	}
	var paid []*types.Tx
	for i := 0; i < len(ids); i += 3 {
		paid = append(paid, c.sign(merchantKey, order.TypeMarkPaid, &order.MsgMarkPaid{ID: ids[i], PaymentRef: types.Keccak(ids[i][:])}))
	}
	c.produce(1000, paid...)
	return c, ids
}

func getJSON(t *testing.T, u string, out any) int {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
	return resp.StatusCode
}

func TestRESTViews(t *testing.T) {
	c, ids := orderChain(t, 8, 3)
	srv := api.NewServer(backend{c.lc.Ledger}, slog.New(slog.DiscardHandler))
	srv.RegisterREST(c.app.Keepers.Order)
	srv.RegisterC2C(c.app.C2C())
	hs := httptest.NewServer(srv)
	defer hs.Close()
	m := c.addr(merchantKey)
	base := hs.URL + "/v1/merchants/" + m.Hex() + "/orders"

	// pages walks every page of a query and returns the orders.
	pages := func(t *testing.T, query url.Values) []views.Order {
		t.Helper()
		var all []views.Order
		for n := 0; ; n++ {
			var p views.OrderPage
			if code := getJSON(t, base+"?"+query.Encode(), &p); code != http.StatusOK {
				t.Fatalf("page %d: status %d", n, code)
			}
			all = append(all, p.Orders...)
			if p.NextCursor == "" {
				return all
			}
			if n > len(ids) {
				t.Fatal("pages do not end")
			}
			query.Set("cursor", p.NextCursor)
		}
	}
	var first, last views.Order
	getJSON(t, hs.URL+"/v1/orders/"+ids[3].Hex(), &first)
	getJSON(t, hs.URL+"/v1/orders/"+ids[11].Hex(), &last)

	cases := []struct {
		name  string
		query url.Values
		want  func(i int, o views.Order) bool // which of ids (by position) belong
	}{
		{"all, five a page", url.Values{"limit": {"5"}}, func(int, views.Order) bool { return true }},
		{"paid only, any case", url.Values{"state": {"paid"}, "limit": {"2"}}, func(i int, _ views.Order) bool { return i%3 == 0 }},
		{"time window in ms", url.Values{"from": {fmt.Sprint(first.CreatedAtMs)}, "to": {fmt.Sprint(last.CreatedAtMs + 1)}, "limit": {"4"}},
			func(i int, _ views.Order) bool { return i >= 3 && i < 12 }},
		{"from as RFC 3339", url.Values{"from": {time.UnixMilli(int64(last.CreatedAtMs)).UTC().Format(time.RFC3339)}},
			func(i int, _ views.Order) bool { return i >= 9 }},
		{"window and state", url.Values{"from": {fmt.Sprint(first.CreatedAtMs)}, "to": {fmt.Sprint(last.CreatedAtMs)}, "state": {"LOCKED"}, "limit": {"1"}},
			func(i int, _ views.Order) bool { return i >= 3 && i < 9 && i%3 != 0 }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := pages(t, tc.query)
			var want []string
			for i, id := range ids {
				if tc.want(i, views.Order{}) {
					want = append(want, id.Hex())
				}
			}
			var gotIDs []string
			for _, o := range got {
				gotIDs = append(gotIDs, o.ID)
			}
			if !slices.Equal(gotIDs, want) {
				t.Fatalf("got %d orders %v\nwant %d %v", len(gotIDs), gotIDs, len(want), want)
			}
		})
	}

	t.Run("order view is accord_getOrder's", func(t *testing.T) {
		var rest, rpc views.Order
		if code := getJSON(t, hs.URL+"/v1/orders/"+ids[0].Hex(), &rest); code != http.StatusOK {
			t.Fatalf("status %d", code)
		}
		r := postJSON(t, hs.URL, `{"jsonrpc":"2.0","id":1,"method":"accord_getOrder","params":["`+ids[0].Hex()+`"]}`)
		if err := json.Unmarshal(r.Result, &rpc); err != nil {
			t.Fatal(err)
		}
		if rest != rpc || rest.State != "PAID" {
			t.Fatalf("REST %+v\nRPC %+v", rest, rpc)
		}
	})
	t.Run("account view is accord_getAccount's", func(t *testing.T) {
		var rest, rpc views.Account
		getJSON(t, hs.URL+"/v1/accounts/"+m.Hex(), &rest)
		r := postJSON(t, hs.URL, `{"jsonrpc":"2.0","id":1,"method":"accord_getAccount","params":["`+m.Hex()+`"]}`)
		if err := json.Unmarshal(r.Result, &rpc); err != nil {
			t.Fatal(err)
		}
		if rest != rpc || rest.Nonce == 0 {
			t.Fatalf("REST %+v\nRPC %+v", rest, rpc)
		}
	})

	refusals := []struct {
		name, path string
		status     int
		text       string
	}{
		{"unknown order", "/v1/orders/" + types.Hash{1}.Hex(), http.StatusNotFound, "no such order"},
		{"malformed order id", "/v1/orders/0x12", http.StatusBadRequest, "order id"},
		{"malformed merchant", "/v1/merchants/0x12/orders", http.StatusBadRequest, "address"},
		{"unknown parameter", "/v1/merchants/" + m.Hex() + "/orders?sate=paid", http.StatusBadRequest, `"sate"`},
		{"unknown state", "/v1/merchants/" + m.Hex() + "/orders?state=gone", http.StatusBadRequest, "GONE"},
		{"limit too big", "/v1/merchants/" + m.Hex() + "/orders?limit=1001", http.StatusBadRequest, "limit"},
		{"empty window", "/v1/merchants/" + m.Hex() + "/orders?from=10&to=10", http.StatusBadRequest, "after from"},
		{"bad cursor", "/v1/merchants/" + m.Hex() + "/orders?cursor=x", http.StatusBadRequest, "cursor"},
		{"malformed account", "/v1/accounts/zz", http.StatusBadRequest, "address"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			var e struct{ Error *wire.Error }
			code := getJSON(t, hs.URL+tc.path, &e)
			if code != tc.status || e.Error == nil || !strings.Contains(e.Error.Message, tc.text) {
				t.Fatalf("status %d error %+v, want %d mentioning %q", code, e.Error, tc.status, tc.text)
			}
		})
	}
	t.Run("another merchant has no orders", func(t *testing.T) {
		var p views.OrderPage
		getJSON(t, hs.URL+"/v1/merchants/"+c.addr(outsider).Hex()+"/orders?from=1", &p)
		if len(p.Orders) != 0 || p.NextCursor != "" {
			t.Fatalf("%+v", p)
		}
	})
}
