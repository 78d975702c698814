package node

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	compliance "github.com/accordnet/accord/report"
	"github.com/accordnet/accord/types"
	"github.com/prometheus/client_golang/prometheus"
)

// business holds the business, security and compliance series. The
// counters are tallied from the committed blocks' receipts and events, from
// genesis on (a restarted node first catches up on its own store), and the
// gauges read the committed state when scraped, so at the same height every
// node reports the same figures, whatever its uptime. Nothing node-local
// (timing, mempool, peers) belongs here.
type business struct {
	txs        *prometheus.CounterVec // result: ok | failed
	orders     *prometheus.CounterVec // state the order reached
	completion prometheus.Histogram   // block time from creation to completion
	disputes   prometheus.Gauge       // opened - resolved
	risk       *prometheus.CounterVec // rule
	kyc        *prometheus.CounterVec // result: attested | revoked | refused
	tallied    prometheus.Gauge       // height the counters include
	from       prometheus.Gauge       // height they start at (1, or a pruned store's oldest)

	mu     sync.Mutex
	height uint64 // last height tallied
}

func newBusiness(r prometheus.Registerer) *business {
	b := &business{
		txs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_txs_total",
			Help: "Transactions committed, by outcome (ok, or failed in execution: still in a block, fee paid), from genesis."}, []string{"result"}),
		orders: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_orders_total",
			Help: "Order state changes committed, by the state reached, from genesis."}, []string{"state"}),
		completion: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "accord_order_completion_seconds",
			Help:    "Block time from an order's creation to its completion (the acceptor's confirmation).",
			Buckets: []float64{10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 86400}}),
		disputes: prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_disputes_open",
			Help: "Arbitration disputes opened and not yet resolved."}),
		risk: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_risk_events_total",
			Help: "Risk rule hits committed, by rule, from genesis."}, []string{"rule"}),
		kyc: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "accord_kyc_attestations_total",
			Help: "KYC attestations committed (attested), revoked (revoked), and attestation transactions that failed (refused), from genesis."}, []string{"result"}),
		tallied: prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_business_tallied_height",
			Help: "Height up to which the business counters are tallied (behind accord_height while a restarted node catches up on its store)."}),
		from: prometheus.NewGauge(prometheus.GaugeOpts{Name: "accord_business_tallied_from_height",
			Help: "Height the business counters start at: 1, or the oldest block a pruned store keeps (its counters then miss what came before)."}),
	}
	b.from.Set(1)
	// Label values that exist from the start, so a rate over them is 0,
	// not absent, until the first one happens.
	for _, v := range []string{"ok", "failed"} {
		b.txs.WithLabelValues(v)
	}
	for _, v := range []string{"attested", "revoked", "refused"} {
		b.kyc.WithLabelValues(v)
	}
	for st := order.StateCreated; st <= order.StateResolvedSplit; st++ {
		b.orders.WithLabelValues(st.String())
	}
	for _, rule := range []string{risk.RuleVelocity, risk.RuleVolume, risk.RuleExpiry, risk.RuleLoss, risk.RuleNewAccount,
		risk.RulePair, risk.RuleStructuring} {
		b.risk.WithLabelValues(rule)
	}
	r.MustRegister(b.txs, b.orders, b.completion, b.disputes, b.risk, b.kyc, b.tallied, b.from)
	return b
}

