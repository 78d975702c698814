package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
)

// State snapshots and fast join (see docs/design.md, "State snapshots").
//
// Serving: with snapshot_interval set, Commit holds a database view every
// interval heights; the snapshotter streams it to files under the home
// (ledger.SnapshotFiles), signs the manifest with the validator key if this
// node validates that height, and offers the newest one to peers over p2p's
// snapshot protocol.
//
// Joining: a node with an empty ledger asks its peers for their offers,
// takes the highest manifest that more than a third of the trusted
// validators signed (so at least one honest validator computed that very
// state), downloads its chunks from the peers that offered it — each chunk
// checked against the manifest; a bad one is refused and fetched from
// another peer, and the peer that sent it is not asked again — then checks
// the snapshot's block against its commit certificate and the restored
// validator set, and starts as a node at that height: block sync brings
// the rest.

// defaultSnapshotKeep is how many snapshots stay on disk by default.
const defaultSnapshotKeep = 2

func (n *Node) snapshotKeep() int {
	if n.cfg.SnapshotKeep > 0 {
		return n.cfg.SnapshotKeep
	}
	return defaultSnapshotKeep
}

// snapshotFiles serves p2p's snapshot protocol from SnapshotFiles.
type snapshotFiles struct{ *ledger.SnapshotFiles }

func (f snapshotFiles) LatestSnapshot() ([]byte, []byte, bool) { return f.Latest() }

func (f snapshotFiles) SnapshotChunk(h uint64, i uint32) ([]byte, error) { return f.Chunk(h, int(i)) }

// startSnapshotter starts writing snapshots, if configured, and serves
// them to peers.
func (n *Node) startSnapshotter(ctx context.Context) {
	if n.cfg.SnapshotInterval == 0 {
		return
	}
	log := n.log.With("component", "snapshot")
	files, err := ledger.OpenSnapshotFiles(n.home.SnapshotDir())
	if err != nil {
		log.Error("snapshots disabled", "dir", n.home.SnapshotDir(), "err", err)
		return
	}
	n.snaps.Store(files)
	held := n.ledger.SnapshotEvery(n.cfg.SnapshotInterval, log)
	if n.net != nil {
		n.net.host.SetSnapshotSource(snapshotFiles{files})
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		for {
			select {
			case <-ctx.Done():
				select {
				case s := <-held:
					s.Close()
				default:
				}
				return
			case s := <-held:
				n.writeSnapshot(files, s, log)
				s.Close()
			}
		}
	}()
}

// snapshotRetainHeight is the oldest snapshot on disk (0: none), whose
// block pruning must keep for joiners.
func (n *Node) snapshotRetainHeight(state.Store) uint64 {
	files := n.snaps.Load()
	if files == nil {
		return 0
	}
	if hs := files.Heights(); len(hs) > 0 {
		return hs[0]
	}
	return 0
}

func (n *Node) writeSnapshot(files *ledger.SnapshotFiles, s *ledger.HeldSnapshot, log *slog.Logger) {
	start := time.Now()
	h := s.Meta.Height
	w, err := files.Create(h)
	if err != nil {
		log.Warn("snapshot not written", "height", h, "err", err)
		return
	}
	m, err := n.ledger.WriteSnapshot(s, w)
	if err != nil {
		w.Abort()
		log.Warn("snapshot not written", "height", h, "err", err)
		return
	}
	var sig []byte
	if vals, err := n.ledger.ValidatorSet(h); err == nil && vals.Index(n.self) >= 0 {
		if sig, err = types.SignDigest(ledger.SnapshotVoteDigest(m.ChainID, h, m.Hash()), n.key); err != nil {
			log.Warn("snapshot not signed", "height", h, "err", err)
		}
	}
	if err := w.Finish(m, sig); err != nil {
		w.Abort()
		log.Warn("snapshot not written", "height", h, "err", err)
		return
	}
	files.Keep(n.snapshotKeep())
	log.Info("wrote state snapshot", "height", h, "chunks", len(m.Chunks), "keys", m.Keys, "signed", sig != nil,
		"took", time.Since(start).Round(time.Millisecond))
}

// Join errors.
var (
	// ErrNoTrustedSnapshot: no peer offered a snapshot that more than a
	// third of the trusted validators signed.
	ErrNoTrustedSnapshot = errors.New("no snapshot signed by more than a third of the validators")
	// ErrHasChain: the ledger already holds a chain; there is nothing to join.
	ErrHasChain = errors.New("the ledger already holds a chain")
)

