package webhook

import (
	"encoding/json"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/ledger/kv"
)

// checkSigned verifies a received request the way a merchant would, and
// returns its envelope.
func checkSigned(t *testing.T, g received, secret string, now time.Time) client.WebhookEvent {
	t.Helper()
	sig := g.header.Get(client.WebhookSignatureHeader)
	if err := client.VerifyWebhook(secret, sig, g.body, now, time.Minute); err != nil {
		t.Fatalf("signature %q does not verify: %v", sig, err)
	}
	if ts := g.header.Get(client.WebhookTimestampHeader); ts != strconv.FormatInt(now.Unix(), 10) {
		t.Fatalf("timestamp header %s, want %d", ts, now.Unix())
	}
	var ev client.WebhookEvent
	if err := json.Unmarshal(g.body, &ev); err != nil {
		t.Fatal(err)
	}
	if id := g.header.Get(client.WebhookEventIDHeader); id != ev.ID {
		t.Fatalf("event ID header %q, body %q", id, ev.ID)
	}
	return ev
}

func TestRetriesOnScheduleUntilAcknowledged(t *testing.T) {
	clk := newFakeClock()
	h := newHarness(t, kv.NewMemory(), clk, func(c *Config) { c.AttemptTimeout = 150 * time.Millisecond })
	rcv := newReceiver(t, hangUp, stall, answer500, answer200)
	ep := h.addEndpoint(rcv.srv.URL+"/hook", EndpointSpec{})
	t0 := clk.Now()
	ev := event(EventID(7, 2, 0), "order.paid", "0xAbC")
	if err := h.e.Publish(ev); err != nil {
		t.Fatal(err)
	}
	// Each failure schedules the next attempt after 10 s, 1 min, 5 min.
	steps := []struct {
		wait   time.Duration
		status int
	}{{0, 0}, {10 * time.Second, 0}, {time.Minute, 500}, {5 * time.Minute, 200}}
	at := t0
	for i, s := range steps {
		if s.wait > 0 {
			clk.Advance(s.wait - time.Nanosecond)
			if n := h.e.flush(); n != 0 {
				t.Fatalf("attempt %d started %d early", i+1, n)
			}
			rcv.none(t)
			clk.Advance(time.Nanosecond)
			at = at.Add(s.wait)
		}
		g := rcv.await(t)
		env := checkSigned(t, g, ep.Secret, at)
		if env.ID != ev.ID || env.Type != "order.paid" || env.Merchant != "0xAbC" || env.Height != 7 ||
			string(env.Data) != `{"order":"7-2-0"}` {
			t.Fatalf("envelope %+v", env)
		}
		if n := g.header.Get("Accord-Delivery-Attempt"); n != strconv.Itoa(i+1) {
			t.Fatalf("attempt header %s, want %d", n, i+1)
		}
		r := h.report()
		if r.Attempt.Status != s.status || r.Attempt.N != i+1 {
			t.Fatalf("attempt %d: %+v", i+1, r.Attempt)
		}
		if i < len(steps)-1 {
			if r.State != StatePending || !r.NextAt.Equal(at.Add(steps[i+1].wait)) {
				t.Fatalf("attempt %d: state %s next %s, want pending at %s", i+1, r.State, r.NextAt, at.Add(steps[i+1].wait))
			}
		} else if r.State != StateDelivered {
			t.Fatalf("last attempt: state %s", r.State)
		}
	}
	// Acknowledged: nothing more, ever.
	clk.Advance(96 * time.Hour)
	if n := h.e.flush(); n != 0 {
		t.Fatalf("%d attempts after acknowledgement", n)
	}
	rcv.none(t)
	d, err := h.e.Delivery(ep.ID, ev.ID)
	if err != nil {
		t.Fatal(err)
	}
	if d.State != StateDelivered || d.Attempts != 4 || len(d.Recent) != 4 {
		t.Fatalf("delivery %+v", d)
	}
	if p, _ := h.e.Pending(ep.ID); p != 0 {
		t.Fatalf("pending %d", p)
	}
	if h.count(ResultRetry) != 3 || h.count(ResultDelivered) != 1 {
		t.Fatalf("metrics retry=%v delivered=%v", h.count(ResultRetry), h.count(ResultDelivered))
	}
}

