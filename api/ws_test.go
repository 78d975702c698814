package api_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
)

// Every method of the HTTP endpoint answers over /ws, alone and in a batch.
func TestWSServesTheHTTPMethods(t *testing.T) {
	ss := newStreamServer(t, 0, 0, api.Limits{}, api.HubLimits{})
	w := mustDial(t, ss.url)
	m, _ := w.call("accord_methods")
	if m.Error != nil {
		t.Fatal(m.Error)
	}
	var names []string
	if err := json.Unmarshal(m.Result, &names); err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, ",") != strings.Join(ss.srv.Methods(), ",") {
		t.Fatalf("methods over ws %v, server has %v", names, ss.srv.Methods())
	}
	m, _ = w.call("test_echo", "x")
	if string(m.Result) != `["x"]` {
		t.Fatalf("echo: %s", m.Result)
	}
	m, _ = w.call("no_such_method")
	if m.Error == nil || m.Error.Code != wire.CodeMethodNotFound {
		t.Fatalf("unknown method: %+v", m)
	}
	w.send(`[{"jsonrpc":"2.0","id":1,"method":"test_echo","params":[1]},{"jsonrpc":"2.0","id":2,"method":"test_echo","params":[2]}]`)
	ctx := t.Context()
	_, data, err := w.c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var resps []msg
	if err := json.Unmarshal(data, &resps); err != nil || len(resps) != 2 || string(resps[1].Result) != "[2]" {
		t.Fatalf("batch answer %s (%v)", data, err)
	}
	// Over HTTP the subscription methods point at /ws.
	r := postJSON(t, ss.hs.URL, `{"jsonrpc":"2.0","id":1,"method":"accord_subscribe","params":[{"topic":"newBlocks"}]}`)
	if r.Error == nil || !strings.Contains(r.Error.Message, "/ws") {
		t.Fatalf("accord_subscribe over HTTP: %+v", r)
	}
}

func postJSON(t *testing.T, url, body string) msg {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m msg
	if err := json.NewDecoder(resp.Body).Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

// A browser page of another origin cannot open the socket unless that
// origin is allowed; the Host check applies as on every route.
func TestWSOriginAndHost(t *testing.T) {
	ss := newStreamServer(t, 0, 0, api.Limits{WSOrigins: []string{"console.example.com"}}, api.HubLimits{})
	host := strings.TrimPrefix(ss.hs.URL, "http://")
	cases := []struct {
		name   string
		header http.Header
		status int // 0: upgraded
	}{
		{"no origin (not a browser) is served", nil, 0},
		{"same-origin page is served", http.Header{"Origin": {"http://" + host}}, 0},
		{"listed origin is served", http.Header{"Origin": {"https://console.example.com"}}, 0},
		{"foreign origin is refused", http.Header{"Origin": {"https://evil.example"}}, http.StatusForbidden},
		{"rebinding host name is refused", http.Header{"Host": {"evil.example:80"}}, http.StatusForbidden},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := tc.header
			if h != nil && h.Get("Host") != "" {
				// websocket.Dial takes the host from the URL; a raw request
				// carries a spoofed one.
				req, _ := http.NewRequest(http.MethodGet, ss.hs.URL+"/ws", nil)
				req.Host = h.Get("Host")
				req.Header.Set("Connection", "Upgrade")
				req.Header.Set("Upgrade", "websocket")
				req.Header.Set("Sec-WebSocket-Version", "13")
				req.Header.Set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==")
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
				}
				return
			}
			w, resp, err := dialWS(t, ss.url, h)
			if tc.status == 0 {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if m, _ := w.call("test_echo"); m.Error != nil {
					t.Fatal(m.Error)
				}
				return
			}
			if err == nil {
				t.Fatal("upgraded")
			}
			if resp == nil || resp.StatusCode != tc.status {
				t.Fatalf("response %v, want status %d", resp, tc.status)
			}
		})
	}
}

