package testnet

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/report"
	"github.com/accordnet/accord/types"
)

// chainEvent is one committed event with where it was committed, read
// straight from a store (not through the report package).
type chainEvent struct {
	height, time uint64
	tx           string
	index        int
	ev           types.Event
}

func chainEvents(t *testing.T, home node.Home) []chainEvent {
	t.Helper()
	cfg, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(cfg.DB, home.LedgerDir(), kv.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out []chainEvent
	for h := uint64(1); h <= l.Last().Height; h++ {
		b, err := l.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		idx := 0
		timers, err := l.BlockEvents(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range timers {
			out = append(out, chainEvent{h, b.Header.Time, "", idx, e})
			idx++
		}
		rs, err := l.Receipts(h)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range rs {
			if r.TxHash != b.Txs[i].Hash() {
				t.Fatalf("height %d: receipt %d is for %s, tx is %s", h, i, r.TxHash.Hex(), b.Txs[i].Hash().Hex())
			}
			for _, e := range r.Events {
				out = append(out, chainEvent{h, b.Header.Time, r.TxHash.Hex(), idx, e})
				idx++
			}
		}
	}
	return out
}

// checkReport holds a CSV report to the chain: its rows are exactly the
// chain's events that keep selects, in chain order, every attribute of
// each event in the column of its name and every other column empty.
func checkReport(t *testing.T, name, out string, evs []chainEvent, keep func(types.Event) bool) int {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: CSV: %v\n%s", name, err, out)
	}
	header, rows := recs[0], recs[1:]
	if !slices.Equal(header[:5], []string{"height", "time", "tx", "index", "event"}) {
		t.Fatalf("%s: header %q", name, header)
	}
	var want []chainEvent
	for _, e := range evs {
		if keep(e.ev) {
			want = append(want, e)
		}
	}
	if len(rows) != len(want) {
		t.Fatalf("%s: %d rows, the chain has %d such events", name, len(rows), len(want))
	}
	for i, e := range want {
		row := rows[i]
		base := []string{strconv.FormatUint(e.height, 10), time.UnixMilli(int64(e.time)).UTC().Format("2006-01-02T15:04:05.000Z"),
			e.tx, strconv.Itoa(e.index), e.ev.Type}
		if !slices.Equal(row[:5], base) {
			t.Fatalf("%s row %d: %q, want %q", name, i, row[:5], base)
		}
		for _, a := range e.ev.Attrs {
			col := slices.Index(header, a.Key)
			if col < 0 {
				t.Fatalf("%s: no column for %s's attribute %q", name, e.ev.Type, a.Key)
			}
			if row[col] != a.Value {
				t.Fatalf("%s row %d: %s = %q, the chain says %q", name, i, a.Key, row[col], a.Value)
			}
		}
		for col := 5; col < len(header); col++ {
			if _, has := attrOf(e.ev, header[col]); !has && row[col] != "" {
				t.Fatalf("%s row %d: %s = %q, but the event has no such attribute", name, i, header[col], row[col])
			}
		}
	}
	return len(rows)
}

func attrOf(e types.Event, key string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

// TestReportCSVMatchesTheChainsEvents drives a one-validator chain through
// transfers, KYC attestations and a revocation, an acceptor and orders
// (created, locked, one cancelled), stops the node, runs `accord report`
// on its home and checks each CSV row by row against the events read from
// the store.
func TestReportCSVMatchesTheChainsEvents(t *testing.T) {
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, Logger: testLogger(t), Params: businessParams})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	blk := driveBusiness(t, c)
	if err := c.Stop(0); err != nil {
		t.Fatal(err)
	}

	home := c.Layout.Home(0)
	evs := chainEvents(t, home)
	is := func(names ...string) func(types.Event) bool {
		return func(e types.Event) bool { return slices.Contains(names, e.Type) }
	}
	atLeast := func(micro uint64) func(types.Event) bool {
		return func(e types.Event) bool {
			amt, err := strconv.ParseUint(e.Get("amount"), 10, 64)
			return e.Type == bank.EventTransfer && err == nil && amt >= micro
		}
	}
	isOrder := func(e types.Event) bool { return strings.HasPrefix(e.Type, "order.") }
	// Dates, not times: the first and the last block's days (the same day
	// unless the test ran across midnight UTC).
	day := func(ms uint64) string { return time.UnixMilli(int64(ms)).UTC().Format(time.DateOnly) }
	today, lastDay := day(blk.Time), day(evs[len(evs)-1].time)
	for _, tc := range []struct {
		args []string
		keep func(types.Event) bool
		min  int // rows the chain must give, so an empty report cannot pass
	}{
		{[]string{"--kind", "large-tx"}, atLeast(0), 6},
		{[]string{"--kind", "large-tx", "--threshold", "10"}, atLeast(10 * types.MicroPerUSDT), 3},
		{[]string{"--kind", "kyc"}, is(kyc.EventAttested, kyc.EventRevoked), 4},
		{[]string{"--kind", "orders", "--from", today, "--to", lastDay}, isOrder, 9},
		{[]string{"--kind", "freezes"}, is("risk.frozen", "risk.unfrozen"), 0},
		{[]string{"--kind", "disputes"}, is("arbitration.opened", "arbitration.committee", "arbitration.escalated", "arbitration.resolved"), 0},
	} {
		name := strings.Join(tc.args, " ")
		out, errOut, err := cli(t, append([]string{"report", "--home", string(home)}, tc.args...)...)
		if err != nil {
			t.Fatalf("report %s: %v\n%s", name, err, errOut)
		}
		if n := checkReport(t, name, out, evs, tc.keep); n < tc.min {
			t.Fatalf("report %s: %d rows, the test made at least %d", name, n, tc.min)
		}
		t.Logf("report %s: %s", name, errOut)
	}

	// JSON carries the same rows as CSV.
	csvOut := mustCLI(t, "report", "--home", string(home), "--kind", "orders")
	jsonOut := mustCLI(t, "report", "--home", string(home), "--kind", "orders", "--format", "json")
	recs, _ := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	var objs []map[string]string
	if err := json.Unmarshal([]byte(jsonOut), &objs); err != nil {
		t.Fatalf("json report: %v\n%s", err, jsonOut)
	}
	if len(objs) != len(recs)-1 {
		t.Fatalf("json has %d rows, csv %d", len(objs), len(recs)-1)
	}
	for i, o := range objs {
		for j, col := range recs[0] {
			if o[col] != recs[i+1][j] {
				t.Fatalf("row %d %s: json %q, csv %q", i, col, o[col], recs[i+1][j])
			}
		}
	}
	// A day after the chain holds nothing; a bad range is refused.
	tomorrow := time.UnixMilli(int64(evs[len(evs)-1].time)).UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	if out := mustCLI(t, "report", "--home", string(home), "--kind", "orders", "--from", tomorrow); strings.Count(out, "\n") != 0 {
		t.Fatalf("report from %s: %q, want the header alone", tomorrow, out)
	}
	if _, errOut, err := cli(t, "report", "--home", string(home), "--kind", "orders", "--from", tomorrow, "--to", lastDay); err == nil || !strings.Contains(errOut, "not after") {
		t.Fatalf("reversed range: err %v, stderr %q", err, errOut)
	}
	// Each success is recorded for the node's metrics.
	if raw, _ := os.ReadFile(report.StatusFile(string(home))); !strings.Contains(string(raw), `"orders"`) || !strings.Contains(string(raw), `"kyc"`) {
		t.Fatalf("report status file: %s", raw)
	}
}