// tallyBlock adds committed block h to the counters. Heights are tallied
// once each, in order.
func (b *business) tallyBlock(n *Node, h uint64) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if h != b.height+1 {
		return nil
	}
	l := n.ledger
	timers, err := l.BlockEvents(h)
	if err != nil {
		return fmt.Errorf("events of block %d: %w", h, err)
	}
	rs, err := l.Receipts(h) // every block stores its list, empty or not
	if err != nil {
		return fmt.Errorf("receipts of block %d: %w", h, err)
	}
	var blk *types.Block // read only when a failed receipt needs its tx's type
	var blockTime uint64
	for i, rc := range rs {
		if rc.Status == types.StatusOK {
			b.txs.WithLabelValues("ok").Inc()
		} else {
			b.txs.WithLabelValues("failed").Inc()
			if blk == nil {
				if blk, err = l.Block(h); err != nil {
					return fmt.Errorf("block %d: %w", h, err)
				}
			}
			if i < len(blk.Txs) && blk.Txs[i].Type == kyc.TypeAttest {
				b.kyc.WithLabelValues("refused").Inc()
			}
		}
	}
	st := l.ReadState()
	event := func(e types.Event) error {
		switch e.Type {
		case risk.EventHit:
			b.risk.WithLabelValues(e.Get("rule")).Inc()
		case kyc.EventAttested:
			b.kyc.WithLabelValues("attested").Inc()
		case kyc.EventRevoked:
			b.kyc.WithLabelValues("revoked").Inc()
		case arbitration.EventOpened:
			b.disputes.Inc()
		case arbitration.EventResolved:
			b.disputes.Dec()
		}
		if strings.HasPrefix(e.Type, "order.") {
			if s := e.Get("state"); s != "" {
				b.orders.WithLabelValues(s).Inc()
			}
			if e.Type == order.EventCompleted {
				if blockTime == 0 {
					hdr, err := l.Block(h)
					if err != nil {
						return fmt.Errorf("block %d: %w", h, err)
					}
					blockTime = hdr.Header.Time
				}
				// CreatedAt never changes, so the head's state gives it
				// for an old block too.
				id, err := types.ParseHash(e.Get("id"))
				if err != nil {
					return fmt.Errorf("block %d: order.completed id %q: %w", h, e.Get("id"), err)
				}
				o, err := (order.Keeper{}).GetOrder(st, id)
				if err == nil && blockTime >= o.CreatedAt {
					b.completion.Observe(float64(blockTime-o.CreatedAt) / 1000)
				}
			}
		}
		return nil
	}
	for _, e := range timers {
		if err := event(e); err != nil {
			return err
		}
	}
	for _, rc := range rs {
		for _, e := range rc.Events {
			if err := event(e); err != nil {
				return err
			}
		}
	}
	b.height = h
	b.tallied.Set(float64(h))
	return nil
}

// tallyBusiness keeps the counters up with the store: first every block
// already committed, then each new one, off the commit path.
func (n *Node) tallyBusiness(ctx context.Context) {
	commits, cancel := n.SubscribeCommits(1)
	defer cancel()
	for {
		biz := n.metrics.biz
		// A pruned store (or one restored from a snapshot) has no older
		// blocks: the counters start at its oldest, which
		// accord_business_tallied_from_height says.
		biz.startAt(n.ledger.PrunedBase())
		for h := biz.next(); h <= n.ledger.Last().Height && ctx.Err() == nil; h++ {
			if err := biz.tallyBlock(n, h); err != nil {
				if base := n.ledger.PrunedBase(); h < base {
					// Pruned under our feet while catching up: go on
					// from what is kept.
					biz.startAt(base)
					h = base - 1
					continue
				}
				n.log.Error("business metrics stopped", "height", h, "err", err)
				return
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-commits:
		}
	}
}

func (b *business) startAt(base uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.height+1 < base {
		b.from.Set(float64(base))
		b.height = base - 1
	}
}

func (b *business) next() uint64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.height + 1
}

// stateCollector exports gauges read from the committed state at scrape
// time: frozen accounts, stale oracle rates, and the reports' last
// success (from the home's report status file).
type stateCollector struct {
	n                      *Node
	frozen, stale, reports *prometheus.Desc
}

func newStateCollector(n *Node) *stateCollector {
	return &stateCollector{n: n,
		frozen: prometheus.NewDesc("accord_frozen_accounts", "Accounts frozen by the risk engine at the last block.", nil, nil),
		stale: prometheus.NewDesc("accord_oracle_rate_stale",
			"1 when a currency's rate has too few fresh posts at the last block's time (0 when fresh, or never posted: nothing to go stale).", []string{"currency"}, nil),
		reports: prometheus.NewDesc("accord_report_last_success_timestamp_seconds",
			"When `accord report` last ran to completion on this home, by kind (unix seconds).", []string{"kind"}, nil),
	}
}

func (c *stateCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.frozen
	ch <- c.stale
	ch <- c.reports
}

func (c *stateCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.n.ledger.ReadState()
	ch <- prometheus.MustNewConstMetric(c.frozen, prometheus.GaugeValue, float64(len((risk.Keeper{}).FrozenAccounts(st, 0))))
	now := c.n.ledger.Last().Time
	ok := c.n.app.Keepers.Oracle
	for _, cur := range oracle.Currencies() {
		stale := 0.0
		if _, err := ok.Rate(st, cur.Code, now); errors.Is(err, oracle.ErrStaleRate) {
			stale = 1
		}
		ch <- prometheus.MustNewConstMetric(c.stale, prometheus.GaugeValue, stale, cur.Code)
	}
	if last, err := compliance.LastSuccess(string(c.n.home)); err == nil {
		for _, k := range compliance.Kinds() {
			if t, ok := last[k]; ok {
				ch <- prometheus.MustNewConstMetric(c.reports, prometheus.GaugeValue, float64(t), string(k))
			}
		}
	}
}
