package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
)

// Compact proposals. A proposer publishes its PRE-PREPARE with transaction
// hashes instead of bodies (consensus.Message.EncodeCompact): the other
// validators received nearly all of those transactions already through
// transaction gossip, decoded, hashed and signature-checked by their
// mempools. The rebuilder, on the network's delivery path, turns a compact
// proposal back into the whole one before the driver sees it: it takes
// every transaction it can from the mempool (and from blocks it built or
// rebuilt lately), fetches the rest from the proposer or another peer over
// the sync protocol (bounded; every body checked against its hash), and
// delivers the proposal only once it is complete. The engine therefore
// validates exactly the block it validated before — every transaction
// executed, every signature recovered (the mempool's are cached) — and a
// proposal that cannot be completed in time is dropped, which to the engine
// is a proposal that never arrived: the view timer handles it, and the
// proposer's re-broadcast a second later is another chance.
const (
	// rebuildTimeout bounds fetching one proposal's missing transactions;
	// it stays under the first view's timeout (3 s).
	rebuildTimeout = 2 * time.Second
	// maxRebuildMissing bounds the transactions fetched for one proposal
	// (a block holds at most max_block_txs; a node missing more than this
	// many is better served by the view change and block sync).
	maxRebuildMissing = 4 * p2p.MaxTxFetchHashes
	// A proposal naming transactions the mempool lacks first waits for
	// them to arrive by gossip. Under load a proposer reaps transactions
	// the moment it admits them, so its (small) proposal overtakes their
	// gossip: the batch has usually arrived but is still being admitted
	// (its signatures recovered), which block validation would have to do
	// anyway. So the rebuilder waits while gossiped batches are being
	// admitted, up to rebuildGrace, and otherwise only rebuildIdle for a
	// batch still on the wire; then it fetches what is left.
	rebuildGrace = 300 * time.Millisecond
	rebuildIdle  = 10 * time.Millisecond
	rebuildPoll  = 4 * time.Millisecond
	// rebuildSlots bounds concurrent fetches.
	rebuildSlots = 2
	// recentBlockKeep is how many built or rebuilt blocks serve lookups.
	recentBlockKeep = 8
)

// txFetcher is what the rebuilder needs from p2p.
type txFetcher interface {
	FetchTxs(ctx context.Context, peer types.Address, hashes []types.Hash) ([][]byte, error)
	// FetchPeers lists the peers to ask after the proposer.
	FetchPeers() []types.Address
}

// rebuilder completes compact proposals; offer is safe for concurrent use.
type rebuilder struct {
	ctx     context.Context                                // ends fetches when the node stops
	lookup  func(hashes []types.Hash, out []*types.Tx) int // the mempool (Pool.GetMany)
	recent  *recentBlocks
	fetch   txFetcher // nil: no network, nothing to fetch
	head    func() uint64
	deliver func(*consensus.Message)
	log     *slog.Logger
	count   func(result string)
	grace   time.Duration // rebuildGrace; tests set 0
	// admitting reports how many gossiped batches the mempool is admitting
	// and a channel closed when that changes (nil: none ever are).
	admitting func() (int, <-chan struct{})

	mu       sync.Mutex
	inflight map[types.Hash]bool // block hashes being fetched
	slots    chan struct{}
	closed   bool
	wg       sync.WaitGroup // fetches under way
}

func newRebuilder(ctx context.Context, lookup func([]types.Hash, []*types.Tx) int, recent *recentBlocks, fetch txFetcher, head func() uint64,
	deliver func(*consensus.Message), log *slog.Logger, count func(string)) *rebuilder {
	return &rebuilder{ctx: ctx, lookup: lookup, recent: recent, fetch: fetch, head: head, deliver: deliver, log: log, count: count,
		grace:    rebuildGrace,
		inflight: make(map[types.Hash]bool), slots: make(chan struct{}, rebuildSlots)}
}

