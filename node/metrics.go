package node

import (
	"github.com/accordnet/accord/mempool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Metrics are the node's Prometheus series.
type Metrics struct {
	Registry      *prometheus.Registry
	Height        prometheus.Gauge
	BlockTxs      prometheus.Histogram
	BlockInterval prometheus.Histogram
	MempoolSize   prometheus.Gauge
	Rejected      *prometheus.CounterVec
	ViewChanges   prometheus.Counter
	Equivocations prometheus.Counter
	Peers         prometheus.Gauge
	CommitSeconds prometheus.Histogram
	TxExec        *prometheus.HistogramVec // accord_tx_exec_seconds{type}, see txexec.go
	SyncTarget    prometheus.Gauge
	SyncStarts    *prometheus.CounterVec

	GossipPenalties prometheus.Counter
	GossipDropped   prometheus.Counter

	// Compact proposals (compact.go): what this node's own proposals cost
	// on the wire, and how received ones were completed.
	ProposalsSent     prometheus.Counter
	ProposalBytes     prometheus.Counter
	ProposalBodyBytes prometheus.Counter
	ProposalRebuilds  *prometheus.CounterVec

	// biz are the series derived from committed events (observe_business.go).
	biz *business
}

func newMetrics() *Metrics {
	r := prometheus.NewRegistry()
	m := &Metrics{
		Registry: r,
		Height:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_height", Help: "Height of the last committed block."}),
		BlockTxs: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "accord_block_txs", Help: "Transactions per committed block.",
			Buckets: prometheus.ExponentialBuckets(1, 4, 9)}),
		BlockInterval: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "accord_block_interval_seconds", Help: "Block time difference between consecutive blocks.",
			Buckets: prometheus.ExponentialBuckets(0.01, 2, 10)}),
		MempoolSize:   prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_mempool_size", Help: "Transactions waiting in the mempool."}),
		Rejected:      prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_txs_rejected_total", Help: "Transactions refused by the mempool."}, []string{"reason"}),
		ViewChanges:   prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_view_changes_total", Help: "Consensus view changes."}),
		Equivocations: prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_equivocations_total", Help: "Conflicting votes seen from validators."}),
		Peers:         prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_peers", Help: "Connected peers."}),
		SyncTarget:    prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_sync_target_height", Help: "Height block sync was last asked to reach; with accord_height it shows sync progress."}),
		SyncStarts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_sync_started_total",
			Help: "Block syncs started, by what revealed the node was behind: consensus (f+1 validators ahead), peer_height (a peer reported a higher height on connect), continue (the rest of a capped batch)."}, []string{"trigger"}),
		GossipPenalties: prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_gossip_penalties_total",
			Help: "Times a member was put on ignore for gossiping forged transactions."}),
		GossipDropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_gossip_dropped_total",
			Help: "Transaction batches dropped because their author is on ignore."}),
		ProposalsSent: prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_proposals_sent_total",
			Help: "Proposals (PRE-PREPAREs, re-broadcasts included) this node published."}),
		ProposalBytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_proposal_bytes_total",
			Help: "Encoded bytes of the proposals this node published (compact: transaction hashes, not bodies)."}),
		ProposalBodyBytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "accord_proposal_tx_body_bytes_total",
			Help: "Transaction bytes the published proposals did not carry (what a whole-block proposal adds, less 32 bytes a transaction)."}),
		ProposalRebuilds: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_proposal_rebuilds_total",
			Help: "Compact proposals received, by outcome: mempool, recent, gossip (arrived while waiting) or fetched (completed and passed to consensus); fetch_failed, too_many_missing, busy, in_flight, height, invalid (dropped)."}, []string{"result"}),
		CommitSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "accord_block_commit_seconds", Help: "Time to execute and commit a block.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 12)}),
		TxExec: newTxExecHistogram(),
	}
	r.MustRegister(m.Height, m.BlockTxs, m.BlockInterval, m.MempoolSize, m.Rejected, m.ViewChanges, m.Equivocations, m.Peers, m.CommitSeconds, m.SyncTarget, m.SyncStarts, m.GossipPenalties, m.GossipDropped, m.TxExec,
		m.ProposalsSent, m.ProposalBytes, m.ProposalBodyBytes, m.ProposalRebuilds,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.biz = newBusiness(r)
	return m
}

// registerMempoolMetrics exposes the pool's eviction counters as
// accord_mempool_evicted_total{reason="age"|"pressure"}.
func registerMempoolMetrics(r *prometheus.Registry, pool *mempool.Pool) {
	const help = "Transactions evicted from the mempool while waiting behind a nonce gap: for their age, or to make room for runnable ones."
	r.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accord_mempool_evicted_total", Help: help,
			ConstLabels: prometheus.Labels{"reason": "age"}},
			func() float64 { a, _ := pool.Evicted(); return float64(a) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accord_mempool_evicted_total", Help: help,
			ConstLabels: prometheus.Labels{"reason": "pressure"}},
			func() float64 { _, p := pool.Evicted(); return float64(p) }))
}

// registerDiskMetrics exposes the disk guard: free bytes at the last check
// and whether the node stopped writing for lack of space.
func registerDiskMetrics(r *prometheus.Registry, g *diskGuard) {
	r.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_disk_free_bytes",
			Help: "Free bytes under the node's data directory at the last check."},
			func() float64 { return float64(g.last.Load()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "accord_disk_low",
			Help: "1 while free disk space is below min_free_disk_bytes: no transactions accepted, no voting."},
			func() float64 {
				if g.tripped() {
					return 1
				}
				return 0
			}))
}