// Connections are capped in total and per address; a closed one frees its
// slot.
func TestWSConnectionCaps(t *testing.T) {
	for _, tc := range []struct {
		name string
		lim  api.Limits
	}{
		{"total cap", api.Limits{MaxWSConns: 2, MaxWSConnsPerIP: 10}},
		{"per-address cap", api.Limits{MaxWSConns: 10, MaxWSConnsPerIP: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ss := newStreamServer(t, 0, 0, tc.lim, api.HubLimits{})
			a := mustDial(t, ss.url)
			mustDial(t, ss.url)
			_, resp, err := dialWS(t, ss.url, nil)
			if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
				t.Fatalf("third connection: %v %v, want 503", resp, err)
			}
			_ = a.c.Close(websocket.StatusNormalClosure, "")
			// The slot is freed once the server has seen the close; the
			// next dial after that succeeds.
			for range 1000 {
				if ss.srv.WSConns() < 2 {
					break
				}
				a.c.CloseNow()
				waitBriefly()
			}
			mustDial(t, ss.url)
		})
	}
}

// A message over the size limit closes the connection with 1009.
func TestWSMessageTooBig(t *testing.T) {
	ss := newStreamServer(t, 0, 0, api.Limits{MaxWSMessageBytes: 1024}, api.HubLimits{})
	w := mustDial(t, ss.url)
	if m, _ := w.call("test_echo", strings.Repeat("a", 900)); m.Error != nil {
		t.Fatal(m.Error)
	}
	w.send(`{"jsonrpc":"2.0","id":1,"method":"test_echo","params":["` + strings.Repeat("a", 2000) + `"]}`)
	_, err := w.read()
	if websocket.CloseStatus(err) != websocket.StatusMessageTooBig {
		t.Fatalf("read after an oversized message: %v, want close 1009", err)
	}
}

// A resumed subscription replays from committed blocks strictly after its
// cursor, then continues live, with nothing missed or repeated.
func TestSubscribeResumesAfterCursor(t *testing.T) {
	ss := newStreamServer(t, 5, 3, api.Limits{}, api.HubLimits{})
	cases := []struct {
		name  string
		req   views.Subscribe
		first views.Cursor // first notification expected
		per   int          // notifications per block
	}{
		{"events from mid-block", views.Subscribe{Topic: views.TopicEvents, From: &views.Cursor{Height: 2, Index: 0}}, views.Cursor{Height: 2, Index: 1}, 3},
		{"events of one type from a block's start", views.Subscribe{Topic: views.TopicEvents, Type: "risk.hit", From: &views.Cursor{Height: 3, Index: -1}}, views.Cursor{Height: 3, Index: 2}, 1},
		{"one merchant's orders", views.Subscribe{Topic: views.TopicOrders, Merchant: merchantY.Hex(), From: &views.Cursor{Height: 1, Index: 1}}, views.Cursor{Height: 2, Index: 1}, 1},
		{"an acceptor's assignments", views.Subscribe{Topic: views.TopicAssignments, Acceptor: acceptorZ.Hex(), From: &views.Cursor{Height: 4, Index: 0}}, views.Cursor{Height: 4, Index: 1}, 2},
		{"risk of one account", views.Subscribe{Topic: views.TopicRisk, Account: merchantX.Hex(), From: &views.Cursor{Height: 5, Index: 2}}, views.Cursor{Height: 6, Index: 2}, 1},
	}
	type sub struct {
		w    *wsc
		id   string
		last views.Cursor
	}
	subs := make([]*sub, len(cases))
	for i, tc := range cases {
		w := mustDial(t, ss.url)
		subs[i] = &sub{w: w, id: w.subscribe(tc.req)}
	}
	ss.commit(t, 3) // live blocks 6..8 while replay may still run
	want := func(tc int, c views.Cursor) views.Cursor {
		// the next matching cursor after c in the synthetic chain
		for h, i := c.Height, c.Index+1; h <= 8; h, i = h+1, 0 {
			for ; i < 3; i++ {
				n := views.Cursor{Height: h, Index: i}
				if matches(cases[tc].req, i) {
					return n
				}
			}
		}
		return views.Cursor{}
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := subs[i]
			s.w.t = t
			exp := tc.first
			for exp != (views.Cursor{}) {
				n, err := s.w.nextEvent(s.id)
				if err != nil {
					t.Fatal(err)
				}
				if n.Cursor != exp {
					t.Fatalf("got cursor %+v, want %+v", n.Cursor, exp)
				}
				if tc.req.Merchant != "" && n.Attrs["merchant"] != tc.req.Merchant {
					t.Fatalf("event of merchant %s in %s's stream", n.Attrs["merchant"], tc.req.Merchant)
				}
				exp = want(i, exp)
			}
		})
	}
}

