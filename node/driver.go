package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"time"

	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// TickInterval is the consensus clock: the engine's timeouts are counted in
// these ticks.
const TickInterval = 10 * time.Millisecond

// SyncedBlock is a finalized block fetched from a peer.
type SyncedBlock struct {
	Block []byte
	Cert  []byte
}

// Network is what the consensus driver needs from p2p. A single validator
// runs with no network (nil).
type Network interface {
	// PublishConsensus gossips a consensus message to every validator.
	PublishConsensus(data []byte) error
	// SendConsensus sends a consensus message to one validator, best
	// effort, without blocking the caller.
	SendConsensus(ctx context.Context, to types.Address, data []byte)
	// Committed tells the network the block at height h is committed (the
	// peer allow-list follows the validator set).
	Committed(h uint64)
	// FetchBlocks asks peer for the finalized blocks from..to (fewer may come).
	FetchBlocks(ctx context.Context, peer types.Address, from, to uint64) ([]SyncedBlock, error)
	// SyncPeers lists peers to sync from, best first.
	SyncPeers() []types.Address
}

type keySigner struct{ key *ecdsa.PrivateKey }

func (s keySigner) Address() types.Address { return types.PubkeyAddress(s.key) }
func (s keySigner) Sign(d types.Hash) ([]byte, error) {
	return types.SignDigest(d, s.key)
}

// driver owns the consensus engine: it feeds it messages and ticks, builds
// proposals from the mempool, validates proposals on the ledger and applies
// committed blocks. Everything touching the engine runs on its goroutine.
type driver struct {
	n        *Node
	net      Network
	eng      *consensus.Engine
	wal      *consensus.FileWAL
	inbox    chan *consensus.Message
	synced   chan syncResult
	hints    chan consensus.RequestSync // a peer is ahead (catchup.go)
	syncing  bool
	request  *consensus.RequestProposal
	executed map[types.Hash]*ledger.Executed // validated or built blocks awaiting commit
	lastTime uint64                          // header time of the last committed block
}

type syncResult struct {
	blocks []SyncedBlock
	err    error
	peer   types.Address
}

// engineApp adapts the ledger to consensus.App.
type engineApp struct{ d *driver }

func (a engineApp) ValidatorSet(h uint64) (*types.ValidatorSet, error) {
	return a.d.n.ledger.ValidatorSet(h)
}

func (a engineApp) ValidateBlock(b *types.Block) error {
	d := a.d
	if last := d.n.ledger.Last(); b.Height() != last.Height+1 {
		return fmt.Errorf("block %d does not extend head %d", b.Height(), last.Height)
	}
	start := time.Now()
	x, err := d.execute(b)
	if err != nil {
		return err
	}
	d.executed[b.Hash()] = x
	d.n.log.Debug("validated block", "height", b.Height(), "txs", len(b.Txs), "took", time.Since(start).Round(time.Microsecond))
	return nil
}

func newDriver(n *Node, net Network) (*driver, error) {
	wal, err := consensus.NewFileWAL(n.home.WALFile())
	if err != nil {
		return nil, fmt.Errorf("open consensus WAL: %w", err)
	}
	d := &driver{n: n, net: net, wal: wal, inbox: make(chan *consensus.Message, 4096), synced: make(chan syncResult, 1),
		hints:    make(chan consensus.RequestSync, 1),
		executed: make(map[types.Hash]*ledger.Executed)}
	last := n.ledger.Last()
	lc := consensus.LastCommitted{Height: last.Height, Hash: last.Hash, Time: last.Time}
	if last.Height > 0 {
		if lc.Cert, err = n.ledger.Cert(last.Height); err != nil {
			return nil, err
		}
		if lc.Block, err = n.ledger.Block(last.Height); err != nil {
			return nil, err
		}
	}
	d.lastTime = last.Time
	eng, err := consensus.New(consensus.Config{ChainID: n.ledger.ChainID(), SigCache: n.cache}, keySigner{n.key}, engineApp{d}, wal, lc)
	if err != nil {
		wal.Close()
		return nil, err
	}
	d.eng = eng
	return d, nil
}