// businessParams let one validator run the C2C flow at once: one oracle
// post makes a rate, acceptors need no ramp-up.
var businessParams = map[string]map[string]string{
	oracle.ModuleName:   {oracle.ParamMinPosts: "1"},
	acceptor.ModuleName: {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0"},
}

// driveBusiness runs, through node0 with the dev key: six transfers (1 to
// 30,000 USDT), three KYC attestations, one attestation by a non-provider
// (failed in execution), a revocation, an oracle post, an acceptor's
// registration and deposits, three orders of which one is cancelled and
// one paid and confirmed. It returns the genesis block.
func driveBusiness(t *testing.T, c *Cluster) *views.Block {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e, dev := envOn(t, c, ctx)
	acc, merchant, other := e.actor("acceptor", nil), e.actor("merchant", nil), e.actor("other", nil)
	usdt := func(n uint64) uint64 { return n * types.MicroPerUSDT }
	var hs []types.Hash
	for _, tr := range []struct {
		to  *actor
		amt uint64
	}{{acc, usdt(30_000)}, {merchant, usdt(10)}, {other, usdt(5)}, {other, usdt(1)}, {merchant, usdt(10) - 1}, {other, usdt(250)}} {
		hs = append(hs, e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: tr.to.addr, Amount: tr.amt}))
	}
	e.ok(hs...)
	blk, err := c.Client(0).Block(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	expires := blk.Time + 365*24*3600*1000
	hs = nil
	for _, k := range []struct {
		a     *actor
		level uint8
	}{{merchant, 2}, {acc, 3}, {other, 1}} {
		hs = append(hs, e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: k.a.addr, Level: k.level, ExpiresAt: expires,
			Country: "SG", RecordHash: types.Keccak([]byte("record"), k.a.addr[:])}))
	}
	hs = append(hs, e.submit(dev, oracle.TypePostRates, &oracle.MsgPostRates{Rates: []oracle.RatePost{{Currency: "USD", Rate: 100_000_000}}}))
	e.ok(hs...)
	e.do(dev, kyc.TypeRevoke, &kyc.MsgRevoke{Account: other.addr, Reason: "test, with a comma"})
	e.ok(e.submit(acc, acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: []string{"USD"},
		Methods: []acceptor.PaymentMethod{{Currency: "USD", Kind: "bank_transfer", DetailsHash: types.Keccak([]byte("acc"))}}}),
		e.submit(acc, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: usdt(20_000)}),
		e.submit(acc, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: usdt(5_000)}))
	hs = nil
	for i := 0; i < 3; i++ {
		hs = append(hs, e.submit(merchant, order.TypeCreate, &order.MsgCreate{Currency: "USD", FiatAmount: 1000 + uint64(i), MerchantRef: fmt.Sprintf("r-%d", i)}))
	}
	e.ok(hs...)
	e.do(merchant, order.TypeCancel, &order.MsgCancel{ID: order.OrderID(merchant.addr, "r-1")})
	paid := order.OrderID(merchant.addr, "r-2")
	e.do(merchant, order.TypeMarkPaid, &order.MsgMarkPaid{ID: paid, PaymentRef: types.Keccak([]byte("wire"))})
	e.do(acc, order.TypeConfirm, &order.MsgConfirm{ID: paid})
	// Not a KYC provider: committed, failed in execution.
	if r := e.wait(e.submit(other, kyc.TypeAttest, &kyc.MsgAttest{Account: other.addr, Level: 3, ExpiresAt: expires, Country: "SG", RecordHash: types.Keccak([]byte("forged"))}))[0]; r.Status == "ok" {
		t.Fatalf("an attestation by a non-provider succeeded: %+v", r)
	}
	return blk
}
