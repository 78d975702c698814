package node

import (
	"sync"
	"time"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/prometheus/client_golang/prometheus"
)

// timedApp is the router as this node's ledger runs it: each transaction
// included in a block it builds or executes is timed into
// accord_tx_exec_seconds{type}. The wall clock is read here, around the
// router, never inside it, so nothing measured can reach consensus data.
//
// The type label takes only the names of the routes registered when the
// node starts (a fixed set, a few dozen), never anything a client sends: a
// transaction of an unknown type is invalid and not timed.
type timedApp struct {
	*core.Router
	byType map[types.TxType]*typeTimer // built once, then only read
}

// typeTimer creates its series on first use, so /metrics carries only the
// types this node has executed instead of every route's empty buckets.
type typeTimer struct {
	vec  *prometheus.HistogramVec
	name string
	once sync.Once
	obs  prometheus.Observer
}

func (t *typeTimer) observe(d time.Duration) {
	t.once.Do(func() { t.obs = t.vec.WithLabelValues(t.name) })
	t.obs.Observe(d.Seconds())
}

// txExecBuckets run from 1 µs to about 1 s: a transfer takes a few µs, a
// light-client header or a checkpoint a few ms.
var txExecBuckets = prometheus.ExponentialBuckets(1e-6, 4, 11)

func newTxExecHistogram() *prometheus.HistogramVec {
	return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "accord_tx_exec_seconds",
		Help:    "Wall-clock time to execute one transaction included in a block this node built or executed (ante checks, decode, handler), by message type.",
		Buckets: txExecBuckets}, []string{"type"})
}

// newTimedApp wraps r, timing into vec (registered by the caller).
func newTimedApp(r *core.Router, vec *prometheus.HistogramVec) *timedApp {
	a := &timedApp{Router: r, byType: map[types.TxType]*typeTimer{}}
	for _, m := range r.Modules() {
		for _, rt := range m.Routes() {
			a.byType[rt.Type] = &typeTimer{vec: vec, name: rt.Name}
		}
	}
	return a
}

// ApplyTx implements ledger.App: the router's ApplyTx, timed.
func (a *timedApp) ApplyTx(b ledger.BlockInfo, st state.Journaled, tx *types.Tx) (*types.Receipt, error) {
	t, ok := a.byType[tx.Type]
	if !ok {
		return a.Router.ApplyTx(b, st, tx)
	}
	start := time.Now()
	rc, err := a.Router.ApplyTx(b, st, tx)
	if err == nil { // left out of the block otherwise
		t.observe(time.Since(start))
	}
	return rc, err
}

var (
	_ ledger.App = (*timedApp)(nil)
	// The router's ReadKeys comes through the embedding, so the ledger
	// prefetches a block's accounts for this node too.
	_ ledger.ReadKeyNamer = (*timedApp)(nil)
)
