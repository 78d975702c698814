package p2p

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"io"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"

	"github.com/accordnet/accord/types"
)

const (
	testChain   = "accord-test"
	waitTimeout = 10 * time.Second

	// Listen addresses on 127.0.0.1 with a free port, one per transport.
	listenTCP  = "/ip4/127.0.0.1/tcp/0"
	listenQUIC = "/ip4/127.0.0.1/udp/0/quic-v1"
)

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ethcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testLogger discards logs unless P2P_TEST_LOG is set; extra handlers (such
// as a refusal watcher) see every record either way.
func testLogger(extra ...slog.Handler) *slog.Logger {
	var hs []slog.Handler
	if os.Getenv("P2P_TEST_LOG") != "" {
		hs = append(hs, slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	hs = append(hs, extra...)
	if len(hs) == 0 {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return slog.New(fanout(hs))
}

type fanout []slog.Handler

func (f fanout) Enabled(context.Context, slog.Level) bool { return true }
func (f fanout) Handle(ctx context.Context, r slog.Record) error {
	for _, h := range f {
		if h.Enabled(ctx, r.Level) {
			_ = h.Handle(ctx, r.Clone())
		}
	}
	return nil
}
func (f fanout) WithAttrs(as []slog.Attr) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithAttrs(as)
	}
	return out
}
func (f fanout) WithGroup(g string) slog.Handler {
	out := make(fanout, len(f))
	for i, h := range f {
		out[i] = h.WithGroup(g)
	}
	return out
}

// logWatch signals every record whose message is msg, rendered as text.
type logWatch struct {
	msg   string
	attrs []slog.Attr
	ch    chan string
}

func newLogWatch(msg string) *logWatch {
	return &logWatch{msg: msg, ch: make(chan string, 1024)}
}

func (w *logWatch) Enabled(context.Context, slog.Level) bool { return true }
func (w *logWatch) Handle(_ context.Context, r slog.Record) error {
	if r.Message != w.msg {
		return nil
	}
	var b bytes.Buffer
	h := slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})
	_ = h.WithAttrs(w.attrs).Handle(context.Background(), r)
	select {
	case w.ch <- b.String():
	default:
	}
	return nil
}
func (w *logWatch) WithAttrs(as []slog.Attr) slog.Handler {
	return &logWatch{msg: w.msg, attrs: append(append([]slog.Attr{}, w.attrs...), as...), ch: w.ch}
}
func (w *logWatch) WithGroup(string) slog.Handler { return w }

// waitLog waits for a watched record containing every one of parts.
func (w *logWatch) wait(t *testing.T, parts ...string) string {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		select {
		case line := <-w.ch:
			ok := true
			for _, p := range parts {
				ok = ok && strings.Contains(line, p)
			}
			if ok {
				return line
			}
		case <-timer.C:
			t.Fatalf("no %q log containing %q", w.msg, parts)
			return ""
		}
	}
}

type testNode struct {
	*Host
	key   *ecdsa.PrivateKey
	inbox map[Topic]*inbox
}

type netOpts struct {
	allow     func(i int, all []types.Address) []types.Address // default: everyone
	bootstrap func(i int, started []*testNode) []string        // default: every node started before
	cfg       func(i int, c *Config)
}

// startNet starts n hosts on 127.0.0.1 (free ports); each subscribes to
// every topic into an inbox. Node i bootstraps from nodes 0..i-1 unless
// opts say otherwise.
func startNet(t *testing.T, n int, opts netOpts) []*testNode {
	t.Helper()
	keys := make([]*ecdsa.PrivateKey, n)
	addrs := make([]types.Address, n)
	for i := range keys {
		keys[i] = newKey(t)
		addrs[i] = types.PubkeyAddress(keys[i])
	}
	var nodes []*testNode
	for i := range n {
		allow := addrs
		if opts.allow != nil {
			allow = opts.allow(i, addrs)
		}
		var boot []string
		if opts.bootstrap != nil {
			boot = opts.bootstrap(i, nodes)
		} else {
			for _, p := range nodes {
				boot = append(boot, p.Addrs()...)
			}
		}
		cfg := Config{
			ListenAddr: listenTCP,
			Key:        keys[i],
			ChainID:    testChain,
			AllowList:  allow,
			Bootstrap:  boot,
			Logger:     testLogger(),
		}
		if opts.cfg != nil {
			opts.cfg(i, &cfg)
		}
		nodes = append(nodes, startNode(t, cfg))
	}
	return nodes
}