// matches says which event indexes of a memSource block a request sends.
func matches(r views.Subscribe, i int) bool {
	switch {
	case r.Topic == views.TopicEvents && r.Type == "":
		return true
	case r.Topic == views.TopicEvents:
		return i%3 == 2
	case r.Topic == views.TopicOrders:
		return i%3 == 1
	case r.Topic == views.TopicAssignments:
		return i%3 != 2
	case r.Topic == views.TopicRisk:
		return i%3 == 2
	}
	return false
}

// newBlocks without a cursor starts at the next committed block and carries
// the block view.
func TestSubscribeNewBlocksLive(t *testing.T) {
	ss := newStreamServer(t, 2, 1, api.Limits{}, api.HubLimits{})
	w := mustDial(t, ss.url)
	id := w.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
	ss.commit(t, 2)
	for h := uint64(3); h <= 4; h++ {
		m := w.mustRead()
		if m.Params == nil || m.Params.Subscription != id {
			t.Fatalf("notification %+v", m)
		}
		var n views.BlockNote
		if err := json.Unmarshal(m.Params.Result, &n); err != nil {
			t.Fatal(err)
		}
		if n.Cursor != (views.Cursor{Height: h}) || n.Block.Height != h || n.Block.Hash == "" {
			t.Fatalf("block note %+v, want height %d", n, h)
		}
	}
}

// Bad subscriptions are refused with a clear error and change nothing.
func TestSubscribeRefusals(t *testing.T) {
	ss := newStreamServer(t, 10, 1, api.Limits{MaxSubsPerConn: 2}, api.HubLimits{MaxReplay: 5, MaxSubs: 3})
	w := mustDial(t, ss.url)
	cases := []struct {
		name   string
		params string
		code   int
		text   string
	}{
		{"unknown topic", `{"topic":"gossip"}`, wire.CodeInvalidParams, "unknown topic"},
		{"unknown field", `{"topic":"orders","merchnt":"0x11"}`, wire.CodeInvalidParams, "merchnt"},
		{"filter of another topic", `{"topic":"newBlocks","merchant":"` + merchantX.Hex() + `"}`, wire.CodeInvalidParams, "no \"merchant\" filter"},
		{"bad address", `{"topic":"orders","merchant":"0x12"}`, wire.CodeInvalidParams, "merchant"},
		{"cursor too old", `{"topic":"events","from":{"height":2,"index":0}}`, wire.CodeLimit, "replays at most 5"},
		{"index below -1", `{"topic":"events","from":{"height":9,"index":-2}}`, wire.CodeInvalidParams, "from.index"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w.t = t
			w.send(`{"jsonrpc":"2.0","id":7,"method":"accord_subscribe","params":[` + tc.params + `]}`)
			m := w.mustRead()
			if m.Error == nil || m.Error.Code != tc.code || !strings.Contains(m.Error.Message, tc.text) {
				t.Fatalf("got %+v, want code %d mentioning %q", m.Error, tc.code, tc.text)
			}
		})
	}
	w.t = t
	if n := ss.hub.Subscriptions(); n != 0 {
		t.Fatalf("%d subscriptions after refusals", n)
	}
	w.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
	id := w.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
	if m, _ := w.call(wire.MethodSubscribe, views.Subscribe{Topic: views.TopicNewBlocks}); m.Error == nil || m.Error.Code != wire.CodeLimit {
		t.Fatalf("third subscription on a connection: %+v", m)
	}
	w2 := mustDial(t, ss.url)
	w2.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
	if m, _ := w2.call(wire.MethodSubscribe, views.Subscribe{Topic: views.TopicNewBlocks}); m.Error == nil || !strings.Contains(m.Error.Message, api.ErrTooManySubs.Error()) {
		t.Fatalf("subscription past the node's total: %+v", m)
	}
	// Unsubscribing frees the slot.
	if m, _ := w.call(wire.MethodUnsubscribe, id); string(m.Result) != "true" {
		t.Fatalf("unsubscribe: %+v", m)
	}
	if m, _ := w.call(wire.MethodUnsubscribe, id); string(m.Result) != "false" {
		t.Fatalf("second unsubscribe: %+v", m)
	}
	w2.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
}

