package testnet

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/api/webhook"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
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

// TestMerchantAndAcceptorExamples runs examples/merchant and
// examples/acceptor as processes against a live 4-validator chain. The
// merchant registers its webhook on its own node (node1) and creates
// orders through the SDK; on each order.locked webhook its customer pays
// (the stub bank feed) and it marks the order paid; the acceptor bot sees
// the payment and confirms. Node1 is stopped while orders are PAID and
// while new ones are created and confirmed, then restarted: every state
// change of every order reaches the merchant exactly as the chain
// recorded it (created, locked, paid, completed), signed, nothing lost.
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
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	st, err := c.Client(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	e := &c2cEnv{t: t, c: c, ctx: ctx, chainID: st.ChainID, fee: st.MinFeeMicro}
	devKey, err := client.Keyring{Dir: c.Layout.Home(0).KeysDir()}.Load("dev", "dev")
	if err != nil {
		t.Fatal(err)
	}
	dev := e.actor("dev", devKey)

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
	// below, while the merchant's node is down.
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

	merchant, err := StartProcess(merchantBin, "--keys", keys, "--key", "merchant", "--password-file", pw,
		"--node-home", string(c.Layout.Home(1)), "--node", "http://"+c.RPCAddr(1), "--node", "http://"+c.RPCAddr(0),
		"--listen", "127.0.0.1:0", "--state", filepath.Join(work, "merchant"), "--bank-feed", feed)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(merchant.Kill)
	line, err := merchant.WaitLog(regexp.MustCompile(`msg="merchant serving" addr=(\S+)`), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	mURL := "http://" + regexp.MustCompile(`addr=(\S+)`).FindStringSubmatch(line)[1]
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
				t.Fatalf("orders %v not all %s: %+v\nmerchant log:\n%s", refs, state, v, merchant.Log())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}

	// Batch A: created, locked, paid while every node runs.
	batchA := []string{"a-1", "a-2", "a-3"}
	for i, ref := range batchA {
		createOrder(ref, 1000+uint64(i)*111)
	}
	waitStates("PAID", batchA...)

	stoppedAt := c.Height(0)
	// The merchant's node goes down. The acceptor confirms batch A and the
	// merchant creates batch B through node0: those events are committed
	// while the node that delivers the merchant's webhooks is down.
	if err := c.Stop(1); err != nil {
		t.Fatal(err)
	}
	bot, err := StartProcess(acceptorBin, acceptorArgs...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bot.Kill)
	batchB := []string{"b-1", "b-2"}
	for i, ref := range batchB {
		createOrder(ref, 2000+uint64(i)*7)
	}
	for range batchA {
		if _, err := bot.WaitLog(regexp.MustCompile(`msg="order confirmed"`), time.Minute); err != nil {
			t.Fatal(err)
		}
	}
	if v := view(); slices.ContainsFunc(v.Orders, func(o merchantOrder) bool {
		return o.State == "COMPLETED" || (strings.HasPrefix(o.Ref, "b-") && o.State != "")
	}) {
		t.Fatalf("merchant heard of events committed while its node was down: %+v", v)
	}

	// Back up: node1 syncs the blocks it missed and delivers their events.
	if err := c.Start(1); err != nil {
		t.Fatal(err)
	}
	all := append(slices.Clone(batchA), batchB...)
	waitStates("COMPLETED", all...)

	// Every order event of this merchant on chain reached it, once each
	// in its record, in state order; nothing else did.
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
	t.Logf("%d orders, %d webhook events, %d duplicate deliveries acknowledged", len(v.Orders), v.Received, v.Duplicates)
	logLatency(t, c, filepath.Join(work, "merchant", "events.jsonl"), stoppedAt)
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
	_ = merchant.Signal(syscall.SIGINT, 10*time.Second)
	_ = bot.Signal(syscall.SIGINT, 10*time.Second)
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
