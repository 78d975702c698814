package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"github.com/accordnet/accord/app"
	"log/slog"
	"net"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/mempool"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/sigcache"
	"github.com/accordnet/accord/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Version is the node software version, set at build time.
var Version = "0.1.0-dev"

// Options override config.json for one run (command-line flags).
type Options struct {
	RPCAddr string
	DB      string
	Logger  *slog.Logger
	// Fatal, if set, receives one line when the database hits an error it
	// cannot continue after (e.g. the disk filled faster than the disk
	// guard looks), so the process can end with that line rather than a
	// panic; cmd/node exits with it. If it returns, the node panics.
	Fatal func(msg string)
	// DiskFree replaces the free-space probe of the disk guard (fault
	// injection in tests); nil reads the file system.
	DiskFree FreeSpaceFunc
	// Key opens the validator key; an empty PasswordFile falls back to
	// config's validator_password_file, then to $ACCORD_VALIDATOR_PASSWORD.
	Key KeyOptions
	// App changes the application assembly (tests add modules with
	// app.WithModules); every node of a network needs the same options.
	App []app.Option
	// CheckInvariants runs every module's invariants over the state after
	// each committed block (tests; it reads the whole state). A broken one
	// is logged and reported by InvariantError.
	CheckInvariants bool
	// Clock is where this node, as proposer, reads the time it stamps on a
	// block and measures max_block_interval_ms against; nil is time.Now.
	// Tests move it ahead to pass block-time deadlines (a dispute panel's,
	// a challenge period) without waiting for them. Every validator of a
	// test network shares one, so block times stay in order.
	Clock func() time.Time
	// PruneKeepBlocks, if positive, overrides config's prune_keep_blocks
	// (--prune.keep-blocks).
	PruneKeepBlocks uint64
}

// Node is a running Accord node.
type Node struct {
	home   Home
	cfg    Config
	log    *slog.Logger
	ledger *ledger.Ledger
	app    *App
	pool   *mempool.Pool
	// cache holds verified signatures: transactions (mempool admission,
	// gossip sampling, block validation) and consensus votes (the gossip
	// decoder and the engine), so each is recovered once per node.
	cache   *sigcache.Cache
	key     *ecdsa.PrivateKey
	self    types.Address
	metrics *Metrics
	// exec is the router as the ledger runs it for blocks, timed (txexec.go).
	exec *timedApp
	// checkInvariants and invariantErr: see Options.CheckInvariants.
	checkInvariants bool
	clock           func() time.Time
	invariantErr    atomic.Pointer[error]
	api             *api.Server
	hub             *api.Hub // subscription fan-out, fed after each commit
	disk            *diskGuard
	hooks           *webhooks // see webhook.go
	admin           *http.Server
	adminLn         net.Listener

	listener net.Listener
	http     *http.Server
	pprof    *http.Server
	pprofLn  net.Listener
	txAvail  chan struct{}
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	stopOnce sync.Once
	runErr   chan error
	net      *network
	drv      *driver
	recent   *recentBlocks // blocks built or rebuilt lately (compact.go)

	subMu sync.Mutex
	subs  map[chan *types.Block]struct{}

	syncTarget atomic.Uint64 // highest height block sync was asked to reach

	snaps atomic.Pointer[ledger.SnapshotFiles] // set when snapshots are on (snapshot.go)

}

// PublishConsensus gossips a consensus message as this node. It exists for
// fault injection (an equivocating validator in tests).
func (n *Node) PublishConsensus(m *consensus.Message) error {
	if n.net == nil {
		return errors.New("no network")
	}
	return n.net.PublishConsensus(m.Encode())
}

// PublishTxBatch gossips raw transactions as this node without admitting
// them. It exists for fault injection (a member gossiping forgeries).
func (n *Node) PublishTxBatch(raws [][]byte) error {
	if n.net == nil {
		return errors.New("no network")
	}
	return n.net.txs.PublishBatch(raws)
}

