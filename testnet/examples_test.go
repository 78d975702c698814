package testnet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/api/webhook"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// buildExample builds examples/<name> into dir.
func buildExample(t *testing.T, dir, name string) string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	out := filepath.Join(dir, name)
	cmd := exec.Command("go", "build", "-o", out, "./examples/"+name)
	cmd.Dir = filepath.Dir(filepath.Dir(file))
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build examples/%s: %v\n%s", name, err, b)
	}
	return out
}

type merchantOrder struct {
	ID       string   `json:"id"`
	Ref      string   `json:"ref"`
	State    string   `json:"state"`
	Events   []string `json:"events"`
	EventIDs []string `json:"event_ids"`
}

// merchantView is the merchant example's GET /orders.
type merchantView struct {
	Merchant   string          `json:"merchant"`
	Orders     []merchantOrder `json:"orders"`
	Received   int             `json:"received"`
	Duplicates int             `json:"duplicates"`
	Rejected   int             `json:"rejected"`
}

// hookGate stands between the merchant's node and the merchant's
// /webhook: while open it forwards each delivery as it came (headers and
// body, so the signature holds) and answers with the merchant's status;
// while shut it answers 503, as a merchant that is down or failing would,
// and notes the event it refused. It listens for the whole test, so the
// URL registered on the node never changes.
type hookGate struct {
	srv    *httptest.Server
	mu     sync.Mutex
	target string // the merchant's base URL; "" refuses too
	open   bool
	// refused and forwarded count deliveries by event ID (forwarded: 2xx
	// from the merchant); types holds each ID's event type.
	refused, forwarded map[string]int
	types              map[string]string
	changed            chan struct{} // closed and renewed on every delivery
}

func newHookGate(t *testing.T) *hookGate {
	g := &hookGate{refused: map[string]int{}, forwarded: map[string]int{}, types: map[string]string{}, changed: make(chan struct{})}
	g.srv = httptest.NewServer(http.HandlerFunc(g.serve))
	t.Cleanup(g.srv.Close)
	return g
}

func (g *hookGate) url() string { return g.srv.URL + "/webhook" }

func (g *hookGate) set(target string, open bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.target, g.open = target, open
}

func (g *hookGate) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	id, typ := r.Header.Get(client.WebhookEventIDHeader), r.Header.Get(client.WebhookEventTypeHeader)
	g.mu.Lock()
	target, open := g.target, g.open
	g.mu.Unlock()
	code := http.StatusServiceUnavailable
	if open && target != "" {
		req, err := http.NewRequestWithContext(r.Context(), http.MethodPost, target+"/webhook", bytes.NewReader(body))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		req.Header = r.Header.Clone()
		if resp, err := http.DefaultClient.Do(req); err != nil {
			code = http.StatusBadGateway
		} else {
			resp.Body.Close()
			code = resp.StatusCode
		}
	}
	g.mu.Lock()
	g.types[id] = typ
	if code/100 == 2 {
		g.forwarded[id]++
	} else if !open {
		g.refused[id]++
	}
	close(g.changed)
	g.changed = make(chan struct{})
	g.mu.Unlock()
	w.WriteHeader(code)
}

// waitRefused waits until the gate has refused n distinct events of type typ
// and returns their IDs.
func (g *hookGate) waitRefused(ctx context.Context, typ string, n int) ([]string, error) {
	for {
		g.mu.Lock()
		var ids []string
		for id := range g.refused {
			if g.types[id] == typ {
				ids = append(ids, id)
			}
		}
		ch := g.changed
		g.mu.Unlock()
		if len(ids) >= n {
			slices.Sort(ids)
			return ids, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ids, fmt.Errorf("%d %s deliveries refused, waiting for %d: %w", len(ids), typ, n, ctx.Err())
		}
	}
}

func (g *hookGate) forwardedIDs() map[string]int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return maps.Clone(g.forwarded)
}

