package mempool

import "github.com/accordnet/accord/types"

// GetMany fills out[i] with the pooled transaction of hashes[i] where out[i]
// is nil and the pool holds it, and returns how many it filled. It takes
// the lock once, not once per hash: a node rebuilding a 10,000-transaction
// compact proposal looks them all up while admission keeps running.
func (p *Pool) GetMany(hashes []types.Hash, out []*types.Tx) int {
	n := 0
	p.mu.RLock()
	defer p.mu.RUnlock()
	for i, h := range hashes {
		if i >= len(out) {
			break
		}
		if out[i] != nil {
			continue
		}
		if e := p.all[h]; e != nil {
			out[i] = e.tx
			n++
		}
	}
	return n
}