// deliver queues a verified consensus message from the network.
func (d *driver) deliver(m *consensus.Message) {
	select {
	case d.inbox <- m:
	default:
		d.n.log.Warn("consensus inbox full, dropping message", "type", m.Type, "height", m.Height, "from", m.From.Hex())
	}
}

func (d *driver) run(ctx context.Context) error {
	defer d.wal.Close()
	if err := d.do(ctx, d.eng.Start()); err != nil {
		return err
	}
	tick := time.NewTicker(TickInterval)
	defer tick.Stop()
	for {
		var acts []consensus.Action
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
			if d.n.disk.tripped() {
				continue // write nothing: no votes, proposals or commits (diskguard.go)
			}
			acts = d.eng.Tick()
		case m := <-d.inbox:
			if d.n.disk.tripped() {
				continue // dropped; block sync catches up once space is back
			}
			var err error
			acts, err = d.eng.Step(m)
			if err != nil {
				d.n.log.Debug("consensus message refused", "type", m.Type, "height", m.Height, "view", m.View, "from", m.From.Hex(), "err", err)
			}
		case <-d.n.txAvail:
			if d.n.disk.tripped() {
				continue
			}
		case a := <-d.hints:
			if a.ToHeight > d.n.ledger.Last().Height && !d.n.disk.tripped() {
				d.startSync(ctx, a, "peer_height")
			}
		case r := <-d.synced:
			d.syncing = false
			if d.n.disk.tripped() {
				continue // fetched blocks are dropped; fetched again later
			}
			before := d.n.ledger.Last().Height
			var err error
			if acts, err = d.applySynced(r); err != nil {
				d.n.log.Warn("block sync failed", "peer", r.peer.Hex(), "err", err)
			} else if h, target := d.n.ledger.Last().Height, d.n.syncTarget.Load(); h > before && h < target {
				// A batch is capped; fetch the rest now rather than when
				// the engine next asks.
				d.startSync(ctx, consensus.RequestSync{ToHeight: target, Hint: r.peer}, "continue")
			}
		}
		if err := d.do(ctx, acts); err != nil {
			return err
		}
		if err := d.maybePropose(ctx); err != nil {
			return err
		}
	}
}

// do carries out the engine's actions in order.
func (d *driver) do(ctx context.Context, acts []consensus.Action) error {
	for _, a := range acts {
		switch a := a.(type) {
		case consensus.Broadcast:
			if d.net != nil {
				data := d.encodeBroadcast(a.Msg)
				if err := d.net.PublishConsensus(data); err != nil {
					d.n.log.Debug("publish consensus message", "err", err)
				}
			}
		case consensus.SendTo:
			if d.net != nil {
				d.net.SendConsensus(ctx, a.To, a.Msg.Encode())
			}
		case consensus.RequestProposal:
			req := a
			d.request = &req
		case consensus.Commit:
			if err := d.commit(a.Block, a.Cert); err != nil {
				return err
			}
		case consensus.RequestSync:
			d.startSync(ctx, a, "consensus")
		case consensus.Evidence:
			d.n.log.Warn("equivocation evidence", "validator", a.Validator.Hex(), "height", a.Height, "view", a.View, "kind", a.Kind)
			d.n.metrics.Equivocations.Inc()
			d.n.recordEvidence(a)
		case consensus.ViewChanged:
			if a.View > 0 {
				d.n.metrics.ViewChanges.Inc()
				d.n.log.Info("view change", "height", a.Height, "view", a.View)
			}
		case consensus.Halted:
			return fmt.Errorf("consensus halted: %w", a.Err)
		}
	}
	return nil
}

