package testnet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

// findBrowser returns a Chromium to drive: $ACCORD_CHROME, else the first
// of Debian's and Google's names on PATH. Without one the test skips on a
// workstation and fails in CI, where .ci/run installs Debian's chromium.
func findBrowser(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("ACCORD_CHROME"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (looked for $ACCORD_CHROME, chromium, chromium-browser, google-chrome, headless-shell on PATH): " +
		"install Debian's chromium (apt-get install chromium; .ci/run does) to run the console's browser test"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// c2cOrder sets up a KYC'd merchant and a registered acceptor with the dev
// key (kyc provider and oracle) and creates one LOCKED order; it returns
// the order and the two actors.
func newLockedOrder(t *testing.T, e *c2cEnv, dev *actor, ref string) (types.Hash, *actor, *actor) {
	t.Helper()
	m, a := e.actor("merchant", nil), e.actor("acceptor", nil)
	if err := e.c.WaitHeight(e.ctx, 0, 1); err != nil {
		t.Fatal(err)
	}
	blk, err := e.c.Client(0).Block(e.ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	exp := blk.Time + 365*24*3600*1000
	e.ok(e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: m.addr, Amount: 50 * types.MicroPerUSDT}),
		e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: a.addr, Amount: 2_000 * types.MicroPerUSDT}),
		e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: m.addr, Level: 2, ExpiresAt: exp, Country: "SG", RecordHash: types.Keccak([]byte("m"))}),
		e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: a.addr, Level: 3, ExpiresAt: exp, Country: "SG", RecordHash: types.Keccak([]byte("a"))}),
		e.submit(dev, oracle.TypePostRates, &oracle.MsgPostRates{Rates: []oracle.RatePost{{Currency: "USD", Rate: 100_000_000}}}))
	e.ok(e.submit(a, acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: []string{"USD"},
		Methods: []acceptor.PaymentMethod{{Currency: "USD", Kind: "bank_transfer", DetailsHash: types.Keccak([]byte("acct"))}}}),
		e.submit(a, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: 1_000 * types.MicroPerUSDT}),
		e.submit(a, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: 300 * types.MicroPerUSDT}))
	rc := e.do(m, order.TypeCreate, &order.MsgCreate{Currency: "USD", FiatAmount: 1250, MerchantRef: ref})
	id := order.OrderID(m.addr, ref)
	if attr(rc, order.EventLocked, "id") != id.Hex() {
		t.Fatalf("order not locked: %+v", rc.Events)
	}
	return id, m, a
}

