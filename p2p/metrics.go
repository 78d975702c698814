package p2p

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

type counters struct {
	syncRequests      atomic.Uint64
	syncBlocksServed  atomic.Uint64
	syncBlocksFetched atomic.Uint64
	rpcDropped        atomic.Uint64
	txsServed         atomic.Uint64 // transaction bodies served to peers rebuilding a proposal
	txsFetched        atomic.Uint64
	txsForged         atomic.Uint64 // responses with a body that did not match its hash
}

// TopicStats counts the gossip messages of one topic.
type TopicStats struct {
	Published uint64 // published by this host
	Received  uint64 // accepted from peers (each message once, before delivery to subscribers)
	Rejected  uint64 // refused from peers: author not allowed, or the topic's Validator said no
	// DirectSent and DirectReceived count direct messages (SendTo) sent
	// and accepted from peers; refused ones count in Rejected.
	DirectSent, DirectReceived uint64
	// LegacyPublished counts messages also published on the topic's signed
	// version-1 name, for peers of the previous release.
	LegacyPublished uint64
}

// Stats is a snapshot of the host's counters.
type Stats struct {
	Peers             int
	BytesIn, BytesOut uint64 // stream payload bytes over all protocols, since start
	Topics            map[Topic]TopicStats
	SyncRequests      uint64 // sync requests served
	SyncBlocksServed  uint64
	SyncBlocksFetched uint64
	// GossipDropped counts gossip RPCs dropped because a peer's outbound
	// queue was full (a slow or stuck peer) or an RPC was oversized.
	GossipDropped uint64
	// TxsServed and TxsFetched count transaction bodies served to and
	// fetched from peers rebuilding compact proposals; TxsForged counts
	// responses refused because a body did not match its hash.
	TxsServed, TxsFetched, TxsForged uint64
}

// Stats returns the current counters.
func (h *Host) Stats() Stats {
	in, out := h.bw.totals()
	st := Stats{
		Peers:             h.PeerCount(),
		BytesIn:           in,
		BytesOut:          out,
		Topics:            make(map[Topic]TopicStats, numTopics),
		SyncRequests:      h.stats.syncRequests.Load(),
		SyncBlocksServed:  h.stats.syncBlocksServed.Load(),
		SyncBlocksFetched: h.stats.syncBlocksFetched.Load(),
		GossipDropped:     h.stats.rpcDropped.Load(),
		TxsServed:         h.stats.txsServed.Load(),
		TxsFetched:        h.stats.txsFetched.Load(),
		TxsForged:         h.stats.txsForged.Load(),
	}
	for _, gt := range h.topics {
		if gt != nil {
			st.Topics[gt.t] = TopicStats{Published: gt.published.Load(), Received: gt.received.Load(), Rejected: gt.rejected.Load(),
				DirectSent: gt.directSent.Load(), DirectReceived: gt.directReceived.Load(), LegacyPublished: gt.legacyPublished.Load()}
		}
	}
	return st
}

// Collector returns a Prometheus collector over Stats. Config.Registerer
// registers it automatically; register it yourself otherwise.
func (h *Host) Collector() prometheus.Collector { return h.collector }

var (
	descPeers    = prometheus.NewDesc("accord_p2p_peers", "Connected peers.", nil, nil)
	descBytes    = prometheus.NewDesc("accord_p2p_bytes_total", "Stream payload bytes sent and received, by protocol class (gossip, sync, other).", []string{"direction", "protocol"}, nil)
	descMessages = prometheus.NewDesc("accord_p2p_messages_total", "Gossip messages published (out) and accepted from peers (in).", []string{"topic", "direction"}, nil)
	descRejected = prometheus.NewDesc("accord_p2p_messages_rejected_total", "Gossip messages from peers refused by validation.", []string{"topic"}, nil)
	descSyncReq  = prometheus.NewDesc("accord_p2p_sync_requests_served_total", "Block-sync requests served.", nil, nil)
	descSyncOut  = prometheus.NewDesc("accord_p2p_sync_blocks_served_total", "Blocks served to syncing peers.", nil, nil)
	descSyncIn   = prometheus.NewDesc("accord_p2p_sync_blocks_fetched_total", "Blocks fetched from peers.", nil, nil)
	descDropped  = prometheus.NewDesc("accord_p2p_gossip_rpcs_dropped_total", "Gossip RPCs dropped on a full peer queue or for size.", nil, nil)
	descTxFetch  = prometheus.NewDesc("accord_p2p_tx_fetch_total", "Transaction bodies served to (out) and fetched from (in) peers rebuilding compact proposals.", []string{"direction"}, nil)
	descTxForged = prometheus.NewDesc("accord_p2p_tx_fetch_forged_total", "Transaction-fetch responses refused because a body did not match its hash (the peer is penalized).", nil, nil)
)

type collector Host

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPeers, descBytes, descMessages, descRejected, descSyncReq, descSyncOut, descSyncIn, descDropped, descTxFetch, descTxForged} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	st := (*Host)(c).Stats()
	ch <- prometheus.MustNewConstMetric(descPeers, prometheus.GaugeValue, float64(st.Peers))
	for i, name := range classNames {
		ch <- prometheus.MustNewConstMetric(descBytes, prometheus.CounterValue, float64(c.bw.in[i].Load()), "in", name)
		ch <- prometheus.MustNewConstMetric(descBytes, prometheus.CounterValue, float64(c.bw.out[i].Load()), "out", name)
	}
	for _, t := range Topics() {
		ts := st.Topics[t]
		ch <- prometheus.MustNewConstMetric(descMessages, prometheus.CounterValue, float64(ts.Published), t.String(), "out")
		ch <- prometheus.MustNewConstMetric(descMessages, prometheus.CounterValue, float64(ts.Received), t.String(), "in")
		ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(ts.Rejected), t.String())
	}
	ch <- prometheus.MustNewConstMetric(descSyncReq, prometheus.CounterValue, float64(st.SyncRequests))
	ch <- prometheus.MustNewConstMetric(descSyncOut, prometheus.CounterValue, float64(st.SyncBlocksServed))
	ch <- prometheus.MustNewConstMetric(descSyncIn, prometheus.CounterValue, float64(st.SyncBlocksFetched))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(st.GossipDropped))
	ch <- prometheus.MustNewConstMetric(descTxFetch, prometheus.CounterValue, float64(st.TxsServed), "out")
	ch <- prometheus.MustNewConstMetric(descTxFetch, prometheus.CounterValue, float64(st.TxsFetched), "in")
	ch <- prometheus.MustNewConstMetric(descTxForged, prometheus.CounterValue, float64(st.TxsForged))
}
