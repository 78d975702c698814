package mempool

import "github.com/accordnet/accord/types"

// Reap returns up to maxTxs transactions totalling at most maxBytes encoded
// bytes (a limit <= 0 means no limit) for the next proposal, without
// removing them. For each sender only the contiguous run of nonces starting
// at its account nonce is eligible, in nonce order; senders take turns, one
// transaction per turn, in the order they entered the pool. A sender whose
// next transaction does not fit in the remaining bytes is skipped from then
// on, since its later nonces depend on it.
func (p *Pool) Reap(maxTxs, maxBytes int) []*types.Tx {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if maxTxs <= 0 || maxTxs > len(p.all) {
		maxTxs = len(p.all)
	}
	if maxBytes <= 0 {
		maxBytes = int(^uint(0) >> 1)
	}
	out := make([]*types.Tx, 0, maxTxs)

	// A cursor walks one sender's run: txs[i] is its next tx, want its nonce.
	type cursor struct {
		txs  []*entry
		i    int
		want uint64
	}
	turns := make([]cursor, 0, len(p.senders))
	for sq := p.head; sq != nil; sq = sq.next {
		c := cursor{txs: sq.txs, want: sq.acct.nonce}
		for c.i < len(c.txs) && c.txs[c.i].nonce < c.want {
			c.i++ // stale until the next Update drops it
		}
		if c.i < len(c.txs) && c.txs[c.i].nonce == c.want {
			turns = append(turns, c)
		}
	}
	bytes := 0
	for len(turns) > 0 && len(out) < maxTxs {
		next := turns[:0]
		for k := range turns {
			if len(out) == maxTxs {
				break
			}
			c := turns[k]
			e := c.txs[c.i]
			if bytes+e.size > maxBytes {
				continue
			}
			out = append(out, e.tx)
			bytes += e.size
			c.i++
			c.want++
			if c.i < len(c.txs) && c.txs[c.i].nonce == c.want {
				next = append(next, c)
			}
		}
		turns = next
	}
	return out
}
