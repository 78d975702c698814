package client

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// killableListener remembers its connections so a test can cut them all,
// as a network failure or a node restart would.
type killableListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *killableListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *killableListener) kill() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
	l.conns = nil
}

// chainSource is a synthetic committed chain of blocks with three events
// each.
type chainSource struct {
	mu     sync.Mutex
	blocks []*api.Committed
	pad    int // bytes of padding per event
}

func (s *chainSource) Head() uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return uint64(len(s.blocks))
}

func (s *chainSource) Load(h uint64) (*api.Committed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if h == 0 || h > uint64(len(s.blocks)) {
		return nil, fmt.Errorf("block %d: %w", h, ledger.ErrNotFound)
	}
	return s.blocks[h-1], nil
}

func (s *chainSource) add(t *testing.T) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := uint64(len(s.blocks)) + 1
	blk := &types.Block{Header: types.Header{Height: h, Time: 1000 * h}}
	rc := &types.Receipt{TxHash: types.Hash{byte(h)}}
	for i := range 3 {
		rc.Events = append(rc.Events, types.Event{Type: "bank.transfer", Attrs: []types.Attr{{Key: "n", Value: fmt.Sprint(i)},
			{Key: "pad", Value: strings.Repeat("p", s.pad)}}})
	}
	c, err := api.BuildCommitted(blk, nil, nil, []*types.Receipt{rc}, nil)
	if err != nil {
		t.Fatal(err)
	}
	s.blocks = append(s.blocks, c)
}

type streamNode struct {
	src *chainSource
	hub *api.Hub
	ln  *killableListener
	cl  *Client
}

func (n *streamNode) commit(t *testing.T, k int) {
	for range k {
		n.src.add(t)
	}
	n.hub.Notify()
}

func newStreamNode(t *testing.T, blocks int, hl ...api.HubLimits) *streamNode {
	t.Helper()
	src := &chainSource{}
	for range blocks {
		src.add(t)
	}
	hub := api.NewHub(src, append(hl, api.HubLimits{})[0], slog.New(slog.DiscardHandler))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { hub.Run(ctx); close(done) }()
	srv := api.NewServer(statusBackend{src}, slog.New(slog.DiscardHandler))
	srv.SetHub(hub)
	// The synthetic chain has no ledger; status reports its head.
	srv.Register("accord_status", func(json.RawMessage) (any, error) { return views.Status{Height: src.Head()}, nil })
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln := &killableListener{Listener: raw}
	hs := httptest.NewUnstartedServer(srv)
	hs.Listener = ln
	hs.Start()
	t.Cleanup(func() {
		srv.Close()
		hs.Close()
		cancel()
		<-done
	})
	return &streamNode{src: src, hub: hub, ln: ln, cl: New(hs.URL)}
}

// next reads one note or fails the test after a generous wait.
func next(t *testing.T, s *Subscription) Note {
	t.Helper()
	select {
	case n, ok := <-s.Notes():
		if !ok {
			t.Fatalf("stream ended: %v", s.Err())
		}
		return n
	case <-time.After(30 * time.Second):
		t.Fatal("no notification in 30s")
	}
	return Note{}
}

// Connections are cut mid-stream, and blocks commit while the client is
// away; the stream still carries every event once, in order.
func TestSubscribeSurvivesKilledConnections(t *testing.T) {
	n := newStreamNode(t, 5)
	var reconnects atomic.Int32
	sub, err := n.cl.Subscribe(t.Context(), views.Subscribe{Topic: views.TopicEvents, From: &views.Cursor{Height: 2, Index: 0}},
		SubscribeOptions{MinBackoff: time.Millisecond, OnReconnect: func(error) { reconnects.Add(1) }})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	const last = 20
	want := views.Cursor{Height: 2, Index: 1}
	for got := 0; want.Height <= last; got++ {
		switch {
		case got%7 == 6:
			n.ln.kill()
			n.commit(t, 2) // while the client reconnects
		case got%5 == 4 && n.src.Head() < last:
			n.commit(t, 1)
		}
		if n.src.Head() < want.Height {
			n.commit(t, 1)
		}
		note := next(t, sub)
		if note.Cursor != want {
			t.Fatalf("note %d: cursor %+v, want %+v (a gap or a repeat)", got, note.Cursor, want)
		}
		ev, err := note.Event()
		if err != nil || ev.Cursor != want || ev.Attrs["n"] != fmt.Sprint(want.Index) {
			t.Fatalf("note %d: event %+v (%v)", got, ev, err)
		}
		if want.Index++; want.Index == 3 {
			want = views.Cursor{Height: want.Height + 1}
		}
	}
	if reconnects.Load() < 2 {
		t.Fatalf("%d reconnections: the connection was not cut as the test meant", reconnects.Load())
	}
	sub.Close()
	if sub.Cursor() != (views.Cursor{Height: last, Index: 2}) {
		t.Fatalf("cursor %+v", sub.Cursor())
	}
}