func startNode(t *testing.T, cfg Config) *testNode {
	t.Helper()
	h, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { _ = h.Close() })
	tn := &testNode{Host: h, key: cfg.Key, inbox: make(map[Topic]*inbox)}
	for _, tp := range Topics() {
		in := newInbox()
		if err := h.Subscribe(tp, in.handle); err != nil {
			t.Fatalf("Subscribe: %v", err)
		}
		tn.inbox[tp] = in
	}
	return tn
}

// transports returns the transport ("tcp", "quic-v1") of each of n's
// connections, sorted and without repeats.
func (n *testNode) transports() []string {
	var out []string
	for _, c := range n.host.Network().Conns() {
		out = append(out, c.ConnState().Transport)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func addrsOf(nodes ...*testNode) []types.Address {
	out := make([]types.Address, len(nodes))
	for i, n := range nodes {
		out[i] = n.Address()
	}
	return out
}

func ctxTimeout(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	t.Cleanup(cancel)
	return ctx
}

// waitMesh waits until every node sees want peers subscribed to every topic.
func waitMesh(t *testing.T, want int, nodes ...*testNode) {
	t.Helper()
	ctx := ctxTimeout(t)
	for _, n := range nodes {
		for _, tp := range Topics() {
			if err := n.WaitTopicPeers(ctx, tp, want); err != nil {
				t.Fatalf("node %s: %v (peers %v)", n.Address(), err, n.Peers())
			}
		}
	}
}

type message struct {
	from types.Address
	data string
}

// inbox records delivered messages and wakes waiters.
type inbox struct {
	mu   sync.Mutex
	msgs []message
	wake chan struct{}
}

func newInbox() *inbox { return &inbox{wake: make(chan struct{})} }

func (in *inbox) handle(from types.Address, data []byte) {
	in.mu.Lock()
	in.msgs = append(in.msgs, message{from, string(data)})
	close(in.wake)
	in.wake = make(chan struct{})
	in.mu.Unlock()
}

func (in *inbox) snapshot() ([]message, chan struct{}) {
	in.mu.Lock()
	defer in.mu.Unlock()
	return append([]message(nil), in.msgs...), in.wake
}

// wait returns the first message with data; it fails the test on timeout.
func (in *inbox) wait(t *testing.T, data string) message {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		msgs, wake := in.snapshot()
		for _, m := range msgs {
			if m.data == data {
				return m
			}
		}
		select {
		case <-wake:
		case <-timer.C:
			t.Fatalf("message %.40q not delivered; have %d messages", data, len(msgs))
		}
	}
}

// has reports whether any message with data was delivered.
func (in *inbox) has(data string) bool {
	msgs, _ := in.snapshot()
	for _, m := range msgs {
		if m.data == data {
			return true
		}
	}
	return false
}

func waitErr[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitTimeout):
		t.Fatal("timed out waiting for event")
	}
	var zero T
	return zero
}

// waitInMesh waits until n's gossipsub mesh for tp holds every one of
// peers, so messages n relays reach them directly.
func waitInMesh(t *testing.T, n *testNode, tp Topic, peers ...*testNode) {
	t.Helper()
	ctx := ctxTimeout(t)
	for {
		ch := n.changes()
		mesh := n.MeshPeers(tp)
		all := true
		for _, p := range peers {
			all = all && slices.Contains(mesh, p.Address())
		}
		if all {
			return
		}
		select {
		case <-ch:
		case <-ctx.Done():
			t.Fatalf("mesh of %s on %s is %v, want %v", n.Address(), tp, mesh, addrsOf(peers...))
		}
	}
}