func TestRestartMidBackoffDeliversPending(t *testing.T) {
	dir := t.TempDir()
	db, err := kv.OpenPebble(dir, kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	clk := newFakeClock()
	rcv := newReceiver(t, answer500, answer200)
	h := newHarness(t, db, clk, nil)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{Types: []string{"order.completed"}})
	ev := event("9-0-1", "order.completed", "")
	if err := h.e.Publish(ev); err != nil {
		t.Fatal(err)
	}
	first := rcv.await(t)
	if r := h.report(); r.State != StatePending || !r.NextAt.Equal(clk.Now().Add(10*time.Second)) {
		t.Fatalf("after a 500: %+v", r)
	}
	// The node stops mid-backoff: engine and store closed.
	if err := h.e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	clk.Advance(5 * time.Second)

	db2, err := kv.OpenPebble(dir, kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	h2 := newHarness(t, db2, clk, nil)
	if n := h2.e.flush(); n != 0 {
		t.Fatalf("restarted engine attempted %d before the retry was due", n)
	}
	if got := h2.e.Endpoints(); len(got) != 1 || got[0].ID != ep.ID || got[0].Secret != "" {
		t.Fatalf("endpoints after restart: %+v", got)
	}
	clk.Advance(5 * time.Second)
	second := rcv.await(t)
	checkSigned(t, second, ep.Secret, clk.Now())
	if a, b := first.header.Get("Accord-Event-Id"), second.header.Get("Accord-Event-Id"); a != b || a != ev.ID {
		t.Fatalf("event IDs %q then %q", a, b)
	}
	if r := h2.report(); r.State != StateDelivered || r.Attempt.N != 2 {
		t.Fatalf("after restart: %+v", r)
	}
	// Re-feeding the same event after the restart is de-duplicated.
	if err := h2.e.Publish(ev); err != nil {
		t.Fatal(err)
	}
	if n := h2.e.flush(); n != 0 {
		t.Fatal("re-fed event was queued again")
	}
	rcv.none(t)
}

func TestCloseAbandonsInFlightAttemptAndReopenResends(t *testing.T) {
	db := kv.NewMemory()
	defer db.Close()
	clk := newFakeClock()
	rcv := newReceiver(t, blockOn, answer200)
	h := newHarness(t, db, clk, nil)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	if err := h.e.Publish(event("1-0-0", "order.created", "")); err != nil {
		t.Fatal(err)
	}
	rcv.await(t) // in flight, blocked in the receiver
	if err := h.e.Close(); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, db, clk, nil)
	g := rcv.await(t)
	checkSigned(t, g, ep.Secret, clk.Now())
	if r := h2.report(); r.State != StateDelivered || r.Attempt.N != 1 {
		t.Fatalf("%+v", r)
	}
}

func TestGivesUpAfterMaxAgeThenRedeliver(t *testing.T) {
	clk := newFakeClock()
	h := newHarness(t, kv.NewMemory(), clk, func(c *Config) {
		c.Retry = Retry{Delays: []time.Duration{10 * time.Second}, MaxAge: 25 * time.Second}
	})
	rcv := newReceiver(t, answer500)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	if err := h.e.Publish(event("3-1-0", "order.expired", "")); err != nil {
		t.Fatal(err)
	}
	for i, want := range []State{StatePending, StatePending, StateFailed} {
		if i > 0 {
			clk.Advance(10 * time.Second)
		}
		rcv.await(t)
		if r := h.report(); r.State != want {
			t.Fatalf("attempt %d: state %s, want %s", i+1, r.State, want)
		}
	}
	clk.Advance(time.Hour)
	if h.e.flush() != 0 {
		t.Fatal("a failed delivery was attempted again")
	}
	if h.count(ResultFailed) != 1 || h.count(ResultRetry) != 2 {
		t.Fatalf("failed=%v retry=%v", h.count(ResultFailed), h.count(ResultRetry))
	}
	rcv.setScript(answer200)
	if err := h.e.Redeliver(ep.ID, "3-1-0"); err != nil {
		t.Fatal(err)
	}
	g := rcv.await(t)
	if g.header.Get("Accord-Event-Id") != "3-1-0" {
		t.Fatal("redelivery changed the event ID")
	}
	if r := h.report(); r.State != StateDelivered || r.Attempt.N != 4 {
		t.Fatalf("redelivery: %+v", r)
	}
	if err := h.e.Redeliver(ep.ID, "no-such"); !errors.Is(err, ErrDeliveryNotFound) {
		t.Fatalf("redeliver unknown: %v", err)
	}
	if err := h.e.Redeliver("we_0000000000000000", "3-1-0"); !errors.Is(err, ErrEndpointNotFound) {
		t.Fatalf("redeliver on unknown endpoint: %v", err)
	}
}

