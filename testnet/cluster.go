package testnet

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// Cluster is an in-process testnet: N nodes with real libp2p on loopback,
// each with its own home and database, that tests can stop, restart and
// partition.
type Cluster struct {
	Layout   Layout
	Dev      types.Address
	log      *slog.Logger
	app      []app.Option
	checkInv bool
	// ahead is how far the nodes' shared proposer clock runs ahead of the
	// wall clock (Advance), in ns.
	ahead atomic.Int64

	mu    sync.Mutex
	nodes []*node.Node
	rpc   []string // RPC address of each node's latest start
	ctx   context.Context
	stop  context.CancelFunc
}

// ClusterOptions shape a cluster.
type ClusterOptions struct {
	Validators    int
	FullNodes     int // non-voting nodes after the validators
	BenchAccounts int
	Logger        *slog.Logger
	Config        func(i int, c *node.Config)
	Params        map[string]map[string]string // gov genesis params (see InitOptions)
	App           []app.Option                 // application assembly options of every node (extra modules)
	// CheckInvariants makes every node check every module's invariants
	// after each block (see Cluster.InvariantError).
	CheckInvariants bool
	// ChainID defaults to accord-cluster. Profile, SideChains and
	// MainChain make a profile testnet (see InitOptions).
	ChainID    string
	Profile    app.Profile
	SideChains []LinkedChain
	MainChain  *LinkedChain
}

// NewCluster initializes and starts a cluster in dir.
func NewCluster(dir string, o ClusterOptions) (*Cluster, error) {
	// No BasePort: every listener is bound to a port the OS picks and kept,
	// so no other process can take it between choosing and binding.
	l := Layout{Dir: dir, Validators: o.Validators, FullNodes: o.FullNodes, ChainID: o.ChainID}
	if l.ChainID == "" {
		l.ChainID = "accord-cluster"
	}
	dev, err := Init(l, InitOptions{BenchAccounts: o.BenchAccounts, Config: o.Config, Params: o.Params,
		Profile: o.Profile, SideChains: o.SideChains, MainChain: o.MainChain})
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &Cluster{Layout: l, Dev: dev, log: log, app: o.App, checkInv: o.CheckInvariants,
		nodes: make([]*node.Node, l.Nodes()), rpc: make([]string, l.Nodes()),
		ctx: ctx, stop: cancel}
	for i := range c.nodes {
		if err := c.Start(i); err != nil {
			c.Close()
			return nil, err
		}
	}
	return c, nil
}

// Start (re)starts node i from its home. It listens on ports the OS picks
// (new ones after a restart), so Start introduces it to every running node
// and every running node to it; each then keeps the other connected, as
// with p2p_peers, and redials it after a partition heals.
func (c *Cluster) Start(i int) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.nodes[i] != nil {
		return fmt.Errorf("node%d is running", i)
	}
	n, err := node.New(c.Layout.Home(i), node.Options{Logger: c.log.With("node", i), App: c.app, CheckInvariants: c.checkInv, Clock: c.Now})
	if err != nil {
		return fmt.Errorf("node%d: %w", i, err)
	}
	if err := n.Start(c.ctx); err != nil {
		n.Stop()
		return fmt.Errorf("node%d: %w", i, err)
	}
	if self := n.Listening().P2P; len(self) > 0 {
		for j, other := range c.nodes {
			if other == nil {
				continue
			}
			if err := n.AddPeer(other.Listening().P2P...); err != nil {
				n.Stop()
				return fmt.Errorf("node%d: add node%d as a peer: %w", i, j, err)
			}
			if err := other.AddPeer(self...); err != nil {
				n.Stop()
				return fmt.Errorf("node%d: add node%d as a peer: %w", j, i, err)
			}
		}
	}
	c.nodes[i] = n
	c.rpc[i] = n.RPCAddr()
	return nil
}

// Now is the clock every node of the cluster stamps its proposals with:
// the wall clock plus what Advance added.
func (c *Cluster) Now() time.Time { return time.Now().Add(time.Duration(c.ahead.Load())) }

// Advance moves the nodes' clock d ahead, for good: the next block (an
// empty one is due at once, max_block_interval_ms having passed on the new
// clock) carries a block time at least d later, so block-time deadlines
// pass without the test waiting for them in real time.
func (c *Cluster) Advance(d time.Duration) {
	if d > 0 {
		c.ahead.Add(int64(d))
	}
}