// AdmitWithoutGossip admits raw transactions into this node's mempool and
// nowhere else. It exists for fault injection: transactions only this node
// holds, as if gossip had not reached the others, so its proposals name
// transactions its peers must fetch.
func (n *Node) AdmitWithoutGossip(raws [][]byte) []error {
	_, errs := n.pool.AddRawBatch(raws)
	return errs
}

// GossipEvents reports members this node penalizes for gossiping forged
// transactions and the batches it drops from them (nil without a network).
// Events are dropped while nobody reads.
func (n *Node) GossipEvents() <-chan p2p.GossipEvent {
	if n.net == nil {
		return nil
	}
	return n.net.txs.Events()
}

// SubscribeCommits delivers every block committed from now on until cancel
// is called. A subscriber that falls behind misses blocks rather than
// stalling the node.
func (n *Node) SubscribeCommits(buf int) (<-chan *types.Block, func()) {
	ch := make(chan *types.Block, buf)
	n.subMu.Lock()
	if n.subs == nil {
		n.subs = make(map[chan *types.Block]struct{})
	}
	n.subs[ch] = struct{}{}
	n.subMu.Unlock()
	return ch, func() {
		n.subMu.Lock()
		delete(n.subs, ch)
		n.subMu.Unlock()
	}
}

// InvariantError is the first invariant found broken after a block (with
// Options.CheckInvariants), or nil.
func (n *Node) InvariantError() error {
	if e := n.invariantErr.Load(); e != nil {
		return *e
	}
	return nil
}

func (n *Node) notifyCommit(b *types.Block) {
	if n.checkInvariants {
		if msg := n.app.Router.CheckInvariants(n.ledger.ReadState()); msg != "" {
			n.log.Error("invariant broken", "height", b.Height(), "invariant", msg)
			err := fmt.Errorf("height %d: %s", b.Height(), msg)
			n.invariantErr.CompareAndSwap(nil, &err)
		}
	}
	if n.hub != nil {
		n.hub.Notify() // never blocks: the hub reads the block on its own goroutine
	}
	n.subMu.Lock()
	defer n.subMu.Unlock()
	for ch := range n.subs {
		select {
		case ch <- b:
		default:
		}
	}
}

