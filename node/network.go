package node

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/ledger/valset"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Gossip batching: transactions admitted through the API are published in
// batches, not one message each.
const (
	gossipFlushEvery = 5 * time.Millisecond
	gossipMaxTxs     = 2000
	gossipMaxBytes   = 1 << 20
	// A full node re-publishes transactions still pending after this long:
	// it never proposes, so a batch lost in gossip (e.g. published before
	// the mesh formed) would otherwise strand them in its mempool.
	regossipEvery = 2 * time.Second
)

// network adapts a p2p.Host to the node: consensus messages to the driver,
// transaction batches to the mempool, blocks to block sync.
type network struct {
	n    *Node
	host *p2p.Host

	mu      sync.Mutex
	pending [][]byte
	size    int
	kick    chan struct{}

	stale map[types.Hash]struct{} // pool txs seen at the last regossip tick
	pen   *gossipPenalties

	allow    []types.Address // configured full nodes (p2p_allow)
	allowKey string          // the allow-list last installed, for change detection
}

// strike counts k forged transactions against member and logs the start of
// a penalty.
func (nw *network) strike(member types.Address, k int, why string) {
	if nw.pen.strike(member, k, time.Now()) {
		nw.n.metrics.GossipPenalties.Inc()
		nw.n.log.Warn("ignoring transaction gossip from member that sent forged transactions",
			"member", member.Hex(), "for", gossipPenalty, "example", why)
		nw.pen.emit(GossipEvent{Member: member, Kind: "penalized"})
	}
}

func newNetwork(n *Node, vals []types.Address, allow []types.Address) (*network, error) {
	cfg := n.cfg
	nw := &network{n: n, kick: make(chan struct{}, 1), pen: newGossipPenalties(), allow: allow}
	// The host adds component=p2p to its logger itself.
	h, err := p2p.New(p2p.Config{
		ListenAddr: cfg.P2PListen, Key: n.key, ChainID: n.ledger.ChainID(),
		AllowList: append(append([]types.Address(nil), vals...), allow...), Bootstrap: cfg.P2PPeers,
		Logger: n.log, Registerer: n.metrics.Registry, BlockSource: blockSource{n},
	})
	if err != nil {
		return nil, err
	}
	nw.host = h
	nw.followValidatorSet(n.ledger.Last().Height)
	chainID := n.ledger.ChainID()
	// The decoder runs as the topic validator, so a message is decoded and
	// its signature checked once, before it is relayed or delivered.
	if err := h.SetDecoder(p2p.TopicConsensus, func(from types.Address, data []byte) (any, bool) {
		if from == n.self {
			return nil, true // our own publish (the author is authenticated by gossipsub); never delivered back
		}
		m, err := consensus.DecodeMessage(data)
		if err != nil {
			return nil, false
		}
		if _, err := m.VerifyWith(chainID, n.cache); err != nil {
			return nil, false
		}
		return m, true
	}); err != nil {
		return nil, err
	}
	if err := h.SubscribeDecoded(p2p.TopicConsensus, func(from types.Address, data []byte, decoded any) {
		m, ok := decoded.(*consensus.Message)
		if !ok || n.drv == nil {
			return
		}
		n.drv.deliver(m)
	}); err != nil {
		return nil, err
	}
	// Transaction batches: shape and a random sample of signatures are
	// checked before relaying; members caught forging are ignored for a
	// while (see gossippenalty.go).
	if err := h.SetDecoder(p2p.TopicTxs, func(from types.Address, data []byte) (any, bool) {
		var raws [][]byte
		if from == n.self {
			return nil, true // our own publish: admitted by our mempool
		}
		if nw.pen.penalized(from, time.Now()) {
			n.metrics.GossipDropped.Inc()
			nw.pen.emit(GossipEvent{Member: from, Kind: "dropped"})
			return nil, false
		}
		if err := rlp.DecodeBytes(data, &raws); err != nil || len(raws) == 0 {
			nw.strike(from, gossipStrikes, "undecodable transaction batch")
			return nil, false
		}
		if err := n.sampleForged(raws); err != nil {
			nw.strike(from, gossipStrikes, err.Error())
			return nil, false
		}
		return raws, true
	}); err != nil {
		return nil, err
	}
	if err := h.SubscribeDecoded(p2p.TopicTxs, func(from types.Address, data []byte, decoded any) {
		raws, ok := decoded.([][]byte)
		if !ok {
			return
		}
		_, errs := n.pool.AddRawBatch(raws)
		bad, first := 0, error(nil)
		for _, err := range errs {
			if err != nil && forged(err) {
				bad++
				first = cmp.Or(first, err)
			}
		}
		if bad > 0 {
			nw.strike(from, bad, first.Error())
		}
	}); err != nil {
		return nil, err
	}
	return nw, nil
}

