package webhook

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/accordnet/accord/ledger/kv"
)

// fakeClock is advanced by the test; timers fire when it reaches them.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c  *fakeClock
	at time.Time
	ch chan time.Time
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) NewTimer(at time.Time) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: at, ch: make(chan time.Time, 1)}
	if !at.After(c.now) {
		t.ch <- c.now
		return t
	}
	c.timers = append(c.timers, t)
	return t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.timers[:0]
	for _, t := range c.timers {
		if !t.at.After(c.now) {
			t.ch <- c.now
		} else {
			kept = append(kept, t)
		}
	}
	c.timers = kept
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	for i, o := range t.c.timers {
		if o == t {
			t.c.timers = append(t.c.timers[:i], t.c.timers[i+1:]...)
			return true
		}
	}
	return false
}

// received is one request as the receiver saw it.
type received struct {
	header http.Header
	body   []byte
}

// behaviour is how the receiver answers one request.
type behaviour int

const (
	answer200 behaviour = iota
	answer500
	hangUp   // close the connection without answering
	stall    // answer nothing until the client gives up
	blockOn  // wait for the test to send on release, then 200
	block500 // wait for the test to send on release, then 500
)

// receiver is a real HTTP server on 127.0.0.1:0 that answers the scripted
// behaviours in order (the last one repeats) and reports every request.
type receiver struct {
	srv     *httptest.Server
	mu      sync.Mutex
	script  []behaviour
	got     chan received
	release chan struct{}
}

func newReceiver(t *testing.T, script ...behaviour) *receiver {
	t.Helper()
	r := &receiver{script: script, got: make(chan received, 4096), release: make(chan struct{})}
	r.srv = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(func() {
		r.srv.CloseClientConnections()
		r.srv.Close()
	})
	return r
}

func (r *receiver) next() behaviour {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.script) == 0 {
		return answer200
	}
	b := r.script[0]
	if len(r.script) > 1 {
		r.script = r.script[1:]
	}
	return b
}

func (r *receiver) setScript(s ...behaviour) {
	r.mu.Lock()
	r.script = s
	r.mu.Unlock()
}

func (r *receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	b := r.next()
	r.got <- received{header: req.Header.Clone(), body: body}
	switch b {
	case answer200:
		w.WriteHeader(http.StatusOK)
	case answer500:
		http.Error(w, "boom", http.StatusInternalServerError)
	case hangUp:
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			if tc, ok := conn.(*net.TCPConn); ok {
				_ = tc.SetLinger(0)
			}
			conn.Close()
		}
	case stall:
		<-req.Context().Done()
	case blockOn, block500:
		select {
		case <-r.release:
			if b == block500 {
				http.Error(w, "late failure", http.StatusInternalServerError)
			} else {
				w.WriteHeader(http.StatusOK)
			}
		case <-req.Context().Done():
		}
	}
}

// await returns the next request, failing the test after a generous real
// timeout (a safety net, not synchronisation).
func (r *receiver) await(t *testing.T) received {
	t.Helper()
	select {
	case g := <-r.got:
		return g
	case <-time.After(10 * time.Second):
		t.Fatal("no request reached the receiver")
		return received{}
	}
}

func (r *receiver) none(t *testing.T) {
	t.Helper()
	select {
	case g := <-r.got:
		t.Fatalf("unexpected request %s", g.header.Get("Accord-Event-Id"))
	default:
	}
}

type harness struct {
	t       *testing.T
	clk     *fakeClock
	reg     *prometheus.Registry
	reports chan AttemptReport
	e       *Engine
}

func newHarness(t *testing.T, db kv.DB, clk *fakeClock, tweak func(*Config)) *harness {
	t.Helper()
	h := &harness{t: t, clk: clk, reg: prometheus.NewRegistry(), reports: make(chan AttemptReport, 4096)}
	cfg := Config{
		Store: db, Clock: clk, Registerer: h.reg, AttemptTimeout: 5 * time.Second,
		OnAttempt: func(r AttemptReport) { h.reports <- r },
	}
	if tweak != nil {
		tweak(&cfg)
	}
	e, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	h.e = e
	t.Cleanup(func() { _ = e.Close() })
	return h
}

func (h *harness) report() AttemptReport {
	h.t.Helper()
	select {
	case r := <-h.reports:
		return r
	case <-time.After(10 * time.Second):
		h.t.Fatal("no attempt was recorded")
		return AttemptReport{}
	}
}

func (h *harness) count(result string) float64 {
	var m dto.Metric
	if err := h.e.m.deliveries.WithLabelValues(result).Write(&m); err != nil {
		h.t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func (h *harness) addEndpoint(url string, spec EndpointSpec) Endpoint {
	h.t.Helper()
	spec.URL = url
	ep, err := h.e.AddEndpoint(spec)
	if err != nil {
		h.t.Fatal(err)
	}
	return ep
}

func event(id, typ, merchant string) Event {
	return Event{ID: id, Type: typ, Merchant: merchant, Height: 7, Data: []byte(`{"order":"` + id + `"}`)}
}