// encodeBroadcast encodes a message to publish. Own proposals go out
// compact (transaction hashes only, see compact.go); their blocks are kept
// so that peers missing a transaction can fetch it here, also after a
// restart re-sends a proposal from the WAL.
func (d *driver) encodeBroadcast(m *consensus.Message) []byte {
	if m.Type != consensus.MsgProposal || m.Block == nil {
		return m.Encode()
	}
	d.n.recent.add(m.Block)
	data := m.EncodeCompact()
	body := 0
	for _, tx := range m.Block.Txs {
		body += tx.Size()
	}
	d.n.metrics.ProposalsSent.Inc()
	d.n.metrics.ProposalBytes.Add(float64(len(data)))
	d.n.metrics.ProposalBodyBytes.Add(float64(body))
	return data
}

// execute validates and runs a block on the ledger, recovering its
// signatures in parallel first (cached ones are free).
func (d *driver) execute(b *types.Block) (*ledger.Executed, error) {
	d.n.cache.RecoverAll(b.Txs, 0)
	return d.n.ledger.Execute(b, d.n.exec)
}

func (d *driver) commit(b *types.Block, cert *types.CommitCert) error {
	start := time.Now()
	h := b.Hash()
	x := d.executed[h]
	if x == nil {
		var err error
		if x, err = d.execute(b); err != nil {
			return fmt.Errorf("execute finalized block %d: %w", b.Height(), err)
		}
	}
	prevTime := d.lastTime
	t0 := time.Now()
	if err := d.n.ledger.Commit(x, cert); err != nil {
		return fmt.Errorf("commit block %d: %w", b.Height(), err)
	}
	tCommit := time.Since(t0)
	d.lastTime = b.Header.Time
	clear(d.executed)
	if d.net != nil {
		d.net.Committed(b.Height())
	}
	if d.request != nil && d.request.Height <= b.Height() {
		d.request = nil
	}
	t0 = time.Now()
	accts := x.ChangedAccounts()
	changed := make(map[types.Address]struct{}, len(accts))
	for _, a := range accts {
		changed[a] = struct{}{}
	}
	d.n.pool.UpdateChanged(b.Txs, func(a types.Address) bool { _, ok := changed[a]; return ok })
	d.n.log.Debug("applied block", "height", b.Height(), "commit", tCommit.Round(time.Microsecond), "mempool_update", time.Since(t0).Round(time.Microsecond))
	d.n.observeBlock(b, prevTime, time.Since(start))
	d.n.notifyCommit(b)
	return nil
}

// maybePropose answers a pending RequestProposal once the mempool has
// transactions or the maximum block interval has passed.
func (d *driver) maybePropose(ctx context.Context) error {
	req := d.request
	if req == nil {
		return nil
	}
	last := d.n.ledger.Last()
	if last.Hash != req.Parent || last.Height+1 != req.Height {
		return nil // the parent is not applied yet
	}
	now := uint64(d.n.clock().UnixMilli())
	due := req.ParentTime + uint64(d.n.cfg.MaxBlockIntervalMs)
	if d.n.pool.Size() == 0 && now < due {
		return nil
	}
	txs := d.n.pool.Reap(d.n.cfg.MaxBlockTxs, d.n.cfg.MaxBlockBytes)
	if len(txs) == 0 && now < due {
		return nil
	}
	x, dropped, err := d.n.ledger.Build(ledger.Template{Time: max(now, req.ParentTime+1), Proposer: d.n.self, LastCert: req.LastCert}, txs, d.n.exec)
	if err != nil {
		return fmt.Errorf("build block %d: %w", req.Height, err)
	}
	for _, dr := range dropped {
		d.n.log.Debug("tx left out of block", "tx", dr.Tx.Hash().Hex(), "err", dr.Err)
	}
	if len(x.Block.Txs) == 0 && now < due {
		return nil // only unexecutable transactions: wait like an empty pool
	}
	d.request = nil
	d.executed[x.Block.Hash()] = x
	acts, err := d.eng.Propose(x.Block)
	if err != nil {
		d.n.log.Warn("proposal refused by engine", "height", req.Height, "view", req.View, "err", err)
	}
	return d.do(ctx, acts)
}

