package node

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/webhook"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/types"
)

// hookReceiver is a real HTTP receiver on loopback: it answers each
// attempt with the next status of its script (200 once the script ends)
// and hands every attempt, verified or not, to the test.
type hookReceiver struct {
	srv    *httptest.Server
	secret string
	mu     sync.Mutex
	script []int
	got    chan hookAttempt
}

type hookAttempt struct {
	status  int
	verr    error
	ev      client.WebhookEvent
	arrived time.Time
}

func newHookReceiver(t *testing.T, secret string, script ...int) *hookReceiver {
	r := &hookReceiver{secret: secret, script: script, got: make(chan hookAttempt, 256)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		at := time.Now()
		body, _ := io.ReadAll(req.Body)
		a := hookAttempt{status: http.StatusOK, arrived: at,
			verr: client.VerifyWebhook(r.secret, req.Header.Get(client.WebhookSignatureHeader), body, at, 0)}
		_ = json.Unmarshal(body, &a.ev)
		r.mu.Lock()
		if len(r.script) > 0 {
			a.status, r.script = r.script[0], r.script[1:]
		}
		r.mu.Unlock()
		w.WriteHeader(a.status)
		r.got <- a
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func (r *hookReceiver) next(t *testing.T) hookAttempt {
	t.Helper()
	select {
	case a := <-r.got:
		return a
	case <-time.After(30 * time.Second):
		t.Fatal("no webhook delivery within 30 s")
		return hookAttempt{}
	}
}

func (s *singleNode) admin() *client.Admin {
	s.t.Helper()
	l, err := ReadListening(s.home)
	if err != nil {
		s.t.Fatal(err)
	}
	tok, err := client.ReadAdminToken(s.home.AdminTokenFile())
	if err != nil {
		s.t.Fatal(err)
	}
	return client.NewAdmin(l.Admin, tok)
}

// TestWebhookSurvivesRestartMidBackoff: a transfer's event reaches a
// receiver that answers 500; the node stops while the delivery waits for
// its retry and starts again from its home; the retry goes out from the
// restarted node, signed, with the same event ID, and the delivery log
// shows both attempts. Redeliver sends it once more.
func TestWebhookSurvivesRestartMidBackoff(t *testing.T) {
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), nil, -1, func(c *Config) {
		c.WebhookRetryMs = []int{1500}
	})
	s.start()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const secret = "whsec_restart_test_0123456789"
	rcv := newHookReceiver(t, secret, http.StatusInternalServerError)
	ep, err := s.admin().AddWebhook(ctx, client.WebhookSpec{URL: rcv.srv.URL + "/hook", Secret: secret, Types: []string{bank.EventTransfer}})
	if err != nil {
		t.Fatal(err)
	}
	if ep.Secret != secret || !strings.HasPrefix(ep.ID, "we_") {
		t.Fatalf("endpoint %+v", ep)
	}
	h, err := s.transfer()
	if err != nil {
		t.Fatal(err)
	}
	s.waitTx(h)
	height, idx, err := s.n.Ledger().TxLocation(h)
	if err != nil {
		t.Fatal(err)
	}
	wantID := webhook.EventID(height, uint32(idx), 0)

	first := rcv.next(t)
	if first.status != http.StatusInternalServerError || first.verr != nil || first.ev.ID != wantID {
		t.Fatalf("first attempt %+v, want a signed %s answered 500", first, wantID)
	}
	// Mid-backoff: the failed attempt is on record and the retry waits.
	for {
		d, err := s.admin().Delivery(ctx, ep.ID, wantID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Attempts == 1 && d.State == string(webhook.StatePending) {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("failed attempt never recorded: %+v", d)
		case <-time.After(10 * time.Millisecond):
		}
	}
	// Stop during the backoff, then start again from the same home.
	if err := s.n.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case a := <-rcv.got:
		t.Fatalf("delivery %+v while the node was down", a)
	default:
	}
	s.start()
	second := rcv.next(t)
	if second.status != http.StatusOK || second.verr != nil || second.ev.ID != wantID || second.ev.Type != bank.EventTransfer {
		t.Fatalf("retry after restart %+v, want a signed %s", second, wantID)
	}
	var data views.WebhookData
	if err := json.Unmarshal(second.ev.Data, &data); err != nil || data.Tx != h.Hex() || data.Attrs["amount"] != "1" {
		t.Fatalf("data %s: %+v %v", second.ev.Data, data, err)
	}
	if second.ev.Height != height {
		t.Fatalf("height %d, want %d", second.ev.Height, height)
	}

	adm := s.admin()
	d := waitDelivered(t, ctx, adm, ep.ID, wantID)
	if d.Attempts != 2 || len(d.Recent) != 2 || d.Recent[0].Status != 500 || d.Recent[1].Status != 200 {
		t.Fatalf("delivery record %+v", d)
	}
	if err := adm.Redeliver(ctx, ep.ID, wantID); err != nil {
		t.Fatal(err)
	}
	if again := rcv.next(t); again.ev.ID != wantID || again.verr != nil {
		t.Fatalf("redelivery %+v", again)
	}
	eps, err := adm.Webhooks(ctx)
	if err != nil || len(eps) != 1 || eps[0].ID != ep.ID || eps[0].Secret != "" {
		t.Fatalf("endpoints %+v %v (the secret is shown once)", eps, err)
	}
}

