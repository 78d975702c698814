package mempool

import (
	"slices"
	"time"
)

// Eviction makes room for transactions that can run. A transaction behind
// a nonce gap (its sender's lower nonce is not pooled) cannot be proposed
// until the gap is filled; when a sender vanishes mid-sequence, e.g. after
// the node it submitted to died, its later nonces would otherwise stay for
// good. Two rules remove them:
//
//   - age: Update evicts a gapped transaction admitted more than
//     Config.MaxGapAge ago;
//   - pressure: when the pool is full, a transaction that can run evicts
//     whole gapped tails of other senders, oldest first, until the pool is
//     back under lowWater percent of its limits.
//
// A transaction that can run is never evicted, and a gap filled in time
// lets the whole sequence through. An evicted transaction may be submitted
// again.

// Evicted returns how many transactions were evicted for their age and to
// make room under pressure since the pool was created.
func (p *Pool) Evicted() (aged, pressure uint64) {
	return p.evictedAge.Load(), p.evictedPressure.Load()
}

// fullLocked reports whether a tx of size bytes does not fit.
func (p *Pool) fullLocked(size int) bool {
	return len(p.all) >= p.cfg.MaxTxs || p.bytes+size > p.cfg.MaxBytes
}

// evictAgedLocked drops every gapped tx admitted at least MaxGapAge before
// now and returns how many it dropped.
func (p *Pool) evictAgedLocked(now time.Time) int {
	n := 0
	for sq := p.head; sq != nil; {
		next := sq.next // sq may be unlinked below
		at := sq.gapAt()
		if at < len(sq.txs) {
			kept := sq.txs[:at]
			for _, e := range sq.txs[at:] {
				if now.Sub(e.added) < p.cfg.MaxGapAge {
					kept = append(kept, e)
					continue
				}
				p.dropLocked(sq, e)
				n++
			}
			p.shrinkLocked(sq, kept)
		}
		sq = next
	}
	if n > 0 {
		p.evictedAge.Add(uint64(n))
		p.noGapped = false // conservative: the sweep does not prove the rest runnable
	}
	return n
}

// evictGappedLocked makes room for a runnable tx of size bytes from keep
// (nil for a new sender) by evicting the gapped tails of other senders,
// those holding the oldest gapped tx first, until the pool is under the
// low-water mark or nothing gapped is left. keep's own tail is spared:
// the incoming tx may be the one that fills its gap. It returns the number
// of txs evicted.
func (p *Pool) evictGappedLocked(keep *senderQueue, size int) int {
	if p.noGapped {
		return 0 // a sweep since the last Update found nothing to evict
	}
	type victim struct {
		sq     *senderQueue
		at     int
		oldest time.Time
	}
	var vs []victim
	for sq := p.head; sq != nil; sq = sq.next {
		if sq == keep {
			continue
		}
		at := sq.gapAt()
		if at == len(sq.txs) {
			continue
		}
		oldest := sq.txs[at].added
		for _, e := range sq.txs[at+1:] {
			if e.added.Before(oldest) {
				oldest = e.added
			}
		}
		vs = append(vs, victim{sq, at, oldest})
	}
	// Stable, so senders holding equally old txs go in arrival order.
	slices.SortStableFunc(vs, func(a, b victim) int { return a.oldest.Compare(b.oldest) })
	maxTxs := p.cfg.MaxTxs * lowWater / 100
	maxBytes := p.cfg.MaxBytes*lowWater/100 - size
	n, i := 0, 0
	for ; i < len(vs) && (len(p.all) > maxTxs || p.bytes > maxBytes); i++ {
		v := vs[i]
		for _, e := range v.sq.txs[v.at:] {
			p.dropLocked(v.sq, e)
			n++
		}
		p.shrinkLocked(v.sq, v.sq.txs[:v.at])
	}
	if i == len(vs) {
		p.noGapped = true
	}
	if n > 0 {
		p.evictedPressure.Add(uint64(n))
		p.log.Info("mempool full: evicted transactions behind nonce gaps", "evicted", n,
			"senders", i, "size", len(p.all), "bytes", p.bytes)
	}
	return n
}

// dropLocked forgets e, which the caller is removing from sq.txs.
func (p *Pool) dropLocked(sq *senderQueue, e *entry) {
	delete(p.all, e.hash)
	p.bytes -= e.size
	sq.spend -= e.total
}

// shrinkLocked sets sq.txs to kept, a prefix-aliasing subset of it, after
// the caller dropped the others; an emptied sender leaves the pool.
func (p *Pool) shrinkLocked(sq *senderQueue, kept []*entry) {
	clear(sq.txs[len(kept):]) // let dropped txs be collected
	sq.txs = kept
	if len(kept) == 0 {
		p.unlinkLocked(sq)
	}
}