// hintSync asks the driver to sync up to height from peer, which reported
// it; a hint already queued is replaced only if none is (one suffices).
func (d *driver) hintSync(peer types.Address, height uint64) {
	select {
	case d.hints <- consensus.RequestSync{ToHeight: height, Hint: peer}:
	default:
	}
}

// startSync fetches the blocks a asks for unless a sync is under way;
// trigger labels accord_sync_started_total.
func (d *driver) startSync(ctx context.Context, a consensus.RequestSync, trigger string) {
	if d.syncing || d.net == nil {
		return
	}
	peers := d.net.SyncPeers()
	if a.Hint != (types.Address{}) {
		peers = append([]types.Address{a.Hint}, peers...)
	}
	if len(peers) == 0 {
		return
	}
	d.syncing = true
	d.n.metrics.SyncStarts.WithLabelValues(trigger).Inc()
	from := d.n.ledger.Last().Height + 1
	to := max(a.ToHeight, from)
	d.n.syncTarget.Store(to)
	d.n.metrics.SyncTarget.Set(float64(to))
	d.n.log.Info("syncing blocks", "from", from, "to", to, "peer", peers[0].Hex(), "trigger", trigger)
	go func() {
		var last syncResult
		for _, p := range peers {
			fctx, cancel := context.WithTimeout(ctx, 30*time.Second)
			bs, err := d.net.FetchBlocks(fctx, p, from, to)
			cancel()
			last = syncResult{blocks: bs, err: err, peer: p}
			if err == nil && len(bs) > 0 {
				break
			}
		}
		if last.err == nil && len(last.blocks) == 0 {
			last.err = errors.New("no peer had the blocks")
		}
		d.synced <- last
	}()
}

// syncProgressEvery spaces the sync progress lines.
const syncProgressEvery = 2 * time.Second

// applySynced verifies each fetched block against its certificate and the
// validator set, executes and commits it, and tells the engine. It logs
// progress every syncProgressEvery and a summary per fetched batch.
func (d *driver) applySynced(r syncResult) ([]consensus.Action, error) {
	if r.err != nil {
		return nil, r.err
	}
	var acts []consensus.Action
	start, logged := time.Now(), time.Now()
	blocks, txs := 0, 0
	progress := func(msg string, h uint64) {
		el := time.Since(start).Seconds()
		d.n.log.Info(msg, "height", h, "target", d.n.syncTarget.Load(), "blocks", blocks, "txs", txs,
			"tx_per_s", int(float64(txs)/max(el, 1e-3)), "peer", r.peer.Hex())
	}
	defer func() {
		if blocks > 0 {
			progress("synced blocks", d.n.ledger.Last().Height)
		}
	}()
	for _, sb := range r.blocks {
		b, err := types.DecodeBlock(sb.Block)
		if err != nil {
			return acts, err
		}
		cert, err := types.DecodeCommitCert(sb.Cert)
		if err != nil {
			return acts, err
		}
		last := d.n.ledger.Last()
		if b.Height() <= last.Height {
			continue
		}
		if cert.Height != b.Height() || cert.BlockHash != b.Hash() {
			return acts, fmt.Errorf("synced block %d: certificate is for %d/%s", b.Height(), cert.Height, cert.BlockHash.Hex())
		}
		vals, err := d.n.ledger.ValidatorSet(b.Height())
		if err != nil {
			return acts, err
		}
		if err := cert.Verify(d.n.ledger.ChainID(), vals); err != nil {
			return acts, fmt.Errorf("synced block %d: %w", b.Height(), err)
		}
		if err := d.commit(b, cert); err != nil {
			return acts, err
		}
		a, err := d.eng.Synced(b, cert)
		acts = append(acts, a...)
		if err != nil {
			return acts, err
		}
		blocks++
		txs += len(b.Txs)
		if time.Since(logged) >= syncProgressEvery {
			progress("sync progress", b.Height())
			logged = time.Now()
		}
	}
	return acts, nil
}
