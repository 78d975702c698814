package mempool

import (
	"github.com/accordnet/accord/internal/parallel"
	"github.com/accordnet/accord/types"
)

// Update brings the pool up to date after a block commits. committed is the
// block's transactions; the ledger must already serve the block's state.
// Update removes the included transactions, then re-reads the committed
// account of every sender still pooled and drops what can no longer run:
// nonces below the new account nonce, and, walking each sender's txs in
// nonce order, any tx the balance cannot cover after the ones before it.
//
// State is read without the pool lock (in parallel on Config.Workers), so
// admission continues meanwhile. A sender whose transaction arrives in that
// window is revalidated on the spot against fresh state, so a nonce the
// block just used is refused rather than admitted and dropped later.
func (p *Pool) Update(committed []*types.Tx) { p.update(committed, nil) }

// UpdateChanged is Update for a caller that knows which accounts the block
// wrote: changed(a) must be true for every address whose committed nonce or
// balance may differ from before the block (it may be true for others).
// Only those pooled senders are re-read; the others keep the account they
// hold, which is still the committed one. With thousands of senders pooled
// and blocks of a few hundred transactions this saves most of the reads.
func (p *Pool) UpdateChanged(committed []*types.Tx, changed func(types.Address) bool) {
	p.update(committed, changed)
}

func (p *Pool) update(committed []*types.Tx, changed func(types.Address) bool) {
	p.updateMu.Lock()
	defer p.updateMu.Unlock()

	p.mu.Lock()
	// From here on, account reads made earlier are stale: candidates
	// re-read, and pooled senders are revalidated below (or on their next
	// admission, whichever comes first).
	epoch := p.epoch.Add(1)
	p.noGapped = false
	included := 0
	for _, tx := range committed {
		if e := p.all[tx.Hash()]; e != nil {
			p.removeLocked(e)
			included++
		}
	}
	senders := make([]*senderQueue, 0, len(p.senders))
	for sq := p.head; sq != nil; sq = sq.next {
		if changed != nil && sq.epoch == epoch-1 && !changed(sq.addr) {
			sq.epoch = epoch // its account is unchanged by the block
			continue
		}
		senders = append(senders, sq)
	}
	p.mu.Unlock()

	accts := make([]account, len(senders))
	errs := make([]error, len(senders))
	parallel.ForEach(len(senders), p.cfg.Workers, func(i int) {
		accts[i], errs[i] = p.readAccount(senders[i].addr)
	})

	p.mu.Lock()
	dropped := 0
	for i, sq := range senders {
		if errs[i] != nil {
			// Keep the sender as it is; the next Update retries.
			p.log.Warn("mempool: cannot revalidate sender", "sender", sq.addr.Hex(), "err", errs[i])
			continue
		}
		if p.senders[sq.addr] != sq || sq.epoch == epoch {
			continue // left the pool, or an admission already revalidated it
		}
		dropped += p.revalidateLocked(sq, accts[i], epoch)
	}
	aged := p.evictAgedLocked(p.cfg.Now())
	size, bytes := len(p.all), p.bytes
	p.mu.Unlock()

	if included > 0 || dropped > 0 || aged > 0 {
		p.log.Debug("mempool updated", "committed", len(committed), "removed", included,
			"dropped", dropped, "evicted_aged", aged, "size", size, "bytes", bytes)
	}
}

// revalidateLocked applies an account read during epoch to sq and drops
// what no longer fits; an emptied sender leaves the pool. It returns the
// number of txs dropped.
func (p *Pool) revalidateLocked(sq *senderQueue, acct account, epoch uint64) int {
	sq.acct, sq.epoch = acct, epoch
	kept := sq.txs[:0]
	var spend uint64
	for _, e := range sq.txs {
		if e.nonce >= acct.nonce {
			if need, err := types.AddAmount(spend, e.total); err == nil && need <= acct.balance {
				spend = need
				kept = append(kept, e)
				continue
			}
		}
		delete(p.all, e.hash)
		p.bytes -= e.size
	}
	dropped := len(sq.txs) - len(kept)
	clear(sq.txs[len(kept):]) // let dropped txs be collected
	sq.txs, sq.spend = kept, spend
	if len(kept) == 0 {
		p.unlinkLocked(sq)
	}
	return dropped
}

// removeLocked removes one pooled tx.
func (p *Pool) removeLocked(e *entry) {
	delete(p.all, e.hash)
	p.bytes -= e.size
	sq := p.senders[e.from]
	i, ok := sq.find(e.nonce)
	if !ok || sq.txs[i] != e {
		panic("mempool: pooled tx missing from its sender queue")
	}
	copy(sq.txs[i:], sq.txs[i+1:])
	sq.txs[len(sq.txs)-1] = nil
	sq.txs = sq.txs[:len(sq.txs)-1]
	sq.spend -= e.total
	if len(sq.txs) == 0 {
		p.unlinkLocked(sq)
	}
}

// unlinkLocked forgets an empty sender.
func (p *Pool) unlinkLocked(sq *senderQueue) {
	delete(p.senders, sq.addr)
	if sq.prev != nil {
		sq.prev.next = sq.next
	} else {
		p.head = sq.next
	}
	if sq.next != nil {
		sq.next.prev = sq.prev
	} else {
		p.tail = sq.prev
	}
	sq.prev, sq.next = nil, nil
}
