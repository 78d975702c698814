package webhook

import (
	"time"
)

// job is one attempt handed to a delivering goroutine.
type job struct {
	ep  string
	key string // queue key, in flight until released
	seq uint64
}

// loop is the scheduler: it dispatches due queue entries, then sleeps until
// the earliest future one, a wake-up (a publish, a redeliver, a finished
// attempt) or Close. The store is the queue; memory holds only what is in
// flight.
func (e *Engine) loop() {
	defer close(e.loopDone)
	var waiting []chan int
	for {
		n, next := e.pass()
		for _, c := range waiting {
			c <- n
		}
		waiting = waiting[:0]
		var (
			t  Timer
			tc <-chan time.Time
		)
		if !next.IsZero() {
			t = e.clk.NewTimer(next)
			tc = t.C()
		}
		select {
		case <-e.wake:
		case <-tc:
		case c := <-e.syncReq:
			waiting = append(waiting, c)
		case <-e.ctx.Done():
			if t != nil {
				t.Stop()
			}
			return
		}
		if t != nil {
			t.Stop()
		}
	}
}

// flush runs one scheduler pass that starts after the call and returns how
// many attempts it started; tests use it to see that nothing is due.
func (e *Engine) flush() int {
	c := make(chan int, 1)
	select {
	case e.syncReq <- c:
		return <-c
	case <-e.loopDone:
		return 0
	}
}

// pass starts the due attempts the bounds allow and returns how many, and
// the earliest time a queued entry not yet due becomes due (zero if none;
// entries held back by a bound are woken by the attempt that frees it).
func (e *Engine) pass() (int, time.Time) {
	now := e.clk.Now()
	e.mu.Lock()
	ids := append([]string(nil), e.order...)
	e.mu.Unlock()
	if len(ids) == 0 {
		return 0, time.Time{}
	}
	e.rr = (e.rr + 1) % len(ids)
	var next time.Time
	started := 0
	for i := range ids {
		id := ids[(e.rr+i)%len(ids)]
		n, at, full := e.passEndpoint(id, now)
		started += n
		if !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
		if full {
			break
		}
	}
	return started, next
}

// passEndpoint starts the endpoint's due attempts; full reports that every
// worker is busy.
func (e *Engine) passEndpoint(id string, now time.Time) (started int, next time.Time, full bool) {
	p := e.k.queue(id)
	it, err := e.db.Iterator(p, prefixEnd(p))
	if err != nil {
		e.log.Error("webhook queue scan", "endpoint", id, "err", err)
		return 0, time.Time{}, false
	}
	defer it.Close()
	for it.Next() {
		key := it.Key()
		at, seq, ok := e.k.parseQueued(id, key)
		if !ok {
			continue
		}
		e.imu.Lock()
		if e.inflight[string(key)] {
			e.imu.Unlock()
			continue
		}
		if at.After(now) {
			e.imu.Unlock()
			return started, at, false
		}
		if e.busy >= e.cfg.Workers {
			e.imu.Unlock()
			return started, time.Time{}, true
		}
		if e.perEP[id] >= e.cfg.MaxInflightPerEndpoint {
			e.imu.Unlock()
			return started, time.Time{}, false
		}
		j := job{ep: id, key: string(key), seq: seq}
		e.inflight[j.key] = true
		e.perEP[id]++
		e.busy++
		e.imu.Unlock()
		e.workers.Add(1)
		go e.attempt(j)
		started++
	}
	if err := it.Err(); err != nil {
		e.log.Error("webhook queue scan", "endpoint", id, "err", err)
	}
	return started, time.Time{}, false
}

func (e *Engine) release(j job) {
	e.imu.Lock()
	delete(e.inflight, j.key)
	e.perEP[j.ep]--
	if e.perEP[j.ep] <= 0 {
		delete(e.perEP, j.ep)
	}
	e.busy--
	e.imu.Unlock()
	e.poke()
}
