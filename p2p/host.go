package p2p

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p"
	"github.com/libp2p/go-libp2p/core/event"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/peerstore"
	"github.com/libp2p/go-libp2p/p2p/net/swarm"
	libp2pquic "github.com/libp2p/go-libp2p/p2p/transport/quic"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"
	mafmt "github.com/multiformats/go-multiaddr-fmt"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/accordnet/accord/types"
)

// Defaults for the optional Config fields.
const (
	DefaultMaxMessageSize = 16 << 20
	DefaultReconnectMin   = 250 * time.Millisecond
	DefaultReconnectMax   = 10 * time.Second
	DefaultSyncTimeout    = 30 * time.Second

	dialTimeout = 5 * time.Second
)

// Config configures a Host. ListenAddr, Key and ChainID are required.
type Config struct {
	// ListenAddr is the multiaddr to listen on, or several separated by
	// commas. Each is TCP, e.g. /ip4/0.0.0.0/tcp/26656, or QUIC v1, e.g.
	// /ip4/0.0.0.0/udp/26656/quic-v1; port 0 picks a free port. Empty means
	// the host only dials out. The host dials both transports whatever it
	// listens on, so QUIC is used only with peers whose addresses (in
	// Bootstrap, Connect or learnt from the peer) name it.
	ListenAddr string
	// Key is the node's secp256k1 validator key; the libp2p identity is
	// derived from it, so the peer ID maps to the node's chain address.
	Key *ecdsa.PrivateKey
	// ChainID namespaces every protocol and topic name, so nodes of two
	// chains sharing a network never exchange messages.
	ChainID string
	// AllowList holds the consortium's addresses (validators and registered
	// full nodes). Only these peers may connect; replace it at runtime with
	// SetAllowList.
	AllowList []types.Address
	// Bootstrap lists peers to connect to at start and to keep reconnecting
	// to, as multiaddrs ending in /p2p/<peer ID>. An entry naming this host
	// is skipped, so every node of a testnet can be given the same list.
	Bootstrap []string
	// Logger receives the host's logs; nil means slog.Default().
	Logger *slog.Logger

	// Registerer, if set, gets the host's Prometheus collector (see
	// Collector). The host registers it in New and unregisters it in Close.
	Registerer prometheus.Registerer
	// BlockSource serves block-sync requests; it may also be set later with
	// SetBlockSource. Without one, sync requests are answered "unavailable".
	BlockSource BlockSource
	// MaxMessageSize bounds one gossip message on the wire; it must exceed
	// the largest consensus message (a PRE-PREPARE carries a whole block).
	// All nodes of a chain must agree on it. Default DefaultMaxMessageSize.
	MaxMessageSize int
	// ReconnectMin and ReconnectMax bound the exponential backoff between
	// attempts to reach a bootstrap peer. Defaults DefaultReconnectMin and
	// DefaultReconnectMax.
	ReconnectMin, ReconnectMax time.Duration
	// SyncTimeout bounds a block-sync exchange when the caller's context has
	// no deadline, and the serving side of every exchange. Default
	// DefaultSyncTimeout.
	SyncTimeout time.Duration

	listen     []ma.Multiaddr // ListenAddr, parsed by check
	syncBudget int            // test override of MaxSyncResponseBytes
}