func TestQueueBoundDropsAndRecords(t *testing.T) {
	clk := newFakeClock()
	h := newHarness(t, kv.NewMemory(), clk, func(c *Config) {
		c.MaxPendingPerEndpoint = 2
		c.MaxInflightPerEndpoint = 1
	})
	rcv := newReceiver(t, blockOn)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	for i := range 4 {
		if err := h.e.Publish(event("5-0-"+strconv.Itoa(i), "order.paid", "")); err != nil {
			t.Fatal(err)
		}
	}
	if p, _ := h.e.Pending(ep.ID); p != 2 {
		t.Fatalf("pending %d, want 2", p)
	}
	if h.count(ResultDropped) != 2 {
		t.Fatalf("dropped metric %v", h.count(ResultDropped))
	}
	for i, want := range []State{StatePending, StatePending, StateDropped, StateDropped} {
		d, err := h.e.Delivery(ep.ID, "5-0-"+strconv.Itoa(i))
		if err != nil || d.State != want {
			t.Fatalf("event %d: %v %s, want %s", i, err, d.State, want)
		}
	}
	if err := h.e.Redeliver(ep.ID, "5-0-3"); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("redeliver into a full queue: %v", err)
	}
	// One in flight at a time for this endpoint.
	rcv.await(t)
	if n := h.e.flush(); n != 0 {
		t.Fatalf("%d more attempts despite MaxInflightPerEndpoint=1", n)
	}
	rcv.none(t)
	for range 2 {
		rcv.release <- struct{}{}
		if r := h.report(); r.State != StateDelivered {
			t.Fatalf("%+v", r)
		}
	}
	rcv.await(t)
	// The backlog drained: the dropped event can be re-sent.
	rcv.setScript(answer200)
	if err := h.e.Redeliver(ep.ID, "5-0-3"); err != nil {
		t.Fatal(err)
	}
	for rcv.await(t).header.Get("Accord-Event-Id") != "5-0-3" {
	}
}

func TestWorkersBoundConcurrentDeliveries(t *testing.T) {
	clk := newFakeClock()
	h := newHarness(t, kv.NewMemory(), clk, func(c *Config) {
		c.Workers = 2
		c.MaxInflightPerEndpoint = 5
	})
	rcv := newReceiver(t, blockOn)
	h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	for i := range 3 {
		if err := h.e.Publish(event("6-0-"+strconv.Itoa(i), "t", "")); err != nil {
			t.Fatal(err)
		}
	}
	rcv.await(t)
	rcv.await(t)
	if n := h.e.flush(); n != 0 {
		t.Fatalf("%d attempts beyond Workers=2", n)
	}
	rcv.none(t)
	for range 6 {
		rcv.release <- struct{}{}
	}
	for range 4 {
		rcv.await(t)
	}
	for range 6 {
		if r := h.report(); r.State != StateDelivered {
			t.Fatalf("%+v", r)
		}
	}
}

func TestFilters(t *testing.T) {
	clk := newFakeClock()
	h := newHarness(t, kv.NewMemory(), clk, nil)
	rcv := newReceiver(t)
	all := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	paid := h.addEndpoint(rcv.srv.URL, EndpointSpec{Types: []string{"order.paid", "order.completed"}})
	merch := h.addEndpoint(rcv.srv.URL, EndpointSpec{Merchants: []string{"0xAA"}})
	both := h.addEndpoint(rcv.srv.URL, EndpointSpec{Types: []string{"order.paid"}, Merchants: []string{"0xaa", "0xbb"}})
	cases := []struct {
		ev   Event
		want []string
	}{
		{event("1-0-0", "order.created", "0xcc"), []string{all.ID}},
		{event("1-0-1", "order.paid", "0xcc"), []string{all.ID, paid.ID}},
		{event("1-0-2", "order.created", "0xaA"), []string{all.ID, merch.ID}},
		{event("1-0-3", "order.paid", "0xBB"), []string{all.ID, paid.ID, both.ID}},
		{event("1-0-4", "order.paid", "0xaa"), []string{all.ID, paid.ID, merch.ID, both.ID}},
	}
	for _, c := range cases {
		t.Run(c.ev.ID, func(t *testing.T) {
			if err := h.e.Publish(c.ev); err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, id := range c.want {
				want[id] = true
			}
			for _, ep := range []Endpoint{all, paid, merch, both} {
				_, err := h.e.Delivery(ep.ID, c.ev.ID)
				if got := err == nil; got != want[ep.ID] {
					t.Fatalf("endpoint %v: queued=%v want %v (%v)", ep.Types, got, want[ep.ID], err)
				}
			}
		})
	}
}

