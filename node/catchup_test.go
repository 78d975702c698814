package node

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/types"
)

// fakePeers is a peerHeights whose peers and heights the test sets.
type fakePeers struct {
	mu      sync.Mutex
	peers   []types.Address
	heights map[types.Address]uint64 // missing: the query fails
	asked   map[types.Address]int
	changed chan struct{}
	reads   chan struct{} // one send per Peers call
}

func newFakePeers() *fakePeers {
	return &fakePeers{heights: map[types.Address]uint64{}, asked: map[types.Address]int{}, changed: make(chan struct{}), reads: make(chan struct{}, 64)}
}

func (f *fakePeers) Peers() []types.Address {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads <- struct{}{}
	return append([]types.Address(nil), f.peers...)
}

func (f *fakePeers) PeerHeight(_ context.Context, a types.Address) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked[a]++
	h, ok := f.heights[a]
	if !ok {
		return 0, errors.New("unavailable")
	}
	return h, nil
}

func (f *fakePeers) PeersChanged() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.changed
}

// set replaces the peers and heights, signals the change and waits until
// the watcher has read the new peers, so no state is skipped.
func (f *fakePeers) set(peers []types.Address, heights map[types.Address]uint64) {
	defer func() { <-f.reads }()
	f.mu.Lock()
	f.peers = peers
	for a, h := range heights {
		f.heights[a] = h
	}
	close(f.changed)
	f.changed = make(chan struct{})
	f.mu.Unlock()
}

func (f *fakePeers) timesAsked(a types.Address) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked[a]
}

type hintCall struct {
	peer   types.Address
	height uint64
}

func TestWatchPeerHeights(t *testing.T) {
	a, b, c := types.Address{0xa}, types.Address{0xb}, types.Address{0xc}
	f := newFakePeers()
	hints := make(chan hintCall, 16)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		watchPeerHeights(ctx, f, func() uint64 { return 10 }, func(p types.Address, h uint64) { hints <- hintCall{p, h} })
	}()
	defer func() { cancel(); <-done }()
	<-f.reads // the first look, at no peers

	expect := func(want hintCall) {
		t.Helper()
		select {
		case got := <-hints:
			if got != want {
				t.Fatalf("hint %+v, want %+v", got, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no hint, want %+v", want)
		}
	}
	// A peer at our height is no reason to sync; one ahead is, and the
	// highest of those connecting together is the one hinted.
	f.set([]types.Address{a}, map[types.Address]uint64{a: 10})
	f.set([]types.Address{a, b, c}, map[types.Address]uint64{b: 15, c: 12})
	expect(hintCall{b, 15})
	// Known peers are not asked again; a peer whose query failed is.
	f.set([]types.Address{a, b, c, {0xd}}, nil)
	f.set([]types.Address{a, b, c, {0xd}}, map[types.Address]uint64{{0xd}: 30})
	expect(hintCall{types.Address{0xd}, 30})
	if n := f.timesAsked(a); n != 1 {
		t.Fatalf("connected peer asked %d times, want 1", n)
	}
	// A peer that drops and reconnects is asked again.
	f.set([]types.Address{a, c}, map[types.Address]uint64{b: 40})
	f.set([]types.Address{a, b, c}, nil)
	expect(hintCall{b, 40})
	select {
	case h := <-hints:
		t.Fatalf("unexpected hint %+v", h)
	default:
	}
}