// WaitBlockTime blocks until node i has committed a block whose time is
// at least t (unix ms), using its commit subscription.
func (c *Cluster) WaitBlockTime(ctx context.Context, i int, t uint64) error {
	n := c.Node(i)
	if n == nil {
		return fmt.Errorf("node%d is stopped", i)
	}
	ch, cancel := n.SubscribeCommits(64)
	defer cancel()
	for n.Ledger().Last().Time < t {
		select {
		case <-ctx.Done():
			return fmt.Errorf("node%d at block time %d, waiting for %d: %w", i, n.Ledger().Last().Time, t, ctx.Err())
		case <-ch:
		}
	}
	return nil
}

// Stop stops node i (as Ctrl-C would).
func (c *Cluster) Stop(i int) error {
	c.mu.Lock()
	n := c.nodes[i]
	c.nodes[i] = nil
	c.mu.Unlock()
	if n == nil {
		return nil
	}
	return n.Stop()
}

// Node returns node i, or nil if stopped.
func (c *Cluster) Node(i int) *node.Node {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.nodes[i]
}

// RPCAddr of node i (host:port), from its latest start: a stopped node
// no longer listens there, and a restarted one listens elsewhere.
func (c *Cluster) RPCAddr(i int) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rpc[i]
}

// Client of node i, at its current RPC address (see RPCAddr).
func (c *Cluster) Client(i int) *client.Client { return client.New(c.RPCAddr(i)) }

// URLs are the nodes' RPC URLs (validators first), for Bench.
func (c *Cluster) URLs() []string {
	out := make([]string, len(c.nodes))
	for i := range out {
		out[i] = "http://" + c.RPCAddr(i)
	}
	return out
}

// Close stops every node.
func (c *Cluster) Close() {
	for i := range c.nodes {
		_ = c.Stop(i)
	}
	c.stop()
}

// Isolate cuts node i from every other node (both directions); Heal undoes it.
func (c *Cluster) Isolate(i int, cut bool) {
	self := c.Node(i)
	for j := range c.nodes {
		other := c.Node(j)
		if j == i || other == nil || self == nil {
			continue
		}
		self.Partition(cut, other.Address())
		other.Partition(cut, self.Address())
	}
}

// WaitHeight blocks until node i has committed height h, using its commit
// subscription (no polling).
func (c *Cluster) WaitHeight(ctx context.Context, i int, h uint64) error {
	n := c.Node(i)
	if n == nil {
		return fmt.Errorf("node%d is stopped", i)
	}
	ch, cancel := n.SubscribeCommits(64)
	defer cancel()
	for n.Ledger().Last().Height < h {
		select {
		case <-ctx.Done():
			return fmt.Errorf("node%d at height %d, waiting for %d: %w", i, n.Ledger().Last().Height, h, ctx.Err())
		case <-ch:
		}
	}
	return nil
}

// Height of node i (0 if stopped).
func (c *Cluster) Height(i int) uint64 {
	if n := c.Node(i); n != nil {
		return n.Ledger().Last().Height
	}
	return 0
}

// CheckAgreement verifies that every running node holds the same block
// hash at every height they share: the safety property.
func (c *Cluster) CheckAgreement() error {
	var hs []uint64
	var running []*node.Node
	for i := range c.nodes {
		if n := c.Node(i); n != nil {
			running = append(running, n)
			hs = append(hs, n.Ledger().Last().Height)
		}
	}
	if len(running) == 0 {
		return nil
	}
	minH := hs[0]
	for _, h := range hs {
		minH = min(minH, h)
	}
	for h := uint64(1); h <= minH; h++ {
		var want types.Hash
		for k, n := range running {
			b, err := n.Ledger().Block(h)
			if err != nil {
				return fmt.Errorf("height %d: %w", h, err)
			}
			if k == 0 {
				want = b.Hash()
			} else if b.Hash() != want {
				return fmt.Errorf("fork at height %d: %s vs %s", h, want.Hex(), b.Hash().Hex())
			}
		}
	}
	return nil
}

// InvariantError is the first invariant a running node found broken after
// a block (ClusterOptions.CheckInvariants), or nil.
func (c *Cluster) InvariantError() error {
	for i := range c.nodes {
		if n := c.Node(i); n != nil {
			if err := n.InvariantError(); err != nil {
				return fmt.Errorf("node%d: %w", i, err)
			}
		}
	}
	return nil
}

// WaitAll waits until every running node reaches height h.
func (c *Cluster) WaitAll(ctx context.Context, h uint64) error {
	for i := range c.nodes {
		if c.Node(i) == nil {
			continue
		}
		if err := c.WaitHeight(ctx, i, h); err != nil {
			return err
		}
	}
	return nil
}

// Timeout is a convenience for test contexts.
func Timeout(d time.Duration) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), d)
}