func (c *Config) check() error {
	if c.Key == nil {
		return fmt.Errorf("%w: no key", ErrInvalidConfig)
	}
	listen, err := parseListenAddrs(c.ListenAddr)
	if err != nil {
		return err
	}
	c.listen = listen
	if c.ChainID == "" || strings.ContainsAny(c.ChainID, "/ \t\r\n") {
		return fmt.Errorf("%w: chain ID %q must be non-empty without '/' or spaces", ErrInvalidConfig, c.ChainID)
	}
	if c.MaxMessageSize < 0 || c.ReconnectMin < 0 || c.ReconnectMax < 0 || c.SyncTimeout < 0 {
		return fmt.Errorf("%w: negative limit", ErrInvalidConfig)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.MaxMessageSize == 0 {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.MaxMessageSize < 1<<20 {
		return fmt.Errorf("%w: max message size %d below 1 MiB", ErrInvalidConfig, c.MaxMessageSize)
	}
	if c.ReconnectMin == 0 {
		c.ReconnectMin = DefaultReconnectMin
	}
	if c.ReconnectMax == 0 {
		c.ReconnectMax = DefaultReconnectMax
	}
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = c.ReconnectMin
	}
	if c.SyncTimeout == 0 {
		c.SyncTimeout = DefaultSyncTimeout
	}
	return nil
}

// Host is one node's endpoint on the consortium network: a libp2p host
// admitting only allow-listed peers, gossip topics for transactions and
// consensus messages, and the block-sync protocol. Its methods are safe for
// concurrent use.
type Host struct {
	cfg      Config
	log      *slog.Logger
	self     peer.ID
	selfAddr types.Address
	host     host.Host
	gater    *gater
	reserve  *reserve // reserve.go
	addrs    *addrCache
	bw       *byteCounter
	topics   [numTopics]*gossipTopic
	pubSeq   atomic.Uint64 // the last sequence number on a framed topic (gossipTopic.framed)
	boot     *reconnector
	sync     syncState
	snap     snapState // snapshot.go
	stats    counters
	txSource atomic.Pointer[txSourceBox] // txfetch.go
	txPen    txPenalties
	connSub  event.Subscription

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu      sync.Mutex
	closed  bool
	changed chan struct{} // closed and replaced whenever peers or topic peers change

	closeOnce sync.Once
	closeErr  error

	collector   prometheus.Collector
	onValidated atomic.Pointer[func(t Topic, from types.Address, accepted bool)] // test hook
}

// New starts a host: it listens, joins the gossip topics, serves block
// sync and begins connecting to the bootstrap peers in the background (New
// does not wait for them; see WaitPeers).
func New(cfg Config) (*Host, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	sk, err := libp2pKey(cfg.Key)
	if err != nil {
		return nil, err
	}
	self, err := peer.IDFromPrivateKey(sk)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	boot, err := parseBootstrap(cfg.Bootstrap, self)
	if err != nil {
		return nil, err
	}

	h := &Host{
		cfg:      cfg,
		log:      cfg.Logger.With("component", "p2p"),
		self:     self,
		selfAddr: types.PubkeyAddress(cfg.Key),
		addrs:    &addrCache{},
		bw:       newByteCounter(cfg.ChainID),
		changed:  make(chan struct{}),
	}
	h.collector = (*collector)(h)
	h.addrs.remember(self, h.selfAddr)
	h.gater = newGater(h.log, h.addrs, cfg.AllowList)
	h.sync.init(cfg.BlockSource)
	rm, err := newResourceManager()
	if err != nil {
		return nil, fmt.Errorf("p2p: resource manager: %w", err)
	}

	opts := []libp2p.Option{
		libp2p.Identity(sk),
		// No SO_REUSEPORT: a second process on the same port must fail to
		// start, not share the listener.
		libp2p.Transport(tcp.NewTCPTransport, tcp.DisableReuseport()),
		// QUIC needs no such option: its UDP sockets are plain binds, shared
		// only between this host's own listener and its outgoing dials.
		libp2p.Transport(libp2pquic.NewTransport),
		libp2p.ConnectionGater(h.gater),
		libp2p.ResourceManager(rm), // closed by the host
		libp2p.DisableRelay(),
		libp2p.BandwidthReporter(h.bw),
		libp2p.DisableMetrics(),
		libp2p.UserAgent("accord/" + cfg.ChainID),
		libp2p.NoListenAddrs, // see start

	}
	lh, err := libp2p.New(opts...)
	if err != nil {
		_ = rm.Close()
		return nil, fmt.Errorf("p2p: start host: %w", err)
	}
	h.host = lh
	if h.reserve, err = newReserve(h.log, rm, lh.ConnManager(), h.gater.allowedAddr); err != nil {
		_ = lh.Close()
		return nil, err
	}
	h.ctx, h.cancel = context.WithCancel(context.Background())

	if err := h.start(boot); err != nil {
		h.cancel()
		if h.connSub != nil {
			h.connSub.Close()
		}
		_ = lh.Close()
		h.wg.Wait()
		return nil, err
	}
	h.log.Info("p2p host started", "peer", self, "addr", h.selfAddr, "listen", h.Addrs(), "chain", cfg.ChainID)
	return h, nil
}

func (h *Host) start(boot []peer.AddrInfo) error {
	// The reconnector exists before anything reads h.boot; it runs last.
	h.boot = newReconnector(h, boot)
	for _, ai := range boot {
		h.reserve.learn(ai.ID, ai.Addrs...)
	}
	// Subscribe before anything can connect, so no connection event is missed.
	sub, err := h.host.EventBus().Subscribe(new(event.EvtPeerConnectednessChanged))
	if err != nil {
		return fmt.Errorf("p2p: subscribe to connection events: %w", err)
	}
	h.connSub = sub
	h.wg.Add(1)
	go h.watchConns()

	if err := h.startGossip(); err != nil {
		return err
	}
	h.host.SetStreamHandler(h.syncProtocol(), h.serveSync)
	h.host.SetStreamHandler(h.directProtocol(), h.serveDirect)

	// Listen once every handler is in place. libp2p.New is told not to:
	// it leaks goroutines when listening fails (say, the port is taken),
	// while Close after a failed Listen does not. One address at a time:
	// given several, the swarm succeeds if any one of them does.
	for _, a := range h.cfg.listen {
		if err := h.host.Network().Listen(a); err != nil {
			return fmt.Errorf("p2p: listen on %q: %w", a, err)
		}
	}

	if h.cfg.Registerer != nil {
		if err := h.cfg.Registerer.Register(h.Collector()); err != nil {
			return fmt.Errorf("p2p: register metrics: %w", err)
		}
	}

	h.wg.Add(1)
	go h.boot.run(h.ctx)
	return nil
}

// quicV1 matches /ip4|ip6|dns…/…/udp/PORT/quic-v1.
var quicV1 = mafmt.And(mafmt.UDP, mafmt.Base(ma.P_QUIC_V1))

// parseListenAddrs splits Config.ListenAddr at commas and accepts each
// part if it is /ip4|ip6|dns…/…/tcp/PORT or …/udp/PORT/quic-v1, the two
// transports the host runs. (Listen would refuse others too, but libp2p
// leaks goroutines doing so.)
func parseListenAddrs(list string) ([]ma.Multiaddr, error) {
	if list == "" {
		return nil, nil
	}
	var out []ma.Multiaddr
	for s := range strings.SplitSeq(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil, fmt.Errorf("%w: listen addresses %q: empty entry", ErrInvalidConfig, list)
		}
		addr, err := ma.NewMultiaddr(s)
		if err != nil {
			return nil, fmt.Errorf("%w: listen address %q: %v", ErrInvalidConfig, s, err)
		}
		if !mafmt.TCP.Matches(addr) && !quicV1.Matches(addr) {
			return nil, fmt.Errorf("%w: listen address %q is neither TCP nor QUIC v1", ErrInvalidConfig, s)
		}
		out = append(out, addr)
	}
	return out, nil
}

