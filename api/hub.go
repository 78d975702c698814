package api

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
)

// HubLimits bound the subscription stream. Zero fields take the defaults.
type HubLimits struct {
	// Buffer is how many committed blocks one subscription may have
	// waiting; a subscriber further behind is told and dropped, so a slow
	// consumer costs the node at most this much, and never a stalled commit.
	Buffer int
	// MaxSubs bounds the subscriptions of all connections together.
	MaxSubs int
	// MaxReplay is how many blocks behind the head a resume cursor may be.
	MaxReplay uint64
}

// Hub defaults.
const (
	DefaultSubBuffer = 256
	DefaultMaxSubs   = 10_000
	DefaultMaxReplay = 100_000
)

func (l HubLimits) withDefaults() HubLimits {
	if l.Buffer <= 0 {
		l.Buffer = DefaultSubBuffer
	}
	if l.MaxSubs <= 0 {
		l.MaxSubs = DefaultMaxSubs
	}
	if l.MaxReplay == 0 {
		l.MaxReplay = DefaultMaxReplay
	}
	return l
}

// Hub fans committed blocks out to subscriptions. The node calls Notify
// after each commit (it never blocks); Run reads the new blocks from the
// Source on its own goroutine and hands each to every subscription's
// bounded buffer without waiting for any of them.
type Hub struct {
	src  Source
	log  *slog.Logger
	lim  HubLimits
	wake chan struct{}

	mu     sync.Mutex
	head   uint64 // last block handed to subscribers
	subs   map[*hubSub]struct{}
	closed bool
}

// hubSub is a subscription's side of the hub: its buffer, closed by the
// hub (with why) when it drops the subscription.
type hubSub struct {
	ch     chan *Committed
	reason string // set before ch is closed
}

// Hub errors.
var (
	ErrTooManySubs = errors.New("too many subscriptions")
	ErrHubClosed   = errors.New("node shutting down")
)

// NewHub returns a hub that starts at src's current head.
func NewHub(src Source, lim HubLimits, log *slog.Logger) *Hub {
	if log == nil {
		log = slog.Default()
	}
	return &Hub{src: src, log: log, lim: lim.withDefaults(), wake: make(chan struct{}, 1),
		head: src.Head(), subs: map[*hubSub]struct{}{}}
}

// Notify tells the hub a block was committed.
func (h *Hub) Notify() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run publishes committed blocks until ctx ends, then ends every
// subscription.
func (h *Hub) Run(ctx context.Context) {
	defer h.close()
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.wake:
		}
		h.catchUp(ctx)
	}
}

// catchUp publishes every block committed since the last one published. A
// block it cannot read is retried on the next commit.
func (h *Hub) catchUp(ctx context.Context) {
	for ctx.Err() == nil {
		top := h.src.Head()
		h.mu.Lock()
		if len(h.subs) == 0 {
			// Nobody to tell: skip reading and encoding the blocks. A
			// subscriber that comes later replays from the source.
			h.head = max(h.head, top)
			h.mu.Unlock()
			return
		}
		next := h.head + 1
		h.mu.Unlock()
		if next > top {
			return
		}
		c, err := h.src.Load(next)
		if err != nil {
			h.log.Error("subscription stream cannot read a committed block", "height", next, "err", err)
			return
		}
		h.Publish(c)
	}
}

// Publish hands block c (the one after the last published) to every
// subscription. Run calls it; tests and benchmarks may drive a hub with it
// instead.
func (h *Hub) Publish(c *Committed) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed || c.Height != h.head+1 {
		return
	}
	h.head = c.Height
	for s := range h.subs {
		select {
		case s.ch <- c:
		default:
			s.reason = "subscription dropped: the consumer fell " + strconv.Itoa(h.lim.Buffer) +
				" blocks behind; resubscribe from the last cursor received"
			close(s.ch)
			delete(h.subs, s)
		}
	}
}

// subscribe adds a subscription; the blocks it will receive are those
// after head.
func (h *Hub) subscribe() (s *hubSub, head uint64, err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, 0, ErrHubClosed
	}
	if len(h.subs) >= h.lim.MaxSubs {
		return nil, 0, ErrTooManySubs
	}
	s = &hubSub{ch: make(chan *Committed, h.lim.Buffer)}
	h.subs[s] = struct{}{}
	return s, h.head, nil
}

// unsubscribe removes s if the hub has not dropped it already.
func (h *Hub) unsubscribe(s *hubSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[s]; ok {
		delete(h.subs, s)
		close(s.ch)
	}
}

// Subscriptions is the number of live subscriptions.
func (h *Hub) Subscriptions() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Head is the last block published.
func (h *Hub) Head() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.head
}

func (h *Hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for s := range h.subs {
		s.reason = "subscription ended: " + ErrHubClosed.Error()
		close(s.ch)
		delete(h.subs, s)
	}
}