func TestBadInputChangesNothing(t *testing.T) {
	clk := newFakeClock()
	db := kv.NewMemory()
	h := newHarness(t, db, clk, func(c *Config) { c.MaxEndpoints = 2; c.MaxBodyBytes = 64 })
	rcv := newReceiver(t)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	good := event("1-0-0", "order.paid", "")
	events := []struct {
		name string
		ev   Event
	}{
		{"empty id", Event{Type: "t", Data: []byte(`{}`)}},
		{"id with a slash", Event{ID: "1/2", Type: "t", Data: []byte(`{}`)}},
		{"empty type", Event{ID: "1", Data: []byte(`{}`)}},
		{"data not JSON", Event{ID: "1", Type: "t", Data: []byte(`{`)}},
		{"data too large", Event{ID: "1", Type: "t", Data: []byte(`"` + string(make([]byte, 70)) + `"`)}},
	}
	for _, c := range events {
		t.Run(c.name, func(t *testing.T) {
			// A bad event anywhere refuses the whole call.
			if err := h.e.Publish(good, c.ev); !errors.Is(err, ErrInvalidEvent) {
				t.Fatalf("got %v", err)
			}
			if _, err := h.e.Delivery(ep.ID, good.ID); !errors.Is(err, ErrDeliveryNotFound) {
				t.Fatalf("a refused call queued the good event: %v", err)
			}
		})
	}
	specs := []struct {
		name string
		spec EndpointSpec
	}{
		{"no scheme", EndpointSpec{URL: "127.0.0.1:80/x"}},
		{"ftp", EndpointSpec{URL: "ftp://h/x"}},
		{"short secret", EndpointSpec{URL: "http://h/", Secret: "short"}},
		{"bad type", EndpointSpec{URL: "http://h/", Types: []string{"a b"}}},
		{"empty merchant", EndpointSpec{URL: "http://h/", Merchants: []string{""}}},
	}
	for _, c := range specs {
		t.Run(c.name, func(t *testing.T) {
			if _, err := h.e.AddEndpoint(c.spec); !errors.Is(err, ErrInvalidEndpoint) {
				t.Fatalf("got %v", err)
			}
		})
	}
	if n := len(h.e.Endpoints()); n != 1 {
		t.Fatalf("%d endpoints after refusals", n)
	}
	h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	if _, err := h.e.AddEndpoint(EndpointSpec{URL: rcv.srv.URL}); !errors.Is(err, ErrTooManyEndpoints) {
		t.Fatalf("third endpoint: %v", err)
	}
}

func TestDeliveryLogPagesAndPrunes(t *testing.T) {
	clk := newFakeClock()
	h := newHarness(t, kv.NewMemory(), clk, func(c *Config) {
		c.MaxPendingPerEndpoint = 1
		c.MaxLogPerEndpoint = 5
	})
	rcv := newReceiver(t)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	for i := range 7 {
		if err := h.e.Publish(event("2-0-"+strconv.Itoa(i), "t", "")); err != nil {
			t.Fatal(err)
		}
		rcv.await(t)
		if r := h.report(); r.State != StateDelivered {
			t.Fatalf("%+v", r)
		}
	}
	var ids []string
	cursor := ""
	pages := 0
	for {
		p, err := h.e.Deliveries(ep.ID, cursor, 2)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range p.Deliveries {
			if d.Body != nil {
				t.Fatal("listing carries bodies")
			}
			ids = append(ids, d.EventID)
		}
		if p.Next == "" {
			break
		}
		cursor = p.Next
	}
	// Newest first; the two oldest were pruned to keep 5.
	want := []string{"2-0-6", "2-0-5", "2-0-4", "2-0-3", "2-0-2"}
	if len(ids) != len(want) || pages != 3 {
		t.Fatalf("log %v in %d pages, want %v in 3", ids, pages, want)
	}
	for i := range want {
		if ids[i] != want[i] {
			t.Fatalf("log %v, want %v", ids, want)
		}
	}
	if _, err := h.e.Delivery(ep.ID, "2-0-0"); !errors.Is(err, ErrDeliveryNotFound) {
		t.Fatalf("pruned record: %v", err)
	}
	if _, err := h.e.Deliveries(ep.ID, "zz", 2); !errors.Is(err, ErrBadCursor) {
		t.Fatalf("bad cursor: %v", err)
	}
	if _, err := h.e.Deliveries("we_0000000000000000", "", 2); !errors.Is(err, ErrEndpointNotFound) {
		t.Fatalf("unknown endpoint: %v", err)
	}
}