// offer takes a compact proposal that passed the gossip decoder (shape,
// signature) and delivers it whole, now or after a fetch, or drops it.
func (r *rebuilder) offer(m *consensus.Message) {
	r.mu.Lock()
	closed := r.closed
	r.mu.Unlock()
	if closed {
		return
	}
	c := m.Compact
	if b := r.recent.block(m.BlockHash); b != nil {
		r.complete(m, b, "recent")
		return
	}
	// Only the heights the engine is deciding or about to decide are worth
	// a fetch; older proposals are moot, later ones come again.
	if head := r.head(); m.Height <= head || m.Height > head+2 {
		r.count("height")
		return
	}
	txs := make([]*types.Tx, len(c.TxHashes))
	r.lookup(c.TxHashes, txs)
	missing := c.Missing(txs)
	if len(missing) > 0 {
		r.recent.fill(c.TxHashes, txs)
		missing = c.Missing(txs)
	}
	if len(missing) == 0 {
		b, err := c.Rebuild(txs)
		if err != nil {
			r.log.Debug("compact proposal not rebuilt", "height", m.Height, "view", m.View, "err", err)
			r.count("invalid")
			return
		}
		r.complete(m, b, "mempool")
		return
	}
	if r.fetch == nil {
		r.count("fetch_failed")
		return
	}
	if len(missing) > maxRebuildMissing {
		r.log.Debug("compact proposal misses too many transactions to fetch", "height", m.Height, "view", m.View, "missing", len(missing))
		r.count("too_many_missing")
		return
	}
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	if r.inflight[m.BlockHash] {
		r.mu.Unlock()
		r.count("in_flight") // the fetch under way will deliver it
		return
	}
	select {
	case r.slots <- struct{}{}:
	default:
		r.mu.Unlock()
		r.count("busy")
		return
	}
	r.inflight[m.BlockHash] = true
	r.wg.Add(1) // under mu, so close cannot miss it
	r.mu.Unlock()
	go func() {
		defer r.wg.Done()
		defer func() {
			r.mu.Lock()
			delete(r.inflight, m.BlockHash)
			r.mu.Unlock()
			<-r.slots
		}()
		ctx, cancel := context.WithTimeout(r.ctx, rebuildTimeout)
		defer cancel()
		start := time.Now()
		source := "fetched"
		if missing = r.awaitGossip(ctx, c.TxHashes, txs, missing); len(missing) == 0 {
			source = "gossip"
		} else if err := r.fill(ctx, m, txs, missing); err != nil {
			r.log.Debug("compact proposal: fetch failed", "height", m.Height, "view", m.View, "missing", len(missing), "err", err)
			r.count("fetch_failed")
			return
		}
		b, err := c.Rebuild(txs)
		if err != nil {
			r.log.Debug("compact proposal not rebuilt", "height", m.Height, "view", m.View, "err", err)
			r.count("invalid")
			return
		}
		r.log.Debug("compact proposal rebuilt", "height", m.Height, "view", m.View, "source", source,
			"txs", len(txs), "fetched", len(missing), "took", time.Since(start).Round(time.Microsecond))
		r.complete(m, b, source)
	}()
}

// close refuses further proposals and waits for the fetches under way
// (they end with the node's context).
func (r *rebuilder) close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.wg.Wait()
}

func (r *rebuilder) complete(m *consensus.Message, b *types.Block, source string) {
	whole, err := m.WithBlock(b)
	if err != nil {
		r.count("invalid")
		return
	}
	r.recent.add(b)
	r.count(source)
	r.deliver(whole)
}

var errNotFetched = errors.New("no peer served every missing transaction")

// awaitGossip looks the missing transactions up in the mempool again as
// gossiped batches finish admission (and every rebuildPoll), for up to
// r.grace while batches are being admitted or rebuildIdle while none is,
// and returns those still missing.
func (r *rebuilder) awaitGossip(ctx context.Context, hashes []types.Hash, txs []*types.Tx, missing []int) []int {
	if r.grace <= 0 {
		return missing
	}
	start := time.Now()
	deadline := time.NewTimer(r.grace)
	defer deadline.Stop()
	poll := time.NewTicker(rebuildPoll)
	defer poll.Stop()
	ask := make([]types.Hash, 0, len(missing))
	got := make([]*types.Tx, 0, len(missing))
	for len(missing) > 0 {
		active, changed := 0, (<-chan struct{})(nil)
		if r.admitting != nil {
			active, changed = r.admitting()
		}
		if active == 0 && time.Since(start) >= min(rebuildIdle, r.grace) {
			return missing
		}
		select {
		case <-ctx.Done():
			return missing
		case <-deadline.C:
			return missing
		case <-changed:
		case <-poll.C:
		}
		ask, got = ask[:0], got[:0]
		for _, pos := range missing {
			ask = append(ask, hashes[pos])
			got = append(got, nil)
		}
		if r.lookup(ask, got) == 0 {
			continue
		}
		still := missing[:0]
		for i, pos := range missing {
			if got[i] != nil {
				txs[pos] = got[i]
			} else {
				still = append(still, pos)
			}
		}
		missing = still
	}
	return missing
}

