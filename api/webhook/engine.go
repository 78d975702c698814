package webhook

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/accordnet/accord/ledger/kv"
)

// Engine delivers events to registered endpoints. Its methods are safe for
// concurrent use.
type Engine struct {
	cfg  Config
	db   kv.DB
	k    keys
	m    *metrics
	log  *slog.Logger
	clk  Clock
	ctx  context.Context
	stop context.CancelFunc

	// mu serialises every write to the store and guards the fields below.
	mu        sync.Mutex
	closed    bool
	endpoints map[string]*Endpoint
	order     []string // endpoint IDs, sorted
	stats     map[string]epStats
	seq       uint64
	fed       uint64 // highest block height fed

	// imu guards the in-flight bookkeeping shared by the scheduler and the
	// delivering goroutines.
	imu      sync.Mutex
	busy     int
	perEP    map[string]int
	inflight map[string]bool // queue keys being attempted

	wake     chan struct{}
	syncReq  chan chan int
	loopDone chan struct{}
	workers  sync.WaitGroup
	rr       int // round-robin start among endpoints
}

// Open loads the endpoints and queue from cfg.Store and starts delivering:
// deliveries already due (left pending by a previous run) go out at once.
func Open(cfg Config) (*Engine, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	m, err := newMetrics(cfg.Registerer)
	if err != nil {
		return nil, fmt.Errorf("webhook: metrics: %w", err)
	}
	e := &Engine{
		cfg: cfg, db: cfg.Store, k: keys{cfg.Prefix}, m: m, log: cfg.Logger, clk: cfg.Clock,
		endpoints: map[string]*Endpoint{}, stats: map[string]epStats{},
		perEP: map[string]int{}, inflight: map[string]bool{},
		wake: make(chan struct{}, 1), syncReq: make(chan chan int), loopDone: make(chan struct{}),
	}
	if err := e.load(); err != nil {
		return nil, err
	}
	e.ctx, e.stop = context.WithCancel(context.Background())
	go e.loop()
	return e, nil
}

func (e *Engine) load() error {
	it, err := e.db.Iterator(e.k.endpoints(), kv.PrefixEnd(e.k.endpoints()))
	if err != nil {
		return err
	}
	defer it.Close()
	pending := 0
	for it.Next() {
		var ep Endpoint
		if err := getJSON(e.db, it.Key(), &ep); err != nil {
			return err
		}
		var st epStats
		if err := getJSON(e.db, e.k.stats(ep.ID), &st); err != nil && !isNotFound(err) {
			return err
		}
		e.endpoints[ep.ID] = &ep
		e.order = append(e.order, ep.ID)
		e.stats[ep.ID] = st
		pending += st.Pending
	}
	if err := it.Err(); err != nil {
		return err
	}
	slices.Sort(e.order)
	if b, err := e.db.Get(e.k.seq()); err == nil && len(b) == 8 {
		e.seq = binary.BigEndian.Uint64(b)
	} else if err != nil && !isNotFound(err) {
		return err
	}
	if b, err := e.db.Get(e.k.fed()); err == nil && len(b) == 8 {
		e.fed = binary.BigEndian.Uint64(b)
	} else if err != nil && !isNotFound(err) {
		return err
	}
	e.m.pending.Set(float64(pending))
	return nil
}

// Close stops delivering and waits for attempts in flight, which are
// abandoned (not recorded): they stay queued and go out again after the
// next Open. It does not close the store.
func (e *Engine) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return ErrClosed
	}
	e.closed = true
	e.mu.Unlock()
	e.stop()
	<-e.loopDone
	e.workers.Wait()
	return nil
}

func (e *Engine) poke() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