// New opens a node's home: config, genesis, ledger, application, mempool.
func New(h Home, o Options) (*Node, error) {
	cfg, err := LoadConfig(h)
	if err != nil {
		return nil, err
	}
	if o.RPCAddr != "" {
		cfg.RPCAddr = o.RPCAddr
	}
	if o.DB != "" {
		cfg.DB = o.DB
	}
	if o.PruneKeepBlocks > 0 {
		cfg.PruneKeepBlocks = o.PruneKeepBlocks
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	gen, raw, err := ledger.LoadGenesis(h.GenesisFile())
	if err != nil {
		return nil, err
	}
	keyOpts := o.Key
	if keyOpts.PasswordFile == "" {
		keyOpts.PasswordFile = cfg.PasswordFile(h)
	}
	key, err := LoadValidatorKeyWith(h, keyOpts)
	if err != nil {
		return nil, err
	}
	app, err := genesisApp(gen, o.App...)
	if err != nil {
		return nil, err
	}
	app.Router.SetLogger(log.With("component", "app"))
	disk := newDiskGuard(h, cfg.MinFreeDisk(), o.DiskFree)
	if err := disk.checkStart(); err != nil {
		return nil, err
	}
	if err := checkBackend(h, cfg.DB); err != nil {
		return nil, err
	}
	kvOpts := ledgerOptions(cfg, log)
	if o.Fatal != nil {
		kvOpts.Fatal = func(msg string) { o.Fatal(databaseFatal(h, msg)) }
	}
	l, err := ledger.Open(cfg.DB, h.LedgerDir(), kvOpts)
	if err != nil {
		return nil, err
	}
	l.SetStateCacheEntries(cfg.StateCacheEntries)
	if err := l.InitGenesis(raw, app.Router); err != nil {
		l.Close()
		return nil, err
	}
	n := &Node{home: h, cfg: cfg, log: log, ledger: l, app: app, key: key, self: types.PubkeyAddress(key), disk: disk,
		metrics: newMetrics(), cache: sigcache.New(1<<18 + 1<<14), txAvail: make(chan struct{}, 1), runErr: make(chan error, 1),
		checkInvariants: o.CheckInvariants, clock: o.Clock, recent: &recentBlocks{}}
	if n.clock == nil {
		n.clock = time.Now
	}
	n.pool = mempool.New(mempool.Config{
		ChainID: gen.ChainID, MinFee: n.MinFee(), MaxTxs: cfg.MempoolMaxTxs, MaxPerSender: cfg.MempoolMaxPerSender,
		NonceWindow: uint64(cfg.MempoolMaxPerSender), OnAdmit: n.onAdmit, Logger: log.With("component", "mempool"),
		MaxGapAge: time.Duration(cfg.MempoolMaxGapAgeS) * time.Second,
	}, stateReader{n}, app.Cost, n.cache)
	n.exec = newTimedApp(app.Router, n.metrics.TxExec)
	registerMempoolMetrics(n.metrics.Registry, n.pool)
	registerDiskMetrics(n.metrics.Registry, n.disk)
	n.metrics.Registry.MustRegister(newStateCollector(n))
	n.api = assembleAPI(n, app, n.nodeMethods(), log.With("component", "api"))
	n.api.SetReadiness(n.readiness)
	n.api.Handle("GET /metrics", promhttp.HandlerFor(n.metrics.Registry, promhttp.HandlerOpts{}))
	n.mountConsole()
	n.api.SetLimits(cfg.rpcLimits())
	n.hub = api.NewHub(api.LedgerSource(l, app.Keepers.Order), cfg.hubLimits(), log.With("component", "stream"))
	n.api.SetHub(n.hub)
	n.metrics.Height.Set(float64(l.Last().Height))
	n.metrics.Registry.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accord_sigcache_hits_total",
			Help: "Transaction signatures found in the signature cache (recovered earlier, e.g. at mempool admission)."},
			func() float64 { h, _ := n.cache.Stats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "accord_sigcache_misses_total",
			Help: "Transaction signatures recovered (secp256k1) because the cache did not hold them."},
			func() float64 { _, m := n.cache.Stats(); return float64(m) }))
	return n, nil
}

// checkBackend refuses to open a ledger with another backend than the one
// that created it, which would otherwise look like an empty chain.
func checkBackend(h Home, db string) error {
	marker := h.LedgerDir() + ".backend"
	prev, err := os.ReadFile(marker)
	if err == nil {
		if string(prev) != db {
			return fmt.Errorf("ledger in %s was created with %s; cannot open it with %s", h.LedgerDir(), prev, db)
		}
		return nil
	}
	return writeFileAtomic(marker, []byte(db), 0o644)
}

type stateReader struct{ n *Node }

func (s stateReader) Account(a types.Address) (uint64, uint64, error) {
	acc := s.n.app.Bank.GetAccount(s.n.ledger.ReadState(), a)
	return acc.Nonce, acc.Balance, nil
}

func (n *Node) onAdmit(txs []*types.Tx) {
	select {
	case n.txAvail <- struct{}{}:
	default:
	}
}