// gossipTxs queues admitted transactions for the next batch.
func (nw *network) gossipTxs(raws [][]byte) {
	nw.mu.Lock()
	nw.pending = append(nw.pending, raws...)
	for _, r := range raws {
		nw.size += len(r)
	}
	full := len(nw.pending) >= gossipMaxTxs || nw.size >= gossipMaxBytes
	nw.mu.Unlock()
	if full {
		select {
		case nw.kick <- struct{}{}:
		default:
		}
	}
}

func (nw *network) runGossip(ctx context.Context) {
	t := time.NewTicker(gossipFlushEvery)
	defer t.Stop()
	re := time.NewTicker(regossipEvery)
	defer re.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-nw.kick:
		case <-re.C:
			nw.regossip()
		}
		nw.flush()
	}
}

// regossip queues again, on a node outside the validator set, the pool
// transactions that were already pending at the previous tick.
func (nw *network) regossip() {
	n := nw.n
	if vals, err := n.ledger.ValidatorSet(n.ledger.Last().Height + 1); err != nil || vals.Index(n.self) >= 0 {
		nw.stale = nil
		return
	}
	txs := n.pool.Reap(gossipMaxTxs, gossipMaxBytes)
	now := make(map[types.Hash]struct{}, len(txs))
	var again [][]byte
	for _, tx := range txs {
		h := tx.Hash()
		now[h] = struct{}{}
		if _, ok := nw.stale[h]; ok {
			again = append(again, tx.Encode())
		}
	}
	nw.stale = now
	if len(again) > 0 {
		n.log.Debug("re-gossiping pending transactions", "txs", len(again))
		nw.gossipTxs(again)
	}
}

func (nw *network) flush() {
	for {
		nw.mu.Lock()
		if len(nw.pending) == 0 {
			nw.mu.Unlock()
			return
		}
		var batch [][]byte
		size := 0
		i := 0
		for ; i < len(nw.pending) && i < gossipMaxTxs && size < gossipMaxBytes; i++ {
			size += len(nw.pending[i])
		}
		batch, nw.pending = nw.pending[:i], nw.pending[i:]
		nw.size -= size
		nw.mu.Unlock()
		data, err := rlp.EncodeToBytes(batch)
		if err != nil {
			nw.n.log.Error("encode tx batch", "err", err)
			return
		}
		if err := nw.host.Publish(p2p.TopicTxs, data); err != nil {
			nw.n.log.Debug("publish tx batch", "txs", len(batch), "err", err)
		}
	}
}

// followValidatorSet makes the allow-list the validator sets of the next
// valset.Delay heights plus the configured full nodes, after the block at
// height h: a validator added by governance may connect (and sync) before
// it must vote, and one removed is cut off once no coming height needs it.
func (nw *network) followValidatorSet(h uint64) {
	seen := make(map[types.Address]bool)
	var list []types.Address
	add := func(a types.Address) {
		if !seen[a] {
			seen[a] = true
			list = append(list, a)
		}
	}
	for d := uint64(1); d <= valset.Delay; d++ {
		vs, err := nw.n.ledger.ValidatorSet(h + d)
		if err != nil {
			nw.n.log.Error("read validator set for the allow-list", "height", h+d, "err", err)
			return
		}
		for _, a := range vs.Validators {
			add(a)
		}
	}
	for _, a := range nw.allow {
		add(a)
	}
	slices.SortFunc(list, func(a, b types.Address) int { return bytes.Compare(a[:], b[:]) })
	var key strings.Builder
	for _, a := range list {
		key.Write(a[:])
	}
	if key.String() == nw.allowKey {
		return
	}
	first := nw.allowKey == ""
	nw.allowKey = key.String()
	if !first {
		nw.n.log.Info("validator set change: allow-list follows", "height", h, "members", len(list))
	}
	nw.host.SetAllowList(list)
}

// PublishConsensus implements Network.
func (nw *network) PublishConsensus(data []byte) error {
	return nw.host.Publish(p2p.TopicConsensus, data)
}

// FetchBlocks implements Network.
func (nw *network) FetchBlocks(ctx context.Context, peer types.Address, from, to uint64) ([]SyncedBlock, error) {
	bs, err := nw.host.FetchBlocks(ctx, peer, from, to)
	if err != nil {
		return nil, err
	}
	out := make([]SyncedBlock, len(bs))
	for i, b := range bs {
		out[i] = SyncedBlock{Block: b.Block, Cert: b.Cert}
	}
	return out, nil
}

// SyncPeers implements Network.
func (nw *network) SyncPeers() []types.Address { return nw.host.Peers() }

// blockSource serves block sync from the ledger.
type blockSource struct{ n *Node }

func (b blockSource) Height() uint64 { return b.n.ledger.Last().Height }

func (b blockSource) BlockWithCert(h uint64) ([]byte, []byte, error) {
	raw, err := b.n.ledger.BlockRaw(h)
	if err != nil {
		return nil, nil, err
	}
	cert, err := b.n.ledger.Cert(h)
	if err != nil {
		return nil, nil, fmt.Errorf("certificate %d: %w", h, err)
	}
	return raw, cert.Encode(), nil
}
