package p2p

import (
	"cmp"
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ethereum/go-ethereum/rlp"

	"github.com/accordnet/accord/types"
)

// Transaction gossip: the transactions a node's mempool admits are
// published on TopicTxs in batches, not one message each; what arrives is
// checked (shape, a random sample of signatures) and, on the unsigned
// topic, admitted to the mempool in full before it is relayed; members
// caught forging are ignored for a while (txpenalty.go).
//
// A batch on the unsigned topic (version 2) is txBatchVersion followed by
// the RLP of txBatch: the sequence number makes a batch published again
// (re-gossip) differ from the first, since messages there are named by
// their content. A batch on the legacy signed topic is the RLP list of raw
// transactions alone; both are read from either topic.
const (
	gossipFlushEvery = 5 * time.Millisecond
	gossipMaxTxs     = 2000
	gossipMaxBytes   = 1 << 20
	// A node outside the validator set re-publishes transactions still
	// pending after this long: it never proposes, so a batch lost in
	// gossip (e.g. published before the mesh formed) would otherwise
	// strand them in its mempool.
	regossipEvery = 2 * time.Second

	txBatchVersion = 0x02 // below any RLP list header (0xc0...), so the formats cannot be confused
)

// txBatch is the version-2 batch encoding.
type txBatch struct {
	Seq uint64
	Txs [][]byte
}

// receivedBatch is what the topic decoder hands on: the raw transactions,
// and whether relayCheck already admitted them.
type receivedBatch struct {
	raws     [][]byte
	admitted bool
}

// decodeTxBatch reads either batch format.
func decodeTxBatch(data []byte) ([][]byte, error) {
	if len(data) > 0 && data[0] == txBatchVersion {
		var b txBatch
		if err := rlp.DecodeBytes(data[1:], &b); err != nil {
			return nil, err
		}
		return b.Txs, nil
	}
	var raws [][]byte
	err := rlp.DecodeBytes(data, &raws)
	return raws, err
}

// TxGossipConfig is what TxGossip needs from the node. Sender and Admit are
// required.
type TxGossipConfig struct {
	// Sender recovers a transaction's signer, through the node's signature
	// cache; it checks the random sample of each received batch.
	Sender func(*types.Tx) (types.Address, error)
	// Admit hands a received batch to the mempool and returns one error per
	// transaction (nil: admitted). Errors that prove forgery (malformed,
	// another chain, bad signature) count against the batch's author.
	Admit func(raws [][]byte) []error
	// Regossip, if set, is asked every regossipEvery for (at most maxTxs
	// and maxBytes of) the transactions pending in the mempool, or nil when
	// this node should not re-publish (a validator). Those pending at two
	// ticks in a row are published again.
	Regossip func(maxTxs, maxBytes int) []*types.Tx
	// Penalized and Dropped, if set, are told when a member's batches start
	// being ignored and when a batch from an ignored member is dropped
	// (for metrics).
	Penalized, Dropped func(member types.Address)
	// Logger defaults to the host's.
	Logger *slog.Logger
}

// TxGossip runs the transaction topic of a Host. Queue and the event
// channel are safe for concurrent use; Run runs on one goroutine.
type TxGossip struct {
	h   *Host
	cfg TxGossipConfig
	log *slog.Logger
	pen *gossipPenalties

	mu      sync.Mutex
	pending [][]byte
	size    int
	kick    chan struct{}

	stale map[types.Hash]struct{} // pool txs seen at the last regossip tick; Run's goroutine only
	seq   atomic.Uint64           // batches published
}

// NewTxGossip takes over TopicTxs on h: it installs the topic's decoder and
// subscribes Admit. Start publishing with Run.
func NewTxGossip(h *Host, cfg TxGossipConfig) (*TxGossip, error) {
	if cfg.Sender == nil || cfg.Admit == nil {
		return nil, errors.New("p2p: tx gossip needs Sender and Admit")
	}
	g := &TxGossip{h: h, cfg: cfg, log: cmp.Or(cfg.Logger, h.log), pen: newGossipPenalties(), kick: make(chan struct{}, 1)}
	// A restarted node must not repeat its earlier batches' names.
	g.seq.Store(rand.Uint64())
	// Shape and a random sample of signatures are checked before relaying;
	// members caught forging are ignored for a while.
	if err := h.SetDecoder(TopicTxs, func(from types.Address, data []byte) (any, bool) {
		if from == h.selfAddr {
			return nil, true // our own publish: admitted by our mempool
		}
		if g.pen.penalized(from, time.Now()) {
			if cfg.Dropped != nil {
				cfg.Dropped(from)
			}
			g.pen.emit(GossipEvent{Member: from, Kind: "dropped"})
			return nil, false
		}
		raws, err := decodeTxBatch(data)
		if err != nil || len(raws) == 0 {
			g.strike(from, gossipStrikes, "undecodable transaction batch")
			return nil, false
		}
		if err := g.sampleForged(raws); err != nil {
			g.strike(from, gossipStrikes, err.Error())
			return nil, false
		}
		return &receivedBatch{raws: raws}, true
	}); err != nil {
		return nil, err
	}
	// On the unsigned topic the peer that delivered a batch answers for
	// it, so a node relays only what it admitted without a forgery in it.
	if err := h.setRelayCheck(TopicTxs, func(relay types.Address, decoded any) bool {
		b, ok := decoded.(*receivedBatch)
		if !ok {
			return true // our own publish
		}
		b.admitted = true
		return g.admit(relay, b.raws)
	}); err != nil {
		return nil, err
	}
	if err := h.SubscribeDecoded(TopicTxs, func(from types.Address, _ []byte, decoded any) {
		if b, ok := decoded.(*receivedBatch); ok && !b.admitted {
			g.admit(from, b.raws)
		}
	}); err != nil {
		return nil, err
	}
	return g, nil
}

