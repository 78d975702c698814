package api_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/types"
)

// memSource is a synthetic committed chain: block h has eventsPer events,
// alternating between two merchants' order events and a risk event.
type memSource struct {
	mu        sync.Mutex
	blocks    []*api.Committed // blocks[i] is height i+1
	eventsPer int
	pad       int // bytes of padding per event, to make notifications big
	loads     int // calls of Load
}

var (
	merchantX = types.Address{0x11}
	merchantY = types.Address{0x22}
	acceptorZ = types.Address{0x33}
)

func (s *memSource) Head() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.blocks))
}

func (s *memSource) Load(h uint64) (*api.Committed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	if h == 0 || h > uint64(len(s.blocks)) {
		return nil, fmt.Errorf("block %d not found", h)
	}
	return s.blocks[h-1], nil
}

// add commits one more block and returns it.
func (s *memSource) add(t testing.TB) *api.Committed {
	t.Helper()
	s.mu.Lock()
	h := uint64(len(s.blocks)) + 1
	s.mu.Unlock()
	blk := &types.Block{Header: types.Header{Height: h, Time: 1_000 * h}}
	var evs []types.Event
	for i := 0; i < s.eventsPer; i++ {
		switch i % 3 {
		case 0, 1:
			m := merchantX
			if i%3 == 1 {
				m = merchantY
			}
			evs = append(evs, types.Event{Type: "order.locked", Attrs: []types.Attr{{Key: "id", Value: types.Hash{byte(h), byte(i)}.Hex()},
				{Key: "merchant", Value: m.Hex()}, {Key: "acceptor", Value: acceptorZ.Hex()}, {Key: "pad", Value: strings.Repeat("p", s.pad)}}})
		default:
			evs = append(evs, types.Event{Type: "risk.hit", Attrs: []types.Attr{{Key: "account", Value: merchantX.Hex()}, {Key: "rule", Value: "velocity"}}})
		}
	}
	rc := &types.Receipt{TxHash: types.Hash{0xaa, byte(h)}, Events: evs}
	c, err := api.BuildCommitted(blk, nil, nil, []*types.Receipt{rc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.mu.Lock()
	s.blocks = append(s.blocks, c)
	s.mu.Unlock()
	return c
}

// streamServer is an API server with a hub over a memSource.
type streamServer struct {
	src *memSource
	hub *api.Hub
	srv *api.Server
	hs  *httptest.Server
	url string // ws://…/ws
}

func newStreamServer(t testing.TB, blocks, eventsPer int, l api.Limits, hl api.HubLimits) *streamServer {
	t.Helper()
	src := &memSource{eventsPer: eventsPer}
	for i := 0; i < blocks; i++ {
		src.add(t)
	}
	ss := &streamServer{src: src}
	ss.hub = api.NewHub(src, hl, slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { ss.hub.Run(ctx); close(done) }()
	ss.srv = api.NewServer(backend{}, slog.New(slog.DiscardHandler))
	ss.srv.SetLimits(l)
	ss.srv.SetHub(ss.hub)
	ss.srv.Register("test_echo", func(p json.RawMessage) (any, error) { return p, nil })
	ss.hs = httptest.NewServer(ss.srv)
	ss.url = "ws" + strings.TrimPrefix(ss.hs.URL, "http") + "/ws"
	t.Cleanup(func() {
		ss.srv.Close()
		ss.hs.Close()
		cancel()
		<-done
	})
	return ss
}

// commit adds n blocks to the source and lets the hub publish them.
func (ss *streamServer) commit(t testing.TB, n int) {
	for i := 0; i < n; i++ {
		ss.src.add(t)
	}
	ss.hub.Notify()
}

// wsc is a raw JSON-RPC-over-WebSocket test client.
type wsc struct {
	t  testing.TB
	c  *websocket.Conn
	id int
}

func dialWS(t testing.TB, url string, h http.Header) (*wsc, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		return nil, resp, err
	}
	c.SetReadLimit(64 << 20)
	w := &wsc{t: t, c: c}
	t.Cleanup(func() { _ = c.CloseNow() })
	return w, resp, nil
}

func mustDial(t testing.TB, url string) *wsc {
	t.Helper()
	w, _, err := dialWS(t, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func (w *wsc) send(raw string) {
	w.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := w.c.Write(ctx, websocket.MessageText, []byte(raw)); err != nil {
		w.t.Fatal(err)
	}
}

// msg is any message from the node: a response or a notification.
type msg struct {
	ID     json.RawMessage          `json:"id"`
	Method string                   `json:"method"`
	Result json.RawMessage          `json:"result"`
	Error  *wire.Error              `json:"error"`
	Params *wire.SubscriptionParams `json:"params"`
}

func (w *wsc) read() (msg, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, data, err := w.c.Read(ctx)
	if err != nil {
		return msg{}, err
	}
	var m msg
	if err := json.Unmarshal(data, &m); err != nil {
		return msg{}, fmt.Errorf("%w: %s", err, data)
	}
	return m, nil
}

func (w *wsc) mustRead() msg {
	w.t.Helper()
	m, err := w.read()
	if err != nil {
		w.t.Fatal(err)
	}
	return m
}

// call sends a request and returns its response; notifications that come
// first are returned too.
func (w *wsc) call(method string, params ...any) (msg, []msg) {
	w.t.Helper()
	w.id++
	if params == nil {
		params = []any{}
	}
	raw, _ := json.Marshal(wire.Request[[]any]{JSONRPC: wire.Version, ID: json.RawMessage(fmt.Sprint(w.id)), Method: method, Params: params})
	w.send(string(raw))
	var notes []msg
	for {
		m := w.mustRead()
		if m.Method != "" {
			notes = append(notes, m)
			continue
		}
		if string(m.ID) != fmt.Sprint(w.id) {
			w.t.Fatalf("response id %s, want %d", m.ID, w.id)
		}
		return m, notes
	}
}

// subscribe subscribes and returns the id.
func (w *wsc) subscribe(req views.Subscribe) string {
	w.t.Helper()
	m, _ := w.call(wire.MethodSubscribe, req)
	if m.Error != nil {
		w.t.Fatalf("subscribe %+v: %v", req, m.Error)
	}
	var id string
	if err := json.Unmarshal(m.Result, &id); err != nil {
		w.t.Fatal(err)
	}
	return id
}

var errEnded = errors.New("subscription ended")

// next reads the next notification of subscription id as an event note.
func (w *wsc) nextEvent(id string) (views.EventNote, error) {
	w.t.Helper()
	m, err := w.read()
	if err != nil {
		return views.EventNote{}, err
	}
	if m.Method != wire.MethodNotification || m.Params == nil || m.Params.Subscription != id {
		w.t.Fatalf("want a notification of %s, got %+v", id, m)
	}
	if m.Params.Error != nil {
		return views.EventNote{}, fmt.Errorf("%w: %d %s", errEnded, m.Params.Error.Code, m.Params.Error.Message)
	}
	var n views.EventNote
	if err := json.Unmarshal(m.Params.Result, &n); err != nil {
		w.t.Fatal(err)
	}
	return n, nil
}

// waitBriefly paces a loop that polls for a condition the server reaches
// on its own goroutine with no event to wait on (a closed connection's slot).
func waitBriefly() { time.Sleep(time.Millisecond) }