// TestConsoleInABrowser drives /console in headless Chromium against a
// live node: the latest blocks fill in and a new one appears live over
// the WebSocket; an order created by the test opens with its timeline
// (created, locked), and the states it goes through while the page is
// open (paid, completed) appear on it live; the acceptor's view shows its
// reputation, margin and limits; a risk rule's freezes appear live among
// the frozen accounts and risk events, and a dispute among the open ones;
// a transaction's page shows where it was committed and its events.
func TestConsoleInABrowser(t *testing.T) {
	browser := findBrowser(t)
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, Logger: testLogger(t),
		Params: map[string]map[string]string{acceptor.ModuleName: {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0"},
			// A third order of one merchant–acceptor pair in a day freezes both.
			risk.ModuleName: {risk.ParamPairMax: "2", risk.ParamPairFreeze: "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e, dev := envOn(t, c, ctx)
	id, m, a := newLockedOrder(t, e, dev, "console-1")

	actx, cancelA := chromedp.NewExecAllocator(ctx, append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(browser), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.Headless)...)
	defer cancelA()
	bctx, cancelB := chromedp.NewContext(actx)
	defer cancelB()
	base := "http://" + c.RPCAddr(0) + "/console"
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("read %s: %v", sel, err)
		}
		return strings.TrimSpace(v)
	}
	wait := func(what string, sels ...string) {
		t.Helper()
		for _, sel := range sels {
			if err := chromedp.Do(bctx, chromedp.WaitVisible(chromedp.CSS(sel))); err != nil {
				t.Fatalf("%s: %s never appeared: %v", what, sel, err)
			}
		}
	}

	// The page loads, lists the latest blocks and follows the chain live.
	if err := chromedp.Do(bctx, chromedp.Navigate(base)); err != nil {
		t.Fatal(err)
	}
	wait("latest blocks", `#blocks tbody tr`)
	top, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(`#blocks tbody tr`), "data-height"))
	if err != nil {
		t.Fatal(err)
	}
	h, err := strconv.ParseUint(top.Value, 10, 64)
	if err != nil {
		t.Fatalf("top row height %q", top.Value)
	}
	wait("a new block", fmt.Sprintf(`#blocks tbody tr[data-height="%d"]`, h+1))
	if live := text(`#live`); live != "websocket" {
		t.Fatalf("the page follows the chain by %q, want websocket", live)
	}

	// The order's page: its timeline from the chain's events.
	show(bctx, t, "#order/"+id.Hex())
	wait("order timeline", `#order-timeline li[data-type="order.created"]`, `#order-timeline li[data-type="order.locked"]`)
	if state := text(`#order-state`); state != "LOCKED" {
		t.Fatalf("order state on the page %q, want LOCKED", state)
	}
	// Paid and confirmed while the page is open: both appear live.
	paid := e.do(m, order.TypeMarkPaid, &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak([]byte("bank ref"))})
	e.do(a, order.TypeConfirm, &order.MsgConfirm{ID: id})
	wait("live order timeline", `#order-timeline li[data-type="order.completed"]`)
	items, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#order-timeline li')].map(li => li.dataset.type)`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{order.EventCreated, order.EventLocked, order.EventPaid, order.EventCompleted}
	if state := text(`#order-state`); state != "COMPLETED" || strings.Join(items, ",") != strings.Join(want, ",") {
		t.Fatalf("order page: state %q, timeline %v, want COMPLETED and %v", state, items, want)
	}

	// The acceptor's page: reputation, margin and limits.
	show(bctx, t, "#acceptor/"+a.addr.Hex())
	wait("acceptor view", `#reputation`)
	rep, margin, limit := text(`#reputation`), text(`#margin`), text(`#order-limit`)
	av, err := c.Client(0).Acceptor(ctx, a.addr)
	if err != nil {
		t.Fatal(err)
	}
	if rep != fmt.Sprintf("%d / 1000", av.Reputation) || !strings.HasPrefix(margin, av.Margin+" USDT") || limit != av.Limits.Order+" USDT" {
		t.Fatalf("acceptor page: reputation %q margin %q limit %q; node says %d, %s, %s", rep, margin, limit, av.Reputation, av.Margin, av.Limits.Order)
	}

	// The mark-paid transaction's page: signer, block, events.
	show(bctx, t, "#tx/"+paid.TxHash)
	wait("transaction view", `#tx-timeline li[data-step="committed"]`, `#tx-timeline li[data-type="order.paid"]`)

	// A second order, paid and disputed: the dispute appears live among
	// the open ones.
	rc := e.do(m, order.TypeCreate, &order.MsgCreate{Currency: "USD", FiatAmount: 990, MerchantRef: "console-2"})
	id2 := order.OrderID(m.addr, "console-2")
	if attr(rc, order.EventLocked, "id") != id2.Hex() {
		t.Fatalf("second order not locked: %+v", rc.Events)
	}
	e.do(m, order.TypeMarkPaid, &order.MsgMarkPaid{ID: id2, PaymentRef: types.Keccak([]byte("bank ref 2"))})
	rc = e.do(m, order.TypeDispute, &order.MsgDispute{ID: id2, Evidence: types.Keccak([]byte("statement"))})
	dispute := attr(rc, "arbitration.opened", "id")
	if dispute == "" {
		t.Fatalf("no dispute opened: %+v", rc.Events)
	}
	wait("open disputes", fmt.Sprintf(`#disputes tbody tr[data-id="%s"]`, dispute))
	subject, err := chromedp.Run(bctx, chromedp.AttributeValue(chromedp.CSS(fmt.Sprintf(`#disputes tbody tr[data-id="%s"] td:nth-child(3) a`, dispute)), "title"))
	if err != nil || subject.Value != id2.Hex() {
		t.Fatalf("dispute row's subject %q (%v), want order %s", subject.Value, err, id2.Hex())
	}

	// A third order of the pair trips the risk rule: the freezes and the
	// risk events appear live on the page loaded before them.
	rc = e.do(m, order.TypeCreate, &order.MsgCreate{Currency: "USD", FiatAmount: 980, MerchantRef: "console-3"})
	if attr(rc, risk.EventFrozen, "account") == "" {
		t.Fatalf("no freeze: %+v", rc.Events)
	}
	wait("frozen accounts", fmt.Sprintf(`#frozen li[data-account="%s"]`, m.addr.Hex()), fmt.Sprintf(`#frozen li[data-account="%s"]`, a.addr.Hex()))
	kinds, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#risk tbody tr td:nth-child(2)')].map(td => td.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(kinds, risk.EventHit) || !slices.Contains(kinds, risk.EventFrozen) {
		t.Fatalf("risk events on the page: %v", kinds)
	}
	show(bctx, t, "#account/"+m.addr.Hex())
	wait("account view", `#risk-status`)
	if rs := text(`#risk-status`); rs != "FROZEN" {
		t.Fatalf("merchant's risk status on the page %q, want FROZEN", rs)
	}
}

// show opens a detail view the way a click on a link does: the page's
// hash changes, the document stays (and its WebSocket with it).
func show(bctx context.Context, t *testing.T, hash string) {
	t.Helper()
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[string](`location.hash = "`+hash+`"`)); err != nil {
		t.Fatal(err)
	}
}