// TestMerchantAndAcceptorExamples runs examples/merchant and
// examples/acceptor as processes against a live 4-validator chain whose
// node1, the merchant's own node, is an accord process. The merchant
// registers its webhook on node1 and creates orders through the SDK; on
// each order.locked webhook its customer pays (the stub bank feed) and it
// marks the order paid; the acceptor bot sees the payment and confirms.
//
// The crash: while the merchant's endpoint fails (503, through a gate in
// front of it), the acceptor confirms the first orders; node1 commits the
// order.completed events, tries them, and has them waiting in its retry
// queue when it is killed with SIGKILL, so no shutdown path runs. While
// it is dead, new orders are created through node0. Then the endpoint
// recovers and node1 restarts from its store: the pending deliveries go
// out, the blocks it missed are synced and their events delivered, and
// every state change of every order reaches the merchant as the chain
// recorded it (created, locked, paid, completed), signed. Delivery is
// at least once (api/webhook's promise): the merchant records each event
// ID once, and acknowledges a redelivery without acting on it again.
func TestMerchantAndAcceptorExamples(t *testing.T) {
	bin := t.TempDir()
	merchantBin, acceptorBin := buildExample(t, bin, "merchant"), buildExample(t, bin, "acceptor")
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, Logger: testLogger(t),
		Params: map[string]map[string]string{acceptor.ModuleName: {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0"}},
		Config: func(i int, cfg *node.Config) { cfg.WebhookRetryMs = []int{300, 1000} }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	n1 := detachNode(t, c, 1)
	e, dev := envOn(t, c, ctx)

	// The merchant's and the acceptor's keys, in a keystore the programs read.
	work := t.TempDir()
	keys, pw := filepath.Join(work, "keys"), filepath.Join(work, "pw")
	os.WriteFile(pw, []byte("pw\n"), 0o600)
	kr := client.Keyring{Dir: keys, LightKDF: true}
	mAddr, err := kr.New("merchant", "pw")
	if err != nil {
		t.Fatal(err)
	}
	aAddr, err := kr.New("acceptor", "pw")
	if err != nil {
		t.Fatal(err)
	}
	// The dev key (kyc provider and oracle) funds, attests, posts a rate.
	// Its KYC expiry counts from the latest block's time, and genesis is no
	// block: wait for the first one.
	if err := c.WaitHeight(ctx, 0, 1); err != nil {
		t.Fatal(err)
	}
	blk, err := c.Client(0).Block(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	e.ok(e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: mAddr, Amount: 50 * types.MicroPerUSDT}),
		e.submit(dev, bank.TypeTransfer, &bank.MsgTransfer{To: aAddr, Amount: 2_000 * types.MicroPerUSDT}),
		e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: mAddr, Level: 2, ExpiresAt: blk.Time + 365*24*3600*1000, Country: "SG",
			RecordHash: types.Keccak([]byte("merchant record"))}),
		e.submit(dev, kyc.TypeAttest, &kyc.MsgAttest{Account: aAddr, Level: 3, ExpiresAt: blk.Time + 365*24*3600*1000, Country: "SG",
			RecordHash: types.Keccak([]byte("acceptor record"))}),
		e.submit(dev, oracle.TypePostRates, &oracle.MsgPostRates{Rates: []oracle.RatePost{{Currency: "USD", Rate: 100_000_000}}}))

	feed := filepath.Join(work, "bank-feed.jsonl")
	acceptorArgs := []string{"--keys", keys, "--key", "acceptor", "--password-file", pw, "--bank-feed", feed,
		"--node", "http://" + c.RPCAddr(2), "--node", "http://" + c.RPCAddr(3), "--register", "USD", "--float", "1500", "--margin", "400", "--poll", "200ms"}
	// The acceptor registers now, and confirms only once started again
	// below, while the merchant's endpoint fails.
	reg, err := StartProcess(acceptorBin, acceptorArgs...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.WaitLog(regexp.MustCompile(`msg="acceptor watching"`), time.Minute); err != nil {
		reg.Kill()
		t.Fatal(err)
	}
	if err := reg.Signal(syscall.SIGINT, 10*time.Second); err != nil {
		t.Fatalf("acceptor did not stop cleanly: %v\n%s", err, reg.Log())
	}

	gate := newHookGate(t)
	merchant, err := StartProcess(merchantBin, "--keys", keys, "--key", "merchant", "--password-file", pw,
		"--node-home", string(n1.home), "--node", n1.url, "--node", "http://"+c.RPCAddr(0),
		"--listen", "127.0.0.1:0", "--url", gate.url(), "--state", filepath.Join(work, "merchant"), "--bank-feed", feed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(merchant.Kill)
	line, err := merchant.WaitLog(regexp.MustCompile(`msg="merchant serving" addr=(\S+)`), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	mURL := "http://" + regexp.MustCompile(`addr=(\S+)`).FindStringSubmatch(line)[1]
	gate.set(mURL, true)
	createOrder := func(ref string, minor uint64) {
		t.Helper()
		body, _ := json.Marshal(map[string]any{"ref": ref, "currency": "USD", "fiat_minor": minor})
		resp, err := http.Post(mURL+"/orders", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			t.Fatalf("create %s: %s %s\nmerchant log:\n%s", ref, resp.Status, b.String(), merchant.Log())
		}
	}
	view := func() merchantView {
		t.Helper()
		resp, err := http.Get(mURL + "/orders")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v merchantView
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	// waitStates polls the merchant's own view (a program's HTTP API:
	// nothing to subscribe to) until every order in refs is in state.
	waitStates := func(state string, refs ...string) {
		t.Helper()
		for {
			v := view()
			n := 0
			for _, o := range v.Orders {
				if slices.Contains(refs, o.Ref) && o.State == state {
					n++
				}
			}
			if n == len(refs) {
				return
			}
			select {
			case <-ctx.Done():
				t.Fatalf("orders %v not all %s: %+v\nmerchant log:\n%s\nnode1 log:\n%s", refs, state, v, merchant.Log(), n1.log(40))
			case <-time.After(100 * time.Millisecond):
			}
		}
	}

	// Batch A: created, locked, paid while every node runs and the
	// merchant answers.
	batchA := []string{"a-1", "a-2", "a-3"}
	for i, ref := range batchA {
		createOrder(ref, 1000+uint64(i)*111)
	}
	waitStates("PAID", batchA...)

	// The merchant's endpoint fails; the acceptor confirms batch A. Node1
	// commits the completions and tries each at least once: they wait in
	// its retry queue (300 ms, then every 1 s) when it is killed.
	shutAt := c.Height(0)
	gate.set(mURL, false)
	bot, err := StartProcess(acceptorBin, acceptorArgs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bot.Kill)
	for range batchA {
		if _, err := bot.WaitLog(regexp.MustCompile(`msg="order confirmed"`), 2*time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	pending, err := gate.waitRefused(ctx, order.EventCompleted, len(batchA))
	if err != nil {
		t.Fatalf("node1 did not try the completions: %v\nnode1 log:\n%s", err, n1.log(40))
	}
	n1.kill()

	// While node1 is dead, batch B is created through node0: its events
	// reach node1 only by block sync after the restart.
	batchB := []string{"b-1", "b-2"}
	for i, ref := range batchB {
		createOrder(ref, 2000+uint64(i)*7)
	}
	if v := view(); slices.ContainsFunc(v.Orders, func(o merchantOrder) bool {
		return o.State == "COMPLETED" || (strings.HasPrefix(o.Ref, "b-") && o.State != "")
	}) {
		t.Fatalf("merchant heard of events while its endpoint failed and its node was dead: %+v", v)
	}

	// The endpoint recovers and node1 restarts from what it had on disk.
	gate.set(mURL, true)
	n1.start()
	all := append(slices.Clone(batchA), batchB...)
	waitStates("COMPLETED", all...)

	// Every completion pending at the kill was delivered after the
	// restart; every order event of this merchant on chain reached it and
	// was recorded once, in state order; nothing else did.
	fwd := gate.forwardedIDs()
	for _, id := range pending {
		if fwd[id] == 0 {
			t.Errorf("event %s, pending when node1 was killed, never delivered", id)
		}
	}
	v := view()
	want := merchantEvents(t, c, mAddr)
	var got []string
	for _, o := range v.Orders {
		if !slices.Equal(o.Events, []string{"order.created", "order.locked", "order.paid", "order.completed"}) {
			t.Errorf("order %s received %v", o.Ref, o.Events)
		}
		got = append(got, o.EventIDs...)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) || v.Received != len(want) || v.Rejected != 0 || len(v.Orders) != len(all) {
		t.Fatalf("merchant received %v (%d distinct, %d rejected, %d orders), chain has %v", got, v.Received, v.Rejected, len(v.Orders), want)
	}
	t.Logf("%d orders, %d webhook events (%d pending at the SIGKILL), %d duplicate deliveries acknowledged",
		len(v.Orders), v.Received, len(pending), v.Duplicates)
	logLatency(t, c, filepath.Join(work, "merchant", "events.jsonl"), shutAt)
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
	// Node1 came back on the chain the others hold.
	h := c.Height(0)
	b0, err := c.Client(0).Block(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	cl1 := client.New(strings.TrimPrefix(n1.url, "http://"))
	if err := waitHeightRPC(ctx, cl1, h); err != nil {
		t.Fatal(err)
	}
	b1, err := cl1.Block(ctx, h)
	if err != nil {
		t.Fatal(err)
	}
	if b1.Hash != b0.Hash {
		t.Fatalf("height %d: node1 holds %s, node0 %s", h, b1.Hash, b0.Hash)
	}
	_ = merchant.Signal(syscall.SIGINT, 10*time.Second)
	_ = bot.Signal(syscall.SIGINT, 10*time.Second)
}

// waitHeightRPC polls cl until it reports height h.
func waitHeightRPC(ctx context.Context, cl *client.Client, h uint64) error {
	for {
		st, err := cl.Status(ctx)
		if err == nil && st.Height >= h {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("height %d not reached (%v): %w", h, err, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// merchantEvents lists, from node0's ledger, the IDs (as the node gives
// them to webhooks) of every order event naming merchant m.
func merchantEvents(t *testing.T, c *Cluster, m types.Address) []string {
	t.Helper()
	l := c.Node(0).Ledger()
	var out []string
	for h := uint64(1); h <= l.Last().Height; h++ {
		evs, err := l.BlockEvents(h)
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range evs {
			if strings.HasPrefix(e.Type, "order.") && strings.EqualFold(e.Get("merchant"), m.Hex()) {
				out = append(out, webhook.EventID(h, math.MaxUint32, uint32(i)))
			}
		}
		rs, err := l.Receipts(h)
		if err != nil {
			t.Fatal(err)
		}
		for ti, r := range rs {
			if r.Status != types.StatusOK {
				continue
			}
			for i, e := range r.Events {
				if strings.HasPrefix(e.Type, "order.") && strings.EqualFold(e.Get("merchant"), m.Hex()) {
					out = append(out, webhook.EventID(h, uint32(ti), uint32(i)))
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// logLatency reports, from the merchant's event log, the time from each
// event's block time to its arrival for the events committed while the
// merchant's node was up (the rest waited for its restart by design).
func logLatency(t *testing.T, c *Cluster, log string, upTo uint64) {
	t.Helper()
	raw, err := os.ReadFile(log)
	if err != nil {
		t.Fatal(err)
	}
	var lat []time.Duration
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		var r struct {
			Event    client.WebhookEvent `json:"event"`
			Received time.Time           `json:"received"`
		}
		if json.Unmarshal([]byte(line), &r) != nil || r.Event.Height > upTo {
			continue
		}
		blk, err := c.Node(0).Ledger().Block(r.Event.Height)
		if err != nil {
			t.Fatal(err)
		}
		lat = append(lat, r.Received.Sub(time.UnixMilli(int64(blk.Header.Time))))
	}
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	t.Logf("webhook latency through a 4-validator chain, block time to the merchant's log, %d events: p50 %s max %s",
		len(lat), lat[len(lat)/2].Round(time.Millisecond/10), lat[len(lat)-1].Round(time.Millisecond/10))
}