// snapshotNet is what joining needs from p2p.
type snapshotNet interface {
	Peers() []types.Address
	SnapshotOffer(ctx context.Context, a types.Address) (manifest, sig []byte, err error)
	SnapshotChunk(ctx context.Context, a types.Address, height uint64, index uint32) ([]byte, error)
	FetchBlocks(ctx context.Context, a types.Address, from, to uint64) ([]p2p.SyncedBlock, error)
}

// snapshotOffer is one manifest and who offered and signed it.
type snapshotOffer struct {
	m       *ledger.SnapshotManifest
	holders []types.Address
	signers []types.Address
}

// chooseSnapshot asks every peer for its offer and returns the highest
// manifest signed by more than a third of trusted, with the peers holding it.
func chooseSnapshot(ctx context.Context, net snapshotNet, chainID string, trusted *types.ValidatorSet, log *slog.Logger) (*snapshotOffer, error) {
	byHash := map[types.Hash]*snapshotOffer{}
	var order []types.Hash // deterministic choice among equals
	asked, offered := 0, 0
	for _, p := range net.Peers() {
		asked++
		raw, sig, err := net.SnapshotOffer(ctx, p)
		if err != nil {
			log.Debug("no snapshot offer", "peer", p.Hex(), "err", err)
			continue
		}
		m, err := ledger.DecodeSnapshotManifest(raw)
		if err != nil || m.ChainID != chainID {
			log.Warn("refused a snapshot offer", "peer", p.Hex(), "err", err, "chain", chainID)
			continue
		}
		offered++
		h := m.Hash()
		o := byHash[h]
		if o == nil {
			o = &snapshotOffer{m: m}
			byHash[h] = o
			order = append(order, h)
		}
		o.holders = append(o.holders, p)
		if len(sig) == 0 {
			continue
		}
		signer, err := types.RecoverAddress(ledger.SnapshotVoteDigest(chainID, m.Height, h), sig)
		if err != nil || trusted.Index(signer) < 0 {
			log.Warn("snapshot offer signed by a non-validator", "peer", p.Hex(), "height", m.Height)
			continue
		}
		if !slices.Contains(o.signers, signer) {
			o.signers = append(o.signers, signer)
		}
	}
	var best *snapshotOffer
	for _, h := range order {
		o := byHash[h]
		if 3*len(o.signers) <= trusted.Size() {
			continue
		}
		if best == nil || o.m.Height > best.m.Height {
			best = o
		}
	}
	if best == nil {
		return nil, fmt.Errorf("%w (asked %d peers, %d offered one)", ErrNoTrustedSnapshot, asked, offered)
	}
	return best, nil
}

// snapshotWindow is how many chunks are fetched at once (bounded memory:
// this many chunks of about ledger.SnapshotChunkBytes).
const snapshotWindow = 4

// chunkFetcher fetches verified chunks, moving to another holder when one
// fails and dropping holders that sent a chunk not matching the manifest.
type chunkFetcher struct {
	net  snapshotNet
	m    *ledger.SnapshotManifest
	log  *slog.Logger
	mu   sync.Mutex
	good []types.Address
	// Refused counts chunks refused for not matching the manifest.
	refused int
}

func (f *chunkFetcher) holders() []types.Address {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.good)
}

func (f *chunkFetcher) drop(p types.Address) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refused++
	f.good = slices.DeleteFunc(f.good, func(a types.Address) bool { return a == p })
}

func (f *chunkFetcher) fetch(ctx context.Context, i int) ([]byte, error) {
	hs := f.holders()
	if len(hs) == 0 {
		return nil, fmt.Errorf("snapshot chunk %d: no peer left that serves it correctly", i)
	}
	var last error
	for k := range hs {
		p := hs[(i+k)%len(hs)]
		data, err := f.net.SnapshotChunk(ctx, p, f.m.Height, uint32(i))
		if err != nil {
			last = err
			f.log.Debug("snapshot chunk fetch failed", "chunk", i, "peer", p.Hex(), "err", err)
			continue
		}
		if types.Keccak(data) != f.m.Chunks[i] {
			f.log.Warn("refused a snapshot chunk that does not match the manifest", "chunk", i, "peer", p.Hex())
			f.drop(p)
			last = fmt.Errorf("%w: chunk %d from %s", ledger.ErrSnapshotChunk, i, p.Hex())
			continue
		}
		return data, nil
	}
	return nil, fmt.Errorf("snapshot chunk %d: every peer failed, last: %w", i, last)
}

// JoinResult describes a join by snapshot.
type JoinResult struct {
	Height  uint64
	Chunks  int
	Keys    uint64
	Refused int // chunks refused for not matching the manifest
}