func parseBootstrap(list []string, self peer.ID) ([]peer.AddrInfo, error) {
	byID := make(map[peer.ID]*peer.AddrInfo)
	var order []peer.ID
	for _, s := range list {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		ai, err := peer.AddrInfoFromString(s)
		if err != nil {
			return nil, fmt.Errorf("%w: bootstrap %q: %v", ErrInvalidConfig, s, err)
		}
		if _, err := PeerAddress(ai.ID); err != nil {
			return nil, fmt.Errorf("%w: bootstrap %q: %w", ErrInvalidConfig, s, err)
		}
		if ai.ID == self {
			continue
		}
		if prev, ok := byID[ai.ID]; ok {
			prev.Addrs = append(prev.Addrs, ai.Addrs...)
			continue
		}
		byID[ai.ID] = ai
		order = append(order, ai.ID)
	}
	out := make([]peer.AddrInfo, 0, len(order))
	for _, id := range order {
		out = append(out, *byID[id])
	}
	return out, nil
}

// watchConns follows connection events: it logs peers coming and going,
// wakes waiters and the reconnect loop, and drops a connection that slipped
// past the gater while the allow-list or the block list was changing.
func (h *Host) watchConns() {
	defer h.wg.Done()
	for e := range h.connSub.Out() {
		ev := e.(event.EvtPeerConnectednessChanged)
		addr, _ := h.addrs.get(ev.Peer)
		switch ev.Connectedness {
		case network.Connected:
			if !h.gater.permits(ev.Peer) {
				_ = h.host.Network().ClosePeer(ev.Peer)
				continue
			}
			// Reserve the IPs the member really connects from (it may be
			// behind NAT, or named by DNS in the config).
			for _, c := range h.host.Network().ConnsToPeer(ev.Peer) {
				h.reserve.learn(ev.Peer, c.RemoteMultiaddr())
			}
			h.log.Info("peer connected", "peer", ev.Peer, "addr", addr)
		case network.NotConnected:
			h.log.Info("peer disconnected", "peer", ev.Peer, "addr", addr)
			if h.host.Network().Connectedness(ev.Peer) != network.Connected {
				h.meshForget(ev.Peer)
			}
			h.boot.kick()
		}
		h.notify()
	}
}