func waitDelivered(t *testing.T, ctx context.Context, adm *client.Admin, ep, ev string) *client.WebhookDelivery {
	t.Helper()
	for {
		d, err := adm.Delivery(ctx, ep, ev)
		if err != nil {
			t.Fatal(err)
		}
		if d.State == string(webhook.StateDelivered) {
			return d
		}
		select {
		case <-ctx.Done():
			t.Fatalf("delivery %+v never delivered", d)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestAdminAPIRefusesWithoutTheToken: the admin listener is on loopback,
// and answers 401 to a missing or wrong token; bad input is a clear error
// that registers nothing.
func TestAdminAPIRefusesWithoutTheToken(t *testing.T) {
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), nil, -1)
	s.start()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, err := ReadListening(s.home)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(l.Admin, "127.0.0.1:") {
		t.Fatalf("admin listens on %q, want loopback", l.Admin)
	}
	for _, tok := range []string{"", strings.Repeat("0", 64)} {
		_, err := client.NewAdmin(l.Admin, tok).Webhooks(ctx)
		if err == nil || !strings.Contains(err.Error(), "admin token") {
			t.Fatalf("token %q: %v, want a refusal", tok, err)
		}
	}
	// The public RPC port does not serve admin methods.
	if err := client.New(s.n.RPCAddr()).Call(ctx, "admin_webhooks", nil); wire.CodeOf(err) != wire.CodeMethodNotFound {
		t.Fatalf("admin_webhooks on the RPC port: %v", err)
	}
	adm := s.admin()
	for _, tc := range []struct {
		name string
		spec client.WebhookSpec
		code int
	}{
		{"ftp url", client.WebhookSpec{URL: "ftp://127.0.0.1/x"}, wire.CodeInvalidParams},
		{"short secret", client.WebhookSpec{URL: "http://127.0.0.1/x", Secret: "short"}, wire.CodeInvalidParams},
		{"bad type", client.WebhookSpec{URL: "http://127.0.0.1/x", Types: []string{"order paid"}}, wire.CodeInvalidParams},
	} {
		if _, err := adm.AddWebhook(ctx, tc.spec); wire.CodeOf(err) != tc.code {
			t.Errorf("%s: %v, want code %d", tc.name, err, tc.code)
		}
	}
	if _, err := adm.Deliveries(ctx, "we_0000000000000000", "", 0); wire.CodeOf(err) != wire.CodeNotFound {
		t.Errorf("unknown endpoint: %v", err)
	}
	if eps, err := adm.Webhooks(ctx); err != nil || len(eps) != 0 {
		t.Fatalf("endpoints after refusals: %+v %v", eps, err)
	}
}

// TestWebhookLatency measures, through a live node, the time from a
// block's timestamp to its event's arrival at a loopback receiver. It
// asserts only that every event arrives once, verified; the figures are
// logged (speed targets live in benchmarks).
func TestWebhookLatency(t *testing.T) {
	if testing.Short() {
		t.Skip("measurement")
	}
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), nil, -1)
	s.start()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const (
		secret = "whsec_latency_test_0123456789"
		n      = 200
	)
	rcv := newHookReceiver(t, secret)
	if _, err := s.admin().AddWebhook(ctx, client.WebhookSpec{URL: rcv.srv.URL, Secret: secret, Types: []string{bank.EventTransfer}}); err != nil {
		t.Fatal(err)
	}
	measure := func(a hookAttempt, seen map[string]bool) time.Duration {
		t.Helper()
		if a.verr != nil || seen[a.ev.ID] {
			t.Fatalf("attempt %+v (duplicate: %v)", a, seen[a.ev.ID])
		}
		seen[a.ev.ID] = true
		blk, err := s.n.Ledger().Block(a.ev.Height)
		if err != nil {
			t.Fatal(err)
		}
		return a.arrived.Sub(time.UnixMilli(int64(blk.Header.Time)))
	}
	// One at a time: the latency a merchant sees on a quiet node.
	seen := map[string]bool{}
	var one []time.Duration
	for i := 0; i < n/2; i++ {
		if _, err := s.transfer(); err != nil {
			t.Fatal(err)
		}
		one = append(one, measure(rcv.next(t), seen))
	}
	report(t, "one at a time", one)
	// A burst: n transfers over a few blocks, queued behind each other
	// (two deliveries in flight per endpoint).
	var last types.Hash
	for i := 0; i < n; i++ {
		h, err := s.transfer()
		if err != nil {
			t.Fatal(err)
		}
		last = h
		if i%20 == 19 {
			s.waitTx(h)
		}
	}
	s.waitTx(last)
	var lat []time.Duration
	for len(lat) < n {
		lat = append(lat, measure(rcv.next(t), seen))
	}
	report(t, "burst", lat)
}

func report(t *testing.T, what string, lat []time.Duration) {
	n := len(lat)
	slices.Sort(lat)
	t.Logf("webhook latency (%s), block time to receiver, %d events: p50 %s p99 %s max %s", what, n,
		lat[n/2].Round(time.Millisecond/10), lat[n*99/100].Round(time.Millisecond/10), lat[n-1].Round(time.Millisecond/10))
}