// AddEndpoint registers an endpoint and returns it, secret included (the
// only call that returns the secret).
func (e *Engine) AddEndpoint(spec EndpointSpec) (Endpoint, error) {
	spec, err := spec.normalize()
	if err != nil {
		return Endpoint{}, err
	}
	id, err := newEndpointID()
	if err != nil {
		return Endpoint{}, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return Endpoint{}, ErrClosed
	}
	if len(e.endpoints) >= e.cfg.MaxEndpoints {
		return Endpoint{}, fmt.Errorf("%w (max %d)", ErrTooManyEndpoints, e.cfg.MaxEndpoints)
	}
	ep := &Endpoint{ID: id, URL: spec.URL, Secret: spec.Secret, Types: spec.Types, Merchants: spec.Merchants,
		Created: e.clk.Now().UTC()}
	b := e.db.NewBatch()
	defer b.Close()
	if err := setJSON(b, e.k.endpoint(id), ep); err != nil {
		return Endpoint{}, err
	}
	if err := setJSON(b, e.k.stats(id), epStats{}); err != nil {
		return Endpoint{}, err
	}
	if err := b.Commit(); err != nil {
		return Endpoint{}, fmt.Errorf("webhook: add endpoint: %w", err)
	}
	e.endpoints[id] = ep
	e.order = append(e.order, id)
	slices.Sort(e.order)
	e.stats[id] = epStats{}
	e.log.Info("webhook endpoint added", "endpoint", id, "url", ep.URL)
	return *ep, nil
}

// Endpoints lists the registered endpoints, secrets left out.
func (e *Engine) Endpoints() []Endpoint {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]Endpoint, 0, len(e.order))
	for _, id := range e.order {
		ep := *e.endpoints[id]
		ep.Secret = ""
		out = append(out, ep)
	}
	return out
}

// Pending returns how many deliveries to the endpoint wait.
func (e *Engine) Pending(endpointID string) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, ok := e.endpoints[endpointID]; !ok {
		return 0, fmt.Errorf("%w: %s", ErrEndpointNotFound, endpointID)
	}
	return e.stats[endpointID].Pending, nil
}

// RemoveEndpoint deletes an endpoint with its queue and delivery log.
func (e *Engine) RemoveEndpoint(id string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if _, ok := e.endpoints[id]; !ok {
		return fmt.Errorf("%w: %s", ErrEndpointNotFound, id)
	}
	// The endpoint key goes first, in its own batch: if the node stops half
	// way, the rest is orphaned data, never a half-registered endpoint.
	b := e.db.NewBatch()
	_ = b.Delete(e.k.endpoint(id))
	_ = b.Delete(e.k.stats(id))
	if err := b.Commit(); err != nil {
		return fmt.Errorf("webhook: remove endpoint %s: %w", id, err)
	}
	pending := e.stats[id].Pending
	delete(e.endpoints, id)
	delete(e.stats, id)
	e.order = slices.DeleteFunc(e.order, func(s string) bool { return s == id })
	e.m.pending.Sub(float64(pending))
	for _, p := range [][]byte{e.k.queue(id), e.k.deliveries(id), e.k.indexes(id)} {
		if err := e.deleteRange(p); err != nil {
			return fmt.Errorf("webhook: remove endpoint %s: %w", id, err)
		}
	}
	return nil
}

// deleteRange deletes every key under prefix, in batches small enough for
// any engine.
func (e *Engine) deleteRange(prefix []byte) error {
	for {
		it, err := e.db.Iterator(prefix, kv.PrefixEnd(prefix))
		if err != nil {
			return err
		}
		b := e.db.NewBatch()
		for it.Next() && b.Len() < 1000 {
			_ = b.Delete(it.Key())
		}
		err = it.Err()
		it.Close()
		n := b.Len()
		if err == nil {
			err = b.Commit()
		}
		b.Close()
		if err != nil || n < 1000 {
			return err
		}
	}
}

// Publish queues the events for every endpoint whose filter matches. An
// event already queued for an endpoint (same ID) is skipped. Invalid input
// changes nothing. All events go in one atomic, durable write, so the node
// feeds a block's events in one call.
func (e *Engine) Publish(events ...Event) error {
	return e.publish(0, events)
}

// PublishBlock publishes a committed block's events (possibly none) and, in
// the same durable write, records height as fed. On start-up the node feeds
// every block above FedHeight, so a crash between committing a block and
// feeding it loses no event.
func (e *Engine) PublishBlock(height uint64, events []Event) error {
	if height == 0 {
		return fmt.Errorf("%w: block height 0", ErrInvalidEvent)
	}
	return e.publish(height, events)
}

// FedHeight returns the highest height given to PublishBlock (0 if none).
func (e *Engine) FedHeight() uint64 {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.fed
}