// notify wakes everything waiting for a change in peers or topic peers.
func (h *Host) notify() {
	h.mu.Lock()
	close(h.changed)
	h.changed = make(chan struct{})
	h.mu.Unlock()
}

// PeersChanged returns a channel that is closed at the next change in the
// connected peers (or in a topic's peers).
func (h *Host) PeersChanged() <-chan struct{} { return h.changes() }

func (h *Host) changes() <-chan struct{} {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.changed
}

// goTracked runs f on a goroutine Close waits for; it reports false, and
// does not run f, once the host is closed.
func (h *Host) goTracked(f func()) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		f()
	}()
	return true
}

func (h *Host) isClosed() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// ID returns the host's libp2p peer ID.
func (h *Host) ID() peer.ID { return h.self }

// Address returns the chain address of the host's key.
func (h *Host) Address() types.Address { return h.selfAddr }

// Addrs returns the host's listen addresses with its /p2p/<ID> suffix, in
// the form Config.Bootstrap and Connect take.
func (h *Host) Addrs() []string {
	ais, err := peer.AddrInfoToP2pAddrs(&peer.AddrInfo{ID: h.self, Addrs: h.host.Addrs()})
	if err != nil {
		return nil
	}
	out := make([]string, len(ais))
	for i, a := range ais {
		out[i] = a.String()
	}
	return out
}

// Peers returns the addresses of the connected peers, sorted.
func (h *Host) Peers() []types.Address {
	return slices.Compact(h.addrsOf(h.host.Network().Peers()))
}

// PeerCount returns the number of connected peers.
func (h *Host) PeerCount() int { return len(h.host.Network().Peers()) }

// WaitPeers blocks until at least n peers are connected, ctx ends or the
// host closes.
func (h *Host) WaitPeers(ctx context.Context, n int) error {
	for {
		ch := h.changes()
		if len(h.Peers()) >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		case <-h.ctx.Done():
			return ErrClosed
		}
	}
}

// Connect dials the peer at maddr (a multiaddr ending in /p2p/<ID>) once.
// Unlike a bootstrap peer, it is not redialled if the connection drops.
// A peer outside the allow-list, or blocked, yields ErrNotAllowed without
// a dial.
func (h *Host) Connect(ctx context.Context, maddr string) error {
	if h.isClosed() {
		return ErrClosed
	}
	ai, err := peer.AddrInfoFromString(maddr)
	if err != nil {
		return fmt.Errorf("p2p: connect %q: %w", maddr, err)
	}
	addr, reason, ok := h.gater.check(ai.ID)
	if !ok {
		return fmt.Errorf("%w: %s (%s): %s", ErrNotAllowed, ai.ID, addr, reason)
	}
	h.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, peerstore.RecentlyConnectedAddrTTL)
	h.reserve.learn(ai.ID, ai.Addrs...)
	return h.dial(ctx, ai.ID)
}

// AddPeer adds the peers at maddrs (multiaddrs ending in /p2p/<ID>, as
// Addrs returns them; several for one peer are merged) to the peers the
// host keeps connected, as if they were in Config.Bootstrap, and dials them
// now if the allow-list permits. For a peer already kept, the addresses
// given replace those known for it, so a node that restarted on another
// port is found again: pass all of a peer's addresses in one call. An
// address naming this host is ignored.
func (h *Host) AddPeer(maddrs ...string) error {
	if h.isClosed() {
		return ErrClosed
	}
	for _, s := range maddrs {
		if strings.TrimSpace(s) == "" {
			return fmt.Errorf("%w: empty peer address", ErrInvalidConfig)
		}
	}
	ais, err := parseBootstrap(maddrs, h.self)
	if err != nil {
		return err
	}
	for _, ai := range ais {
		h.boot.add(ai)
		h.reserve.learn(ai.ID, ai.Addrs...)
	}
	h.boot.kick()
	return nil
}

