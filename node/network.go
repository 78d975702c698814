package node

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/ledger/valset"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
)

// network adapts a p2p.Host to the node: consensus messages to the driver,
// transaction batches to the mempool (through p2p.TxGossip), blocks to
// block sync.
type network struct {
	n       *Node
	host    *p2p.Host
	txs     *p2p.TxGossip
	rebuild *rebuilder // completes compact proposals (compact.go)
	admits  *admissions

	allow    []types.Address // configured full nodes (p2p_allow)
	allowKey string          // the allow-list last installed, for change detection
}

func newNetwork(ctx context.Context, n *Node, vals []types.Address, allow []types.Address) (*network, error) {
	cfg := n.cfg
	nw := &network{n: n, allow: allow, admits: newAdmissions()}
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
	h.SetTxSource(txSource{n})
	toDriver := func(m *consensus.Message) {
		if d := n.drv; d != nil {
			d.deliver(m)
		}
	}
	nw.rebuild = newRebuilder(ctx, n.pool.GetMany, n.recent, nw, func() uint64 { return n.ledger.Last().Height }, toDriver,
		n.log.With("component", "consensus"), func(r string) { n.metrics.ProposalRebuilds.WithLabelValues(r).Inc() })
	nw.rebuild.admitting = nw.admits.state
	nw.followValidatorSet(n.ledger.Last().Height)
	chainID := n.ledger.ChainID()
	// The decoder runs as the topic validator, so a message is decoded and
	// its signature checked once, before it is relayed or delivered; direct
	// messages (SendTo) pass the same decoder. The topic is unsigned at the
	// libp2p level: this check is what authenticates a consensus message
	// (the engine checks the signer's membership and verifies again through
	// the same cache), and being stateless it accepts exactly what every
	// other honest node accepts, so an honest relay never passes on what a
	// peer would reject. from is the delivering peer, never used to trust
	// the message.
	if err := h.SetDecoder(p2p.TopicConsensus, func(from types.Address, data []byte) (any, bool) {
		if from == n.self {
			return nil, true // our own publish (p2p names no other peer as self); never delivered back
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
	deliver := func(from types.Address, data []byte, decoded any) {
		m, ok := decoded.(*consensus.Message)
		if !ok || n.drv == nil {
			return
		}
		if m.Incomplete() {
			nw.rebuild.offer(m) // delivers it once whole
			return
		}
		n.drv.deliver(m)
	}
	if err := h.SubscribeDecoded(p2p.TopicConsensus, deliver); err != nil {
		return nil, err
	}
	if err := h.HandleDirect(p2p.TopicConsensus, deliver); err != nil {
		return nil, err
	}
	nw.txs, err = p2p.NewTxGossip(h, p2p.TxGossipConfig{
		Sender: n.cache.Sender,
		Admit: func(raws [][]byte) []error {
			nw.admits.begin() // a compact proposal naming these waits for them
			defer nw.admits.end()
			_, errs := n.pool.AddRawBatch(raws)
			return errs
		},
		Regossip:  nw.pendingToRegossip,
		Penalized: func(types.Address) { n.metrics.GossipPenalties.Inc() },
		Dropped:   func(types.Address) { n.metrics.GossipDropped.Inc() },
		Logger:    n.log,
	})
	if err != nil {
		return nil, err
	}
	return nw, nil
}

// pendingToRegossip lists the pool's transactions on a node outside the
// validator set, which never proposes them itself; nil on a validator.
func (nw *network) pendingToRegossip(maxTxs, maxBytes int) []*types.Tx {
	n := nw.n
	if vals, err := n.ledger.ValidatorSet(n.ledger.Last().Height + 1); err != nil || vals.Index(n.self) >= 0 {
		return nil
	}
	return n.pool.Reap(maxTxs, maxBytes)
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

// SendConsensus implements Network: straight to the validator when it is a
// peer, by gossip otherwise or if the direct send fails. The send runs on
// its own goroutine, so a slow peer never holds up the driver.
func (nw *network) SendConsensus(ctx context.Context, to types.Address, data []byte) {
	nw.n.wg.Add(1)
	go func() {
		defer nw.n.wg.Done()
		err := nw.host.SendTo(ctx, to, p2p.TopicConsensus, data)
		if err == nil {
			return
		}
		nw.n.log.Debug("direct consensus message failed, gossiping it", "to", to.Hex(), "err", err)
		if err := nw.host.Publish(p2p.TopicConsensus, data); err != nil {
			nw.n.log.Debug("publish consensus message", "err", err)
		}
	}()
}

// Committed implements Network.
func (nw *network) Committed(h uint64) { nw.followValidatorSet(h) }

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

// FetchTxs implements txFetcher.
func (nw *network) FetchTxs(ctx context.Context, peer types.Address, hashes []types.Hash) ([][]byte, error) {
	return nw.host.FetchTxs(ctx, peer, hashes)
}

// FetchPeers implements txFetcher.
func (nw *network) FetchPeers() []types.Address { return nw.host.Peers() }

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