// A consumer that stops reading is dropped once its buffer is full and
// told so after what it was owed; the hub never waits for it.
func TestSlowConsumerIsDropped(t *testing.T) {
	ss := newStreamServer(t, 0, 3, api.Limits{WSWriteTimeout: time.Minute}, api.HubLimits{Buffer: 4})
	ss.src.pad = 16 << 10 // ~48 KiB per block, so socket buffers fill
	slow := mustDial(t, ss.url)
	id := slow.subscribe(views.Subscribe{Topic: views.TopicEvents})
	fast := mustDial(t, ss.url)
	fid := fast.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
	const blocks = 600
	// Nobody reads slow; each commit is waited for through the fast
	// subscriber, so the hub publishes every block while slow is stuck.
	for h := 1; h <= blocks; h++ {
		ss.commit(t, 1)
		m := fast.mustRead()
		if m.Params == nil || m.Params.Subscription != fid {
			t.Fatalf("fast subscriber got %+v", m)
		}
	}
	if n := ss.hub.Subscriptions(); n != 1 {
		t.Fatalf("%d subscriptions, want only the fast one (the slow one dropped)", n)
	}
	// What slow reads now is gap-free from the start, then the notice.
	next := views.Cursor{Height: 1, Index: 0}
	for {
		n, err := slow.nextEvent(id)
		if errors.Is(err, errEnded) {
			if !strings.Contains(err.Error(), "fell 4 blocks behind") {
				t.Fatalf("drop notice: %v", err)
			}
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n.Cursor != next {
			t.Fatalf("cursor %+v, want %+v", n.Cursor, next)
		}
		if next.Index++; next.Index == 3 {
			next = views.Cursor{Height: next.Height + 1}
		}
	}
	if next.Height > blocks {
		t.Fatalf("slow consumer received all %d blocks; it was not dropped", blocks)
	}
}

// Close ends every connection.
func TestServerCloseEndsConnections(t *testing.T) {
	ss := newStreamServer(t, 0, 0, api.Limits{}, api.HubLimits{})
	w := mustDial(t, ss.url)
	w.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
	ss.srv.Close()
	if _, err := w.read(); err == nil {
		t.Fatal("connection alive after Close")
	}
	if n := ss.srv.WSConns(); n != 0 {
		t.Fatalf("%d connections after Close", n)
	}
}

// With nobody subscribed the hub reads no block; a later subscriber gets
// them replayed.
func TestHubReadsNothingWithoutSubscribers(t *testing.T) {
	ss := newStreamServer(t, 0, 1, api.Limits{}, api.HubLimits{})
	ss.commit(t, 5)
	for ss.hub.Head() != 5 {
		waitBriefly()
	}
	ss.src.mu.Lock()
	loads := ss.src.loads
	ss.src.mu.Unlock()
	if loads != 0 {
		t.Fatalf("%d blocks read with no subscriber", loads)
	}
	w := mustDial(t, ss.url)
	id := w.subscribe(views.Subscribe{Topic: views.TopicNewBlocks, From: &views.Cursor{Height: 1, Index: -1}})
	for h := uint64(1); h <= 5; h++ {
		m := w.mustRead()
		var n views.BlockNote
		if m.Params == nil || m.Params.Subscription != id || json.Unmarshal(m.Params.Result, &n) != nil || n.Block.Height != h {
			t.Fatalf("want block %d, got %+v", h, m)
		}
	}
}

// A client that stops reading is disconnected once a write has waited
// WSWriteTimeout, freeing its connection slot.
func TestWriteTimeoutDisconnectsAStalledClient(t *testing.T) {
	ss := newStreamServer(t, 0, 3, api.Limits{WSWriteTimeout: 200 * time.Millisecond}, api.HubLimits{})
	ss.src.pad = 16 << 10
	stalled := mustDial(t, ss.url)
	stalled.subscribe(views.Subscribe{Topic: views.TopicEvents})
	live := mustDial(t, ss.url)
	lid := live.subscribe(views.Subscribe{Topic: views.TopicNewBlocks})
	// Commit until the stalled connection is gone; each block is waited
	// for through the live one.
	for h := 1; ss.srv.WSConns() == 2; h++ {
		if h > 5000 {
			t.Fatal("the stalled client was never disconnected")
		}
		ss.commit(t, 1)
		if m := live.mustRead(); m.Params == nil || m.Params.Subscription != lid {
			t.Fatalf("live client got %+v", m)
		}
	}
	if m, _ := live.call("test_echo", 1); m.Error != nil {
		t.Fatalf("the live client was cut too: %v", m.Error)
	}
}