// Without a cursor the stream starts after the head at Subscribe time, and
// a connection lost before the first note still resumes from there.
func TestSubscribeWithoutCursorResumesFromTheStartHead(t *testing.T) {
	n := newStreamNode(t, 3)
	connected := make(chan struct{}, 16)
	sub, err := n.cl.Subscribe(t.Context(), views.Subscribe{Topic: views.TopicNewBlocks},
		SubscribeOptions{MinBackoff: time.Millisecond, OnReconnect: func(error) { connected <- struct{}{} }})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	n.ln.kill()
	<-connected    // the client saw the cut
	n.commit(t, 2) // blocks 4 and 5, committed while it is away
	for h := uint64(4); h <= 5; h++ {
		b, err := next(t, sub).Block()
		if err != nil || b.Block.Height != h {
			t.Fatalf("block %+v (%v), want height %d", b.Block, err, h)
		}
	}
}

// A subscription the node refuses for good ends Subscribe with its error.
func TestSubscribeRefused(t *testing.T) {
	n := newStreamNode(t, 1)
	_, err := n.cl.Subscribe(t.Context(), views.Subscribe{Topic: "nope"}, SubscribeOptions{})
	if err == nil {
		t.Fatal("an unknown topic was accepted")
	}
}

// statusBackend answers accord_status from a chainSource's head.
type statusBackend struct{ src *chainSource }

func (b statusBackend) Ledger() *ledger.Ledger { return nil }
func (statusBackend) SubmitTx([]byte) (types.Hash, error) {
	return types.Hash{}, fmt.Errorf("read-only")
}
func (statusBackend) SubmitTxs(r [][]byte) ([]types.Hash, []error) { return nil, nil }
func (statusBackend) PendingNonce(types.Address) (uint64, bool)    { return 0, false }
func (statusBackend) MempoolSize() int                             { return 0 }
func (statusBackend) Peers() int                                   { return 0 }
func (statusBackend) Validator() types.Address                     { return types.Address{} }
func (statusBackend) TxTypeName(types.TxType) string               { return "" }
func (statusBackend) MinFee() uint64                               { return 0 }
func (statusBackend) Version() string                              { return "test" }
func (statusBackend) CatchingUp() bool                             { return false }

// A client that stops reading is dropped by the node (its buffer of
// blocks fills); once it reads again it gets what it was owed, reconnects
// on the drop notice and resumes with nothing missed or repeated.
func TestSubscribeResumesAfterBeingDroppedAsSlow(t *testing.T) {
	n := newStreamNode(t, 0, api.HubLimits{Buffer: 2})
	n.src.pad = 16 << 10
	var dropped atomic.Int32
	sub, err := n.cl.Subscribe(t.Context(), views.Subscribe{Topic: views.TopicEvents, From: &views.Cursor{}},
		SubscribeOptions{MinBackoff: time.Millisecond, OnReconnect: func(err error) {
			if strings.Contains(err.Error(), "fell 2 blocks behind") {
				dropped.Add(1)
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	// Blocks are committed in rounds until the node gives up on the
	// subscriber: how much the sockets absorb before its buffer fills
	// depends on the kernel, so the test adds load rather than guess it.
	// Nothing is read meanwhile.
	const round, maxBlocks = 200, 3000 // ~9 MiB of notes a round
	blocks := 0
	for n.hub.Subscriptions() != 0 {
		if blocks >= maxBlocks {
			t.Fatalf("%d blocks (~%d MiB of notes) published and the unread subscriber was never dropped", blocks, blocks*48>>10)
		}
		n.commit(t, round)
		blocks += round
		// Wait until the hub has handed out the round or dropped the
		// subscriber (it has no event for this, so poll).
		for n.hub.Head() != uint64(blocks) && n.hub.Subscriptions() != 0 {
			time.Sleep(time.Millisecond)
		}
	}
	want := views.Cursor{Height: 1}
	for want.Height <= uint64(blocks) {
		note := next(t, sub)
		if note.Cursor != want {
			t.Fatalf("cursor %+v, want %+v", note.Cursor, want)
		}
		if want.Index++; want.Index == 3 {
			want = views.Cursor{Height: want.Height + 1}
		}
	}
	if dropped.Load() == 0 {
		t.Fatal("no drop notice reached the client")
	}
}