// admit hands raws to the mempool and counts the forgeries among them
// against member; it reports whether there were none.
func (g *TxGossip) admit(member types.Address, raws [][]byte) bool {
	bad, first := 0, error(nil)
	for _, err := range g.cfg.Admit(raws) {
		if err != nil && forged(err) {
			bad++
			first = cmp.Or(first, err)
		}
	}
	if bad > 0 {
		g.strike(member, bad, first.Error())
	}
	return bad == 0
}

// encodeBatch is the version-2 encoding of raws under the next sequence
// number.
func (g *TxGossip) encodeBatch(raws [][]byte) ([]byte, error) {
	enc, err := rlp.EncodeToBytes(&txBatch{Seq: g.seq.Add(1), Txs: raws})
	if err != nil {
		return nil, err
	}
	return append([]byte{txBatchVersion}, enc...), nil
}

// Events reports members this node penalizes for gossiping forged
// transactions and the batches it drops from them. Events are dropped
// while nobody reads.
func (g *TxGossip) Events() <-chan GossipEvent { return g.pen.events }

// strike counts k forged transactions against member and logs the start of
// a penalty.
func (g *TxGossip) strike(member types.Address, k int, why string) {
	if g.pen.strike(member, k, time.Now()) {
		if g.cfg.Penalized != nil {
			g.cfg.Penalized(member)
		}
		g.log.Warn("ignoring transaction gossip from member that sent forged transactions",
			"member", member.Hex(), "for", gossipPenalty, "example", why)
		g.pen.emit(GossipEvent{Member: member, Kind: "penalized"})
	}
}

// Queue adds admitted transactions to the next batch.
func (g *TxGossip) Queue(raws [][]byte) {
	g.mu.Lock()
	g.pending = append(g.pending, raws...)
	for _, r := range raws {
		g.size += len(r)
	}
	full := len(g.pending) >= gossipMaxTxs || g.size >= gossipMaxBytes
	g.mu.Unlock()
	if full {
		select {
		case g.kick <- struct{}{}:
		default:
		}
	}
}

// PublishBatch gossips raw transactions as one batch at once, without the
// queue and without any check. It exists for fault injection (a member
// gossiping forgeries).
func (g *TxGossip) PublishBatch(raws [][]byte) error {
	data, err := g.encodeBatch(raws)
	if err != nil {
		return err
	}
	return g.h.Publish(TopicTxs, data)
}

// Run publishes the queue every gossipFlushEvery, or as soon as a batch is
// full, and re-gossips stale transactions, until ctx ends.
func (g *TxGossip) Run(ctx context.Context) {
	t := time.NewTicker(gossipFlushEvery)
	defer t.Stop()
	re := time.NewTicker(regossipEvery)
	defer re.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-g.kick:
		case <-re.C:
			g.regossip()
		}
		g.flush()
	}
}

// regossip queues again the pool transactions that were already pending
// at the previous tick.
func (g *TxGossip) regossip() {
	if g.cfg.Regossip == nil {
		return
	}
	txs := g.cfg.Regossip(gossipMaxTxs, gossipMaxBytes)
	if txs == nil {
		g.stale = nil
		return
	}
	now := make(map[types.Hash]struct{}, len(txs))
	var again [][]byte
	for _, tx := range txs {
		h := tx.Hash()
		now[h] = struct{}{}
		if _, ok := g.stale[h]; ok {
			again = append(again, tx.Encode())
		}
	}
	g.stale = now
	if len(again) > 0 {
		g.log.Debug("re-gossiping pending transactions", "txs", len(again))
		g.Queue(again)
	}
}

func (g *TxGossip) flush() {
	for {
		g.mu.Lock()
		if len(g.pending) == 0 {
			g.mu.Unlock()
			return
		}
		var batch [][]byte
		size := 0
		i := 0
		for ; i < len(g.pending) && i < gossipMaxTxs && size < gossipMaxBytes; i++ {
			size += len(g.pending[i])
		}
		batch, g.pending = g.pending[:i], g.pending[i:]
		g.size -= size
		g.mu.Unlock()
		data, err := g.encodeBatch(batch)
		if err != nil {
			g.log.Error("encode tx batch", "txs", len(batch), "err", err)
			return
		}
		if err := g.h.Publish(TopicTxs, data); err != nil {
			g.log.Debug("publish tx batch", "txs", len(batch), "err", err)
		}
	}
}