// restoreFromPeers restores the best trusted snapshot the peers offer into
// the empty ledger l.
func restoreFromPeers(ctx context.Context, l *ledger.Ledger, genesis []byte, chainID string, trusted *types.ValidatorSet, net snapshotNet, log *slog.Logger) (*JoinResult, error) {
	if l.Initialized() {
		return nil, fmt.Errorf("%w (height %d)", ErrHasChain, l.Last().Height)
	}
	offer, err := chooseSnapshot(ctx, net, chainID, trusted, log)
	if err != nil {
		return nil, err
	}
	m := offer.m
	log.Info("joining by snapshot", "height", m.Height, "chunks", len(m.Chunks), "keys", m.Keys,
		"holders", len(offer.holders), "signers", len(offer.signers))
	r, err := l.BeginRestore(m)
	if err != nil {
		return nil, err
	}
	f := &chunkFetcher{net: net, m: m, log: log, good: offer.holders}
	for r.Next() < len(m.Chunks) {
		base := r.Next()
		end := min(base+snapshotWindow, len(m.Chunks))
		got := make([][]byte, end-base)
		errs := make([]error, end-base)
		var wg sync.WaitGroup
		for i := base; i < end; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i-base], errs[i-base] = f.fetch(ctx, i)
			}()
		}
		wg.Wait()
		for k := range got {
			if errs[k] != nil {
				return nil, errs[k]
			}
			if err := r.Apply(got[k]); err != nil {
				return nil, err
			}
		}
	}
	blk, cert, err := snapshotBlock(ctx, net, f.holders(), m)
	if err != nil {
		return nil, err
	}
	vals, err := l.ValidatorSet(m.Height)
	if err != nil {
		return nil, fmt.Errorf("snapshot %d: %w", m.Height, err)
	}
	if blk.Header.ValidatorsHash != vals.Hash() {
		return nil, fmt.Errorf("%w: block %d names another validator set than the snapshot's state", ledger.ErrSnapshotManifest, m.Height)
	}
	if err := cert.Verify(chainID, vals); err != nil {
		return nil, fmt.Errorf("snapshot block %d: %w", m.Height, err)
	}
	if err := r.Finish(genesis, blk, cert); err != nil {
		return nil, err
	}
	return &JoinResult{Height: m.Height, Chunks: len(m.Chunks), Keys: m.Keys, Refused: f.refused}, nil
}

// snapshotBlock fetches the snapshot's block and certificate from a holder.
func snapshotBlock(ctx context.Context, net snapshotNet, holders []types.Address, m *ledger.SnapshotManifest) (*types.Block, *types.CommitCert, error) {
	var last error = errors.New("no holder")
	for _, p := range holders {
		bs, err := net.FetchBlocks(ctx, p, m.Height, m.Height)
		if err != nil {
			last = err
			continue
		}
		blk, err := types.DecodeBlock(bs[0].Block)
		if err != nil {
			last = err
			continue
		}
		cert, err := types.DecodeCommitCert(bs[0].Cert)
		if err != nil {
			last = err
			continue
		}
		if blk.Hash() != m.BlockHash {
			last = fmt.Errorf("%w: %s sent block %s for the snapshot's %s", ledger.ErrSnapshotManifest, p.Hex(), blk.Hash().Hex(), m.BlockHash.Hex())
			continue
		}
		return blk, cert, nil
	}
	return nil, nil, fmt.Errorf("snapshot block %d: %w", m.Height, last)
}

// JoinOptions shape JoinBySnapshot.
type JoinOptions struct {
	// Peers are multiaddrs (with /p2p/ID) to fetch from; empty means
	// config's p2p_peers.
	Peers  []string
	Logger *slog.Logger
	Key    KeyOptions
	// Wait bounds how long to wait for peers and a trusted offer (default 60 s).
	Wait time.Duration
	// Trust, if set, is the validator set whose manifest signatures count
	// instead of the genesis set's: for a chain whose validators have
	// changed since genesis (more than a third of the genesis set gone),
	// taken from a node the operator trusts (`accord query validators`).
	// It is the one input a joiner takes on trust, as a light client's
	// trusted header is; the snapshot's block must still carry a quorum
	// certificate of the set the restored state names for its height.
	Trust []types.Address
}