// fill fetches the bodies at positions missing of txs, asking the proposer
// first and then every other peer, until all are there or ctx ends.
func (r *rebuilder) fill(ctx context.Context, m *consensus.Message, txs []*types.Tx, missing []int) error {
	hashes := m.Compact.TxHashes
	peers := append([]types.Address{m.From}, r.fetch.FetchPeers()...)
	asked := make(map[types.Address]bool, len(peers))
	var lastErr error
	for _, p := range peers {
		if len(missing) == 0 {
			break
		}
		if asked[p] {
			continue
		}
		asked[p] = true
		var err error
		missing, err = r.fillFrom(ctx, p, hashes, txs, missing)
		if err != nil {
			lastErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: %d left (last error: %v)", errNotFetched, len(missing), lastErr)
	}
	return nil
}

// fillFrom asks peer for the missing bodies in requests of at most
// p2p.MaxTxFetchHashes, and returns what is still missing. A body that does
// not decode to the transaction asked for ends the exchange with the peer.
func (r *rebuilder) fillFrom(ctx context.Context, peer types.Address, hashes []types.Hash, txs []*types.Tx, missing []int) ([]int, error) {
	var still []int
	for len(missing) > 0 {
		chunk := missing[:min(len(missing), p2p.MaxTxFetchHashes)]
		ask := make([]types.Hash, len(chunk))
		for i, pos := range chunk {
			ask[i] = hashes[pos]
		}
		bodies, err := r.fetch.FetchTxs(ctx, peer, ask)
		if err != nil {
			return append(still, missing...), err
		}
		for i, pos := range chunk[:len(bodies)] {
			if bodies[i] == nil {
				still = append(still, pos)
				continue
			}
			tx, err := types.DecodeTx(bodies[i])
			if err == nil && tx.Hash() != hashes[pos] {
				err = fmt.Errorf("body hashes to %s", tx.Hash().Hex())
			}
			if err != nil {
				return append(still, missing[i:]...), fmt.Errorf("%s: transaction %s: %w", peer.Hex(), hashes[pos].Hex(), err)
			}
			txs[pos] = tx
		}
		// A response cut at the byte budget answers a prefix; ask for the
		// rest.
		missing = missing[len(bodies):]
	}
	return still, nil
}

// admissions counts the gossiped transaction batches the mempool is
// admitting, for the rebuilder to wait on (see rebuildGrace).
type admissions struct {
	mu      sync.Mutex
	active  int
	changed chan struct{}
}

func newAdmissions() *admissions { return &admissions{changed: make(chan struct{})} }

func (a *admissions) begin() { a.mu.Lock(); a.active++; a.mu.Unlock() }

func (a *admissions) end() {
	a.mu.Lock()
	a.active--
	close(a.changed)
	a.changed = make(chan struct{})
	a.mu.Unlock()
}

func (a *admissions) state() (int, <-chan struct{}) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.active, a.changed
}

// recentBlocks holds the last blocks this node built or rebuilt, whole:
// a re-broadcast proposal is completed without any lookup, a re-proposal
// after a view change finds transactions the mempool may have dropped, and
// peers rebuilding the same proposal can fetch its transactions here.
type recentBlocks struct {
	mu     sync.Mutex
	blocks [recentBlockKeep]*types.Block
	hashes [recentBlockKeep]types.Hash
	index  [recentBlockKeep]map[types.Hash]*types.Tx // built on first lookup
	next   int
}

func (r *recentBlocks) add(b *types.Block) {
	h := b.Hash()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, k := range r.blocks {
		if k != nil && r.hashes[i] == h {
			return
		}
	}
	r.blocks[r.next], r.hashes[r.next], r.index[r.next] = b, h, nil
	r.next = (r.next + 1) % recentBlockKeep
}

// block returns the kept block with hash h, or nil.
func (r *recentBlocks) block(h types.Hash) *types.Block {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, b := range r.blocks {
		if b != nil && r.hashes[i] == h {
			return b
		}
	}
	return nil
}

// fill is Pool.GetMany over the kept blocks' transactions.
func (r *recentBlocks) fill(hashes []types.Hash, out []*types.Tx) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for i, b := range r.blocks {
		if b == nil || len(b.Txs) == 0 {
			continue
		}
		if r.index[i] == nil {
			idx := make(map[types.Hash]*types.Tx, len(b.Txs))
			for _, tx := range b.Txs {
				idx[tx.Hash()] = tx
			}
			r.index[i] = idx
		}
		for j, h := range hashes {
			if out[j] == nil {
				if tx := r.index[i][h]; tx != nil {
					out[j] = tx
					n++
				}
			}
		}
	}
	return n
}

// txSource serves transaction fetches from the mempool and the recent
// blocks (p2p.TxSource).
type txSource struct{ n *Node }

func (s txSource) TxBodies(hashes []types.Hash) [][]byte {
	txs := make([]*types.Tx, len(hashes))
	if s.n.pool.GetMany(hashes, txs) < len(hashes) {
		s.n.recent.fill(hashes, txs)
	}
	out := make([][]byte, len(hashes))
	for i, tx := range txs {
		if tx != nil {
			out[i] = tx.Encode()
		}
	}
	return out
}