// Start listens on the RPC address and starts producing blocks. Once it
// returns, the home's listen file says where the node listens. After a
// failed Start, call Stop to release what it opened.
func (n *Node) Start(ctx context.Context) error {
	if err := n.openWebhooks(); err != nil {
		return err
	}
	if err := n.startAdmin(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", n.cfg.RPCAddr)
	if err != nil {
		return fmt.Errorf("rpc listen %s: %w", n.cfg.RPCAddr, err)
	}
	n.listener = ln
	ln = n.limitListener(ln)
	n.http = n.newHTTPServer()
	ctx, n.cancel = context.WithCancel(ctx)
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.hub.Run(ctx) }()
	if err := n.startPprof(); err != nil {
		ln.Close()
		return err
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("rpc server stopped", "err", err)
		}
	}()
	// On failure the caller's Stop shuts down what started; the network
	// is closed here, as Stop closes it only after a successful Start.
	fail := func(err error) error {
		if n.net != nil {
			n.net.host.Close()
			n.net = nil
		}
		return err
	}
	var netw Network
	if n.cfg.P2PListen != "" {
		vals, err := n.ledger.ValidatorSet(n.ledger.Last().Height + 1)
		if err != nil {
			return fail(err)
		}
		allow, err := n.cfg.p2pAllow()
		if err != nil {
			return fail(err)
		}
		if n.net, err = newNetwork(ctx, n, vals.Validators, allow); err != nil {
			return fail(err) // p2p's errors say "p2p: …" already
		}
		netw = n.net
	}
	drv, err := newDriver(n, netw)
	if err != nil {
		return fail(err)
	}
	if err := n.writeListening(); err != nil {
		return fail(fmt.Errorf("write %s: %w", n.home.ListenFile(), err))
	}
	n.drv = drv
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.disk.run(ctx, n) }()
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.feedWebhooks(ctx) }()
	n.startStorageWorkers(ctx)
	n.wg.Add(1)
	go func() { defer n.wg.Done(); n.tallyBusiness(ctx) }()
	if n.net != nil {
		n.wg.Add(1)
		go func() { defer n.wg.Done(); n.net.txs.Run(ctx) }()
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			watchPeerHeights(ctx, n.net.host, func() uint64 { return n.ledger.Last().Height }, drv.hintSync)
		}()
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := drv.run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			n.log.Error("block production stopped", "err", err)
			n.runErr <- err
		}
	}()
	last := n.ledger.Last()
	n.log.Info("node started", "chain", n.ledger.ChainID(), "height", last.Height, "validator", n.self.Hex(),
		"rpc", "http://"+n.RPCAddr(), "db", n.cfg.DB)
	return nil
}

// Err delivers a fatal error of the running node.
func (n *Node) Err() <-chan error { return n.runErr }

// fail reports a fatal error on Err (the first one wins).
func (n *Node) fail(err error) {
	select {
	case n.runErr <- err:
	default:
	}
}

// RPCAddr is the address the API listens on.
func (n *Node) RPCAddr() string {
	if n.listener != nil {
		return n.listener.Addr().String()
	}
	return n.cfg.RPCAddr
}

// Stop shuts the node down: no new requests or blocks, then the ledger is
// closed. Committed blocks are already durable.
func (n *Node) Stop() error {
	var err error
	n.stopOnce.Do(func() {
		if n.cancel != nil {
			n.cancel()
		}
		if n.http != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_ = n.http.Shutdown(ctx)
			cancel()
		}
		if n.pprof != nil {
			_ = n.pprof.Close()
		}
		if n.admin != nil {
			_ = n.admin.Close()
		}
		// WebSocket connections outlive Shutdown (they are hijacked); end
		// them before the ledger they read is closed.
		n.api.Close()
		if n.net != nil {
			n.net.rebuild.close() // no proposal fetches past this point
		}
		n.wg.Wait()
		if werr := n.hooks.close(); werr != nil {
			n.log.Warn("close webhooks", "err", werr)
		}
		if n.net != nil {
			_ = n.net.host.Close()
		}
		if n.listener != nil {
			if rerr := os.Remove(n.home.ListenFile()); rerr != nil && !os.IsNotExist(rerr) {
				n.log.Warn("remove listen file", "err", rerr)
			}
		}
		err = n.ledger.Close()
		n.log.Info("node stopped", "height", n.ledger.Last().Height)
	})
	return err
}

// Backend methods for the API.

// Ledger implements api.Backend.
func (n *Node) Ledger() *ledger.Ledger { return n.ledger }

// SubmitTx implements api.Backend.
func (n *Node) SubmitTx(raw []byte) (types.Hash, error) {
	if err := n.disk.submitErr(); err != nil {
		n.metrics.Rejected.WithLabelValues(rejectReason(err)).Inc()
		return types.Hash{}, err
	}
	h, err := n.pool.AddRaw(raw)
	if err != nil {
		n.metrics.Rejected.WithLabelValues(rejectReason(err)).Inc()
		return h, err
	}
	if n.net != nil {
		n.net.txs.Queue([][]byte{raw})
	}
	return h, nil
}