func TestRemoveEndpointDeletesQueue(t *testing.T) {
	clk := newFakeClock()
	db := kv.NewMemory()
	h := newHarness(t, db, clk, nil)
	rcv := newReceiver(t, answer500)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	if err := h.e.Publish(event("4-0-0", "t", "")); err != nil {
		t.Fatal(err)
	}
	rcv.await(t)
	h.report()
	if err := h.e.RemoveEndpoint(ep.ID); err != nil {
		t.Fatal(err)
	}
	it, err := db.Iterator([]byte("webhook/"), kv.PrefixEnd([]byte("webhook/")))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	for it.Next() {
		if k := string(it.Key()); k != "webhook/m/seq" && k != "webhook/m/fed" {
			t.Fatalf("key %q left after removal", it.Key())
		}
	}
	clk.Advance(time.Minute)
	if h.e.flush() != 0 {
		t.Fatal("removed endpoint still attempted")
	}
	if err := h.e.RemoveEndpoint(ep.ID); !errors.Is(err, ErrEndpointNotFound) {
		t.Fatalf("second removal: %v", err)
	}
}

func TestEventIDIsStable(t *testing.T) {
	if got := EventID(1024, 3, 0); got != "1024-3-0" {
		t.Fatal(got)
	}
	if EventID(1, 23, 4) == EventID(12, 3, 4) {
		t.Fatal("ambiguous IDs")
	}
}

func TestRedeliverDuringAttemptKeepsTheNewSchedule(t *testing.T) {
	clk := newFakeClock()
	h := newHarness(t, kv.NewMemory(), clk, func(c *Config) { c.MaxInflightPerEndpoint = 1 })
	rcv := newReceiver(t, block500, answer200)
	ep := h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	if err := h.e.Publish(event("8-0-0", "t", "")); err != nil {
		t.Fatal(err)
	}
	rcv.await(t)
	clk.Advance(3 * time.Second)
	if err := h.e.Redeliver(ep.ID, "8-0-0"); err != nil {
		t.Fatal(err)
	}
	if n := h.e.flush(); n != 0 {
		t.Fatalf("%d attempts beside the one in flight", n)
	}
	rcv.release <- struct{}{}
	// The late failure does not push the redelivery back by the backoff.
	if r := h.report(); r.State != StatePending || !r.NextAt.Equal(clk.Now()) {
		t.Fatalf("after the late failure: %+v, want pending at %s", r, clk.Now())
	}
	rcv.await(t)
	if r := h.report(); r.State != StateDelivered || r.Attempt.N != 2 {
		t.Fatalf("%+v", r)
	}
}

func TestFedHeightSurvivesRestart(t *testing.T) {
	db := kv.NewMemory()
	defer db.Close()
	clk := newFakeClock()
	rcv := newReceiver(t)
	h := newHarness(t, db, clk, nil)
	h.addEndpoint(rcv.srv.URL, EndpointSpec{})
	if err := h.e.PublishBlock(5, []Event{event("5-0-0", "t", "")}); err != nil {
		t.Fatal(err)
	}
	if err := h.e.PublishBlock(6, nil); err != nil { // an empty block still counts
		t.Fatal(err)
	}
	if err := h.e.PublishBlock(4, nil); err != nil { // a re-fed block never lowers it
		t.Fatal(err)
	}
	if err := h.e.PublishBlock(0, nil); !errors.Is(err, ErrInvalidEvent) {
		t.Fatalf("height 0: %v", err)
	}
	if got := h.e.FedHeight(); got != 6 {
		t.Fatalf("fed height %d, want 6", got)
	}
	rcv.await(t)
	h.report()
	if err := h.e.Close(); err != nil {
		t.Fatal(err)
	}
	h2 := newHarness(t, db, clk, nil)
	if got := h2.e.FedHeight(); got != 6 {
		t.Fatalf("fed height after restart %d, want 6", got)
	}
}