func (e *Engine) publish(height uint64, events []Event) error {
	bodies := make([][]byte, len(events))
	for i := range events {
		if err := events[i].validate(e.cfg.MaxBodyBytes); err != nil {
			return err
		}
		b, err := events[i].body()
		if err != nil {
			return fmt.Errorf("%w: event %s: %v", ErrInvalidEvent, events[i].ID, err)
		}
		bodies[i] = b
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	now := e.clk.Now().UTC()
	b := e.db.NewBatch()
	defer b.Close()
	seq := e.seq
	stats := map[string]epStats{}
	seen := map[string]bool{}
	queued, dropped := 0, 0
	for i := range events {
		ev := &events[i]
		for _, id := range e.order {
			ep := e.endpoints[id]
			if !ep.wants(ev) {
				continue
			}
			ik := e.k.index(id, ev.ID)
			if seen[string(ik)] {
				continue
			}
			if ok, err := e.db.Has(ik); err != nil {
				return err
			} else if ok {
				continue
			}
			seen[string(ik)] = true
			st, ok := stats[id]
			if !ok {
				st = e.stats[id]
			}
			seq++
			d := Delivery{EndpointID: id, EventID: ev.ID, EventType: ev.Type, Seq: seq, State: StatePending,
				Created: now, WindowStart: now, NextAt: now, Body: bodies[i]}
			if st.Pending >= e.cfg.MaxPendingPerEndpoint {
				d.State, d.NextAt = StateDropped, time.Time{}
				dropped++
				e.log.Warn("webhook queue full, event dropped", "endpoint", id, "event", ev.ID,
					"pending", st.Pending)
			} else {
				st.Pending++
				queued++
				if err := b.Set(e.k.queued(id, now, seq), nil); err != nil {
					return err
				}
			}
			st.Records++
			if err := setJSON(b, e.k.delivery(id, seq), &d); err != nil {
				return err
			}
			if err := b.Set(ik, be8(seq)); err != nil {
				return err
			}
			stats[id] = st
		}
	}
	fed := max(e.fed, height)
	if seq == e.seq && fed == e.fed {
		return nil
	}
	for id, st := range stats {
		if over := st.Records - e.cfg.MaxLogPerEndpoint; over > 0 {
			n, err := e.prune(b, id, over)
			if err != nil {
				return err
			}
			st.Records -= n
		}
		if err := setJSON(b, e.k.stats(id), st); err != nil {
			return err
		}
		stats[id] = st
	}
	if err := b.Set(e.k.seq(), be8(seq)); err != nil {
		return err
	}
	if err := b.Set(e.k.fed(), be8(fed)); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return fmt.Errorf("webhook: publish: %w", err)
	}
	e.seq, e.fed = seq, fed
	for id, st := range stats {
		e.stats[id] = st
	}
	e.m.pending.Add(float64(queued))
	if dropped > 0 {
		e.m.deliveries.WithLabelValues(ResultDropped).Add(float64(dropped))
	}
	e.poke()
	return nil
}

// prune deletes up to n of the endpoint's oldest finished records (pending
// ones are kept) into b and returns how many.
func (e *Engine) prune(b kv.Batch, id string, n int) (int, error) {
	p := e.k.deliveries(id)
	it, err := e.db.Iterator(p, kv.PrefixEnd(p))
	if err != nil {
		return 0, err
	}
	defer it.Close()
	done := 0
	for done < n && it.Next() {
		var d Delivery
		if err := jsonUnmarshal(it.Value(), &d); err != nil {
			return 0, err
		}
		if d.State == StatePending {
			continue
		}
		if err := b.Delete(it.Key()); err != nil {
			return 0, err
		}
		if err := b.Delete(e.k.index(id, d.EventID)); err != nil {
			return 0, err
		}
		done++
	}
	return done, it.Err()
}

// Delivery returns the record of an event for an endpoint.
func (e *Engine) Delivery(endpointID, eventID string) (Delivery, error) {
	if !validEndpointID(endpointID) || !validToken(eventID, maxIDLen) {
		return Delivery{}, fmt.Errorf("%w: %s/%s", ErrDeliveryNotFound, endpointID, eventID)
	}
	d, _, err := e.lookup(endpointID, eventID)
	return d, err
}