// JoinBySnapshot fills the empty ledger of home h from a state snapshot
// its peers offer, trusting manifests signed by more than a third of the
// genesis validators (or of o.Trust). Start the node afterwards as usual: block sync
// brings it from the snapshot's height to the head. It returns ErrHasChain
// if the ledger is not empty.
func JoinBySnapshot(ctx context.Context, h Home, o JoinOptions) (*JoinResult, error) {
	cfg, err := LoadConfig(h)
	if err != nil {
		return nil, err
	}
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	log = log.With("component", "join")
	gen, raw, err := ledger.LoadGenesis(h.GenesisFile())
	if err != nil {
		return nil, err
	}
	genesisSet, err := gen.ValidatorSet()
	if err != nil {
		return nil, err
	}
	trusted, allow, err := joinTrust(genesisSet, o.Trust)
	if err != nil {
		return nil, err
	}
	if trusted != genesisSet {
		log.Info("trusting the given validator set, not genesis's", "validators", trusted.Size(), "hash", trusted.Hash())
	}
	if o.Key.PasswordFile == "" {
		o.Key.PasswordFile = cfg.PasswordFile(h)
	}
	key, err := LoadValidatorKeyWith(h, o.Key)
	if err != nil {
		return nil, err
	}
	if err := checkBackend(h, cfg.DB); err != nil {
		return nil, err
	}
	l, err := ledger.Open(cfg.DB, h.LedgerDir(), ledgerOptions(cfg, log))
	if err != nil {
		return nil, err
	}
	defer l.Close()
	if l.Initialized() {
		return nil, fmt.Errorf("%w (height %d)", ErrHasChain, l.Last().Height)
	}
	extra, err := cfg.p2pAllow()
	if err != nil {
		return nil, err
	}
	allow = append(allow, extra...)
	peers := o.Peers
	if len(peers) == 0 {
		peers = cfg.P2PPeers
	}
	if len(peers) == 0 {
		return nil, errors.New("join by snapshot: no peers (give some or set p2p_peers)")
	}
	host, err := p2p.New(p2p.Config{Key: key, ChainID: gen.ChainID, AllowList: allow, Bootstrap: peers, Logger: log})
	if err != nil {
		return nil, err
	}
	defer host.Close()
	wait := o.Wait
	if wait <= 0 {
		wait = 60 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	// Peers connect one by one, and validators may not have a snapshot
	// yet: retry until an offer is trusted or the wait ends.
	for {
		if err := host.WaitPeers(ctx, 1); err != nil {
			return nil, fmt.Errorf("join by snapshot: no peer connected: %w", err)
		}
		res, err := restoreFromPeers(ctx, l, raw, gen.ChainID, trusted, host, log)
		if !errors.Is(err, ErrNoTrustedSnapshot) {
			if err == nil {
				log.Info("joined by snapshot", "height", res.Height, "chunks", res.Chunks, "keys", res.Keys, "refused", res.Refused)
			}
			return res, err
		}
		log.Info("waiting for a trusted snapshot", "err", err)
		select {
		case <-ctx.Done():
			return nil, err
		case <-host.PeersChanged():
		case <-time.After(time.Second):
		}
	}
}

// joinTrust is the set whose manifest signatures a joiner counts (the
// genesis set unless the operator gave one) and the peers it may fetch
// from: the genesis validators (some may still run) and the trusted ones.
func joinTrust(genesisSet *types.ValidatorSet, trust []types.Address) (*types.ValidatorSet, []types.Address, error) {
	trusted := genesisSet
	if len(trust) > 0 {
		var err error
		if trusted, err = types.NewValidatorSet(trust); err != nil {
			return nil, nil, fmt.Errorf("join by snapshot: trusted set: %w", err)
		}
	}
	allow := slices.Clone(genesisSet.Validators)
	for _, a := range trusted.Validators {
		if genesisSet.Index(a) < 0 {
			allow = append(allow, a)
		}
	}
	return trusted, allow, nil
}

// ledgerOptions are the database options the node opens its ledger with
// (New adds the fatal-error hook).
func ledgerOptions(cfg Config, log *slog.Logger) kv.Options {
	cacheMB := cfg.DBCacheMB
	if cacheMB == 0 {
		cacheMB = DefaultDBCacheMB
	}
	return kv.Options{Logger: log.With("component", "kv"), MemTableBytes: int64(cfg.DBMemTableMB) << 20,
		CacheBytes: int64(cacheMB) << 20}
}

// DefaultDBCacheMB is the block cache of a node whose config leaves
// db_cache_mb out. At 10 M accounts (about 270 MiB of state in pebble) a
// 64 MiB cache cost 80 µs of CPU per transfer, 256 MiB 50 µs (60 blocks of
// 5 000 random transfers; 512 MiB: 51 µs).
const DefaultDBCacheMB = 256
