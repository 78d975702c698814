package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/accordnet/accord/ledger/kv"
)

func prefixEnd(p []byte) []byte { return kv.PrefixEnd(p) }

// Response bytes read: a snippet is kept for the log, the rest of a small
// body is drained so the connection can be reused.
const (
	snippetBytes = 512
	drainBytes   = 64 << 10
)

// attempt runs one HTTP attempt for j and records its outcome.
func (e *Engine) attempt(j job) {
	defer e.workers.Done()
	// The slot is released after OnAttempt has seen the outcome, so with one
	// attempt in flight per endpoint its reports arrive in attempt order.
	defer e.release(j)
	var report *AttemptReport
	func() {
		key := e.k.delivery(j.ep, j.seq)
		var d Delivery
		if err := getJSON(e.db, key, &d); err != nil {
			if !isNotFound(err) {
				e.log.Error("webhook read delivery", "endpoint", j.ep, "seq", j.seq, "err", err)
			}
			return
		}
		if d.State != StatePending || string(e.k.queued(j.ep, d.NextAt, d.Seq)) != j.key {
			return // redelivered or removed since it was queued
		}
		e.mu.Lock()
		ep, ok := e.endpoints[j.ep]
		var url, secret string
		if ok {
			url, secret = ep.URL, ep.Secret
		}
		e.mu.Unlock()
		if !ok {
			return
		}
		rev := d.Rev
		a := e.send(url, secret, &d)
		if e.ctx.Err() != nil {
			return // closing: abandoned, stays queued for the next Open
		}
		report = e.record(j, rev, a)
	}()
	if report != nil && e.cfg.OnAttempt != nil {
		e.cfg.OnAttempt(*report)
	}
}

func (e *Engine) send(url, secret string, d *Delivery) Attempt {
	start := e.clk.Now()
	a := Attempt{N: d.Attempts + 1, At: start.UTC()}
	ctx, cancel := context.WithTimeout(e.ctx, e.cfg.AttemptTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		a.Error = err.Error()
		return a
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "Accord-Webhook/1")
	h.Set("Accord-Event-Id", d.EventID)
	h.Set("Accord-Event-Type", d.EventType)
	h.Set("Accord-Timestamp", strconv.FormatInt(start.Unix(), 10))
	h.Set("Accord-Delivery-Attempt", strconv.Itoa(a.N))
	h.Set("Accord-Signature", Sign(secret, start, d.Body))
	wall := time.Now()
	resp, err := e.cfg.HTTP.Do(req)
	if err == nil {
		snip, _ := io.ReadAll(io.LimitReader(resp.Body, snippetBytes))
		_, _ = io.CopyN(io.Discard, resp.Body, drainBytes)
		resp.Body.Close()
		a.Status = resp.StatusCode
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			a.Error = fmt.Sprintf("HTTP %d: %s", resp.StatusCode, bytes.ToValidUTF8(snip, nil))
		}
	} else {
		a.Error = err.Error()
	}
	// The HTTP duration is real time even under a fake clock.
	a.Duration = time.Since(wall)
	e.m.latency.Observe(a.Duration.Seconds())
	return a
}

// record stores an attempt's outcome: delivered, or rescheduled, or failed
// once the retry window is over.
func (e *Engine) record(j job, rev uint64, a Attempt) *AttemptReport {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	if _, ok := e.endpoints[j.ep]; !ok {
		return nil
	}
	key := e.k.delivery(j.ep, j.seq)
	var d Delivery
	if err := getJSON(e.db, key, &d); err != nil {
		if !isNotFound(err) {
			e.log.Error("webhook read delivery", "endpoint", j.ep, "seq", j.seq, "err", err)
		}
		return nil
	}
	if d.State != StatePending {
		return nil
	}
	now := e.clk.Now().UTC()
	st := e.stats[j.ep]
	b := e.db.NewBatch()
	defer b.Close()
	d.Attempts++
	a.N = d.Attempts
	d.Recent = append(d.Recent, a)
	if len(d.Recent) > maxKeptAttempts {
		d.Recent = d.Recent[len(d.Recent)-maxKeptAttempts:]
	}
	oldQ := e.k.queued(j.ep, d.NextAt, d.Seq)
	result := ResultRetry
	switch {
	case a.Error == "":
		result = ResultDelivered
		d.State, d.DeliveredAt, d.NextAt = StateDelivered, now, time.Time{}
	case d.Rev != rev:
		// Redelivered while this attempt was in flight: keep the new
		// schedule.
	default:
		next := now.Add(e.cfg.Retry.delay(d.Attempts))
		if next.After(d.WindowStart.Add(e.cfg.Retry.MaxAge)) {
			result = ResultFailed
			d.State, d.NextAt = StateFailed, time.Time{}
		} else {
			d.NextAt = next
		}
	}
	_ = b.Delete(oldQ)
	if d.State == StatePending {
		_ = b.Set(e.k.queued(j.ep, d.NextAt, d.Seq), nil)
	} else {
		st.Pending--
		_ = setJSON(b, e.k.stats(j.ep), st)
	}
	if err := setJSON(b, key, &d); err != nil {
		e.log.Error("webhook encode delivery", "err", err)
		return nil
	}
	if err := b.Commit(); err != nil {
		// Not recorded: the entry is still queued at its old time and will
		// be attempted again; at-least-once holds.
		e.log.Error("webhook record attempt", "endpoint", j.ep, "event", d.EventID, "err", err)
		return nil
	}
	e.stats[j.ep] = st
	e.m.deliveries.WithLabelValues(result).Inc()
	if d.State != StatePending {
		e.m.pending.Dec()
	}
	lvl := e.log.Debug
	if result != ResultDelivered {
		lvl = e.log.Warn
	}
	lvl("webhook attempt", "endpoint", j.ep, "event", d.EventID, "attempt", a.N, "status", a.Status,
		"result", result, "err", a.Error)
	return &AttemptReport{EndpointID: j.ep, EventID: d.EventID, Attempt: a, State: d.State, NextAt: d.NextAt}
}