// dial connects to a peer whose addresses are in the peerstore. It clears
// the swarm's own dial backoff first: the reconnect loop paces attempts
// itself, and a peer just unblocked must be reachable at once.
//
// The remote gater decides after the security handshake, when this side
// may already hold an upgraded connection, so a successful dial is not yet
// consent: identify, the first exchange on the connection (and which
// Connect waits for), fails if the remote refused.
func (h *Host) dial(ctx context.Context, id peer.ID) error {
	if h.host.Network().Connectedness(id) == network.Connected {
		return nil
	}
	sub, err := h.host.EventBus().Subscribe([]any{
		new(event.EvtPeerIdentificationCompleted), new(event.EvtPeerIdentificationFailed),
	})
	if err != nil {
		return fmt.Errorf("p2p: dial %s: %w", id, err)
	}
	defer sub.Close()
	if sw, ok := h.host.Network().(*swarm.Swarm); ok {
		sw.Backoff().Clear(id)
	}
	ctx, cancel := context.WithTimeout(ctx, dialTimeout)
	defer cancel()
	err = h.host.Connect(ctx, peer.AddrInfo{ID: id})
	if errors.Is(err, swarm.ErrGaterDisallowedConnection) {
		return fmt.Errorf("%w: %s: %v", ErrNotAllowed, id, err)
	}
	if err != nil {
		return fmt.Errorf("p2p: dial %s: %w", id, err)
	}
	// The identify outcome was emitted before Connect returned.
	for {
		select {
		case e := <-sub.Out():
			switch ev := e.(type) {
			case event.EvtPeerIdentificationCompleted:
				if ev.Peer == id {
					return nil
				}
			case event.EvtPeerIdentificationFailed:
				if ev.Peer == id {
					// Drop our half of the connection the peer already closed.
					_ = h.host.Network().ClosePeer(id)
					return fmt.Errorf("%w: %s: %v", ErrRefused, id, ev.Reason)
				}
			}
		default:
			// No outcome for this dial: the connection existed already (an
			// inbound one won the race) or was closed before identify.
			if h.host.Network().Connectedness(id) != network.Connected {
				return fmt.Errorf("%w: %s: connection closed after handshake", ErrRefused, id)
			}
			return nil
		}
	}
}

// SetAllowList replaces the consortium allow-list. Connections to peers no
// longer on it are closed at once; bootstrap peers newly on it are dialled.
func (h *Host) SetAllowList(list []types.Address) {
	h.gater.setAllow(list)
	h.reserve.sync()
	h.dropRefused()
	h.boot.kick()
	h.log.Info("allow-list replaced", "size", len(list))
}

// Block makes the host refuse every connection with addr and closes the
// existing ones, until Unblock. It cuts links, not messages: gossip from
// addr relayed by a third peer still arrives, so to isolate a node block it
// on every other node (or block every other node on it). It is meant for
// fault-injection tests.
func (h *Host) Block(addr types.Address) {
	if h.gater.setBlocked(addr, true) {
		h.log.Info("peer blocked", "addr", addr)
	}
	h.dropRefused()
}

// Unblock lifts Block and redials addr if it is a bootstrap peer or was
// connected before.
func (h *Host) Unblock(addr types.Address) {
	if !h.gater.setBlocked(addr, false) {
		return
	}
	h.log.Info("peer unblocked", "addr", addr)
	if h.boot.reset(addr) {
		return
	}
	id, ok := h.addrs.lookup(addr)
	if !ok || len(h.host.Peerstore().Addrs(id)) == 0 {
		return
	}
	h.goTracked(func() {
		if err := h.dial(h.ctx, id); err != nil {
			h.log.Debug("redial after unblock failed", "peer", id, "addr", addr, "err", err)
		}
	})
}

// dropRefused closes every connection the gater would now refuse.
func (h *Host) dropRefused() {
	for _, id := range h.host.Network().Peers() {
		if addr, reason, ok := h.gater.check(id); !ok {
			h.log.Info("closing connection", "peer", id, "addr", addr, "reason", reason)
			_ = h.host.Network().ClosePeer(id)
		}
	}
}

// Close stops the host: it leaves the topics, stops the reconnect loop,
// closes every connection and the listener, and waits for the host's
// goroutines (subscription handlers included) to return. Later calls
// return the first call's result.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.mu.Lock()
		h.closed = true
		h.mu.Unlock()
		h.cancel()
		if h.cfg.Registerer != nil {
			h.cfg.Registerer.Unregister(h.Collector())
		}
		h.stopGossip()
		h.host.RemoveStreamHandler(h.syncProtocol())
		h.host.RemoveStreamHandler(h.directProtocol())
		h.connSub.Close()
		h.closeErr = h.host.Close()
		h.wg.Wait()
		h.log.Info("p2p host closed", "peer", h.self)
	})
	return h.closeErr
}