// SubmitTxs implements api.Backend.
func (n *Node) SubmitTxs(raws [][]byte) ([]types.Hash, []error) {
	if err := n.disk.submitErr(); err != nil {
		n.metrics.Rejected.WithLabelValues(rejectReason(err)).Add(float64(len(raws)))
		return refuseAll(len(raws), err)
	}
	hashes, errs := n.pool.AddRawBatch(raws)
	admitted := make([][]byte, 0, len(raws))
	for i, err := range errs {
		if err != nil {
			n.metrics.Rejected.WithLabelValues(rejectReason(err)).Inc()
			continue
		}
		admitted = append(admitted, raws[i])
	}
	if n.net != nil && len(admitted) > 0 {
		n.net.txs.Queue(admitted)
	}
	return hashes, errs
}

func rejectReason(err error) string {
	for _, c := range []struct {
		err  error
		name string
	}{
		{mempool.ErrNonceTooLow, "nonce_too_low"}, {mempool.ErrNonceTooHigh, "nonce_too_high"},
		{mempool.ErrInsufficientFunds, "insufficient_funds"}, {mempool.ErrAlreadyKnown, "already_known"},
		{types.ErrBadSignature, "bad_signature"}, {types.ErrWrongChainID, "wrong_chain"},
		{mempool.ErrPoolFull, "pool_full"}, {ErrDiskLow, "disk_low"}, {mempool.ErrSenderFull, "sender_full"}, {mempool.ErrFeeTooLow, "fee_too_low"},
	} {
		if errors.Is(err, c.err) {
			return c.name
		}
	}
	return "other"
}

// PendingNonce implements api.Backend.
func (n *Node) PendingNonce(a types.Address) (uint64, bool) { return n.pool.PendingNonce(a) }

// MempoolSize implements api.Backend.
func (n *Node) MempoolSize() int { return n.pool.Size() }

// Peers implements api.Backend.
func (n *Node) Peers() int {
	if n.net == nil {
		return 0
	}
	return n.net.host.PeerCount()
}

// Validator implements api.Backend.
func (n *Node) Validator() types.Address { return n.self }

// TxTypeName implements api.Backend.
func (n *Node) TxTypeName(t types.TxType) string { return n.app.TypeName(t) }

// MinFee implements api.Backend.
func (n *Node) MinFee() uint64 { return n.app.Bank.GetParams(n.ledger.ReadState()).MinFee }

// Version implements api.Backend.
func (n *Node) Version() string { return Version }

// CatchingUp implements api.Backend.
// A node is catching up while its head is below the highest height block
// sync was asked to reach.
func (n *Node) CatchingUp() bool { return n.ledger.Last().Height < n.syncTarget.Load() }

var _ api.Backend = (*Node)(nil)
var _ = bank.Keeper{}

// Partition cuts (or, with cut false, heals) this node's links to addrs.
// It is a fault-injection hook for tests; it does nothing without p2p.
func (n *Node) Partition(cut bool, addrs ...types.Address) {
	if n.net == nil {
		return
	}
	for _, a := range addrs {
		if cut {
			n.net.host.Block(a)
		} else {
			n.net.host.Unblock(a)
		}
	}
}

// Address is this node's validator address.
func (n *Node) Address() types.Address { return n.self }

// AddPeer makes the node connect, and stay connected, to the peer at
// maddrs (all its addresses, each ending in /p2p/<ID>, as Listening().P2P
// gives them), as a p2p_peers entry would; for a peer it already knows the
// addresses are replaced. It lets a test introduce nodes that listen on
// ports the OS picked, and reintroduce one restarted elsewhere.
func (n *Node) AddPeer(maddrs ...string) error {
	if n.net == nil {
		return errors.New("no network")
	}
	return n.net.host.AddPeer(maddrs...)
}

// P2PPeers lists the connected peers' addresses.
func (n *Node) P2PPeers() []types.Address {
	if n.net == nil {
		return nil
	}
	return n.net.host.Peers()
}