func (e *Engine) lookup(endpointID, eventID string) (Delivery, []byte, error) {
	sb, err := e.db.Get(e.k.index(endpointID, eventID))
	if isNotFound(err) {
		return Delivery{}, nil, fmt.Errorf("%w: %s/%s", ErrDeliveryNotFound, endpointID, eventID)
	} else if err != nil {
		return Delivery{}, nil, err
	}
	if len(sb) != 8 {
		return Delivery{}, nil, fmt.Errorf("%w: index %s/%s", ErrCorruptRecord, endpointID, eventID)
	}
	key := e.k.delivery(endpointID, binary.BigEndian.Uint64(sb))
	var d Delivery
	if err := getJSON(e.db, key, &d); isNotFound(err) {
		return Delivery{}, nil, fmt.Errorf("%w: %s/%s", ErrDeliveryNotFound, endpointID, eventID)
	} else if err != nil {
		return Delivery{}, nil, err
	}
	return d, key, nil
}

// Page is one page of the delivery log.
type Page struct {
	Deliveries []Delivery `json:"deliveries"`
	// Next is the cursor of the following page; empty on the last one.
	Next string `json:"next,omitempty"`
}

// MaxPageSize bounds Deliveries' limit.
const MaxPageSize = 500

// Deliveries lists an endpoint's delivery log, newest first, limit records
// per page (default 50, at most MaxPageSize), from cursor (a Page.Next, or
// "" for the newest). Bodies are left out; Delivery has them.
func (e *Engine) Deliveries(endpointID, cursor string, limit int) (Page, error) {
	e.mu.Lock()
	_, ok := e.endpoints[endpointID]
	e.mu.Unlock()
	if !ok {
		return Page{}, fmt.Errorf("%w: %s", ErrEndpointNotFound, endpointID)
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, MaxPageSize)
	start := e.k.deliveries(endpointID)
	end := kv.PrefixEnd(start)
	if cursor != "" {
		c, err := hex.DecodeString(cursor)
		if err != nil || len(c) != 8 {
			return Page{}, fmt.Errorf("%w: %q", ErrBadCursor, cursor)
		}
		end = e.k.delivery(endpointID, binary.BigEndian.Uint64(c))
	}
	it, err := e.db.ReverseIterator(start, end)
	if err != nil {
		return Page{}, err
	}
	defer it.Close()
	var p Page
	for it.Next() {
		if len(p.Deliveries) == limit {
			p.Next = hex.EncodeToString(be8(p.Deliveries[limit-1].Seq))
			break
		}
		var d Delivery
		if err := jsonUnmarshal(it.Value(), &d); err != nil {
			return Page{}, err
		}
		d.Body = nil
		p.Deliveries = append(p.Deliveries, d)
	}
	return p, it.Err()
}

// Redeliver queues an event for an endpoint again, due now, with a fresh
// retry window: a failed or dropped delivery, a delivered one the merchant
// wants again, or a pending one it does not want to wait for. The event ID
// stays the same.
func (e *Engine) Redeliver(endpointID, eventID string) error {
	if !validEndpointID(endpointID) || !validToken(eventID, maxIDLen) {
		return fmt.Errorf("%w: %s/%s", ErrDeliveryNotFound, endpointID, eventID)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return ErrClosed
	}
	if _, ok := e.endpoints[endpointID]; !ok {
		return fmt.Errorf("%w: %s", ErrEndpointNotFound, endpointID)
	}
	d, key, err := e.lookup(endpointID, eventID)
	if err != nil {
		return err
	}
	st := e.stats[endpointID]
	now := e.clk.Now().UTC()
	b := e.db.NewBatch()
	defer b.Close()
	if d.State == StatePending {
		_ = b.Delete(e.k.queued(endpointID, d.NextAt, d.Seq))
	} else {
		if st.Pending >= e.cfg.MaxPendingPerEndpoint {
			return fmt.Errorf("%w: %s has %d pending", ErrQueueFull, endpointID, st.Pending)
		}
		st.Pending++
	}
	d.State, d.NextAt, d.WindowStart, d.DeliveredAt = StatePending, now, now, time.Time{}
	d.Rev++
	if err := b.Set(e.k.queued(endpointID, now, d.Seq), nil); err != nil {
		return err
	}
	if err := setJSON(b, key, &d); err != nil {
		return err
	}
	if err := setJSON(b, e.k.stats(endpointID), st); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return fmt.Errorf("webhook: redeliver: %w", err)
	}
	if e.stats[endpointID].Pending != st.Pending {
		e.m.pending.Inc()
	}
	e.stats[endpointID] = st
	e.poke()
	return nil
}
