package core

import "github.com/accordnet/accord/ledger/state"

// HeightRetainer is a module that still needs old block bodies, receipts or
// transaction index entries, e.g. for proofs it has not settled yet.
// RetainHeight returns the lowest height that must stay whole, or 0 when
// the module needs none. A pruning node (ledger.Prune) never deletes at or
// above the lowest height any module reports.
type HeightRetainer interface {
	RetainHeight(st state.Store) uint64
}

// RetainHeight is the lowest non-zero height any module reports through
// HeightRetainer (0: no module needs old blocks). It makes the router a
// ledger.Retainer.
func (r *Router) RetainHeight(st state.Store) uint64 {
	var low uint64
	for _, m := range r.modules {
		hr, ok := m.(HeightRetainer)
		if !ok {
			continue
		}
		if h := hr.RetainHeight(st); h > 0 && (low == 0 || h < low) {
			low = h
		}
	}
	return low
}
