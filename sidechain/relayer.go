package sidechain

import (
	"context"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"slices"

	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/types"
)

// ErrKnownTx is what a Chain's SendTx wraps when the node already has the
// transaction (same hash): a re-send after a crash, counted as sent.
var ErrKnownTx = errors.New("sidechain: transaction already known")

// Chain is what the relayer needs of either chain to send transactions.
type Chain interface {
	Height(ctx context.Context) (uint64, error)
	Nonce(ctx context.Context, a types.Address) (uint64, error) // next nonce, as of the latest block
	SendTx(ctx context.Context, tx *types.Tx) error
}

// Main is the relayer's view of the main chain.
type Main interface {
	Chain
	// Block returns a committed block's header, its commit certificate
	// and its receipts.
	Block(ctx context.Context, h uint64) (*types.Header, *types.CommitCert, []*types.Receipt, error)
	Released(ctx context.Context, burn types.Hash) (bool, error)
	// Anchored is the number and end height of chainID's latest
	// anchored checkpoint (0, 0 before the first).
	Anchored(ctx context.Context, chainID string) (number, end uint64, err error)
	// Covering is the anchored checkpoint whose range holds side height
	// h, or nil if none does yet.
	Covering(ctx context.Context, chainID string, h uint64) (*checkpoint.Checkpoint, error)
}

// Side is the relayer's view of the side chain.
type Side interface {
	Chain
	Block(ctx context.Context, h uint64) (*types.Header, []*types.Receipt, error)
	// BlockHashes are the hashes of blocks start..end, in height order.
	BlockHashes(ctx context.Context, start, end uint64) ([]types.Hash, error)
	// Checkpoint is checkpoint n with a quorum of signatures once the
	// side validators have one (Producer.Completed), or nil.
	Checkpoint(ctx context.Context, n uint64) (*checkpoint.MsgSubmit, error)
	// Trusted reports whether the light client holds main's header at h.
	Trusted(ctx context.Context, mainHeight uint64) (bool, error)
	Minted(ctx context.Context, lock types.Hash) (bool, error)
}

// ReleaseAcker is a Side that can be shown main's releases of its burns
// (bridge/side MsgAckRelease), so its pruning nodes stop retaining those
// burns' blocks. BurnPending reports whether the burn with nonce at height
// still waits for that. A Side without it gets no acknowledgements; its
// burns then stop holding their blocks when their retention window ends.
type ReleaseAcker interface {
	BurnPending(ctx context.Context, height, nonce uint64) (bool, error)
}

// RelayerConfig configures a Relayer.
type RelayerConfig struct {
	SideChainID string
	MainChainID string
	Key         *ecdsa.PrivateKey // pays fees on both chains
	Fee         uint64            // per transaction, micro-USDT
	MaxScan     uint64            // blocks scanned per chain per step; 0 means 256
	MainFrom    uint64            // first main height to scan (the light client's trust height + 1); 0 means 1
	SideFrom    uint64            // first side height to scan; 0 means 1
	Log         *slog.Logger
}

// Relayer carries main headers and locks to side, and checkpoints and
// burns to main. Step is not safe for concurrent use.
type Relayer struct {
	cfg   RelayerConfig
	addr  types.Address
	main  Main
	side  Side
	store *Store
	log   *slog.Logger
	tx    *txSender
}

// Work items and progress in the store. Items are written with the scan
// cursor that found them, in one batch, and deleted once chain state
// shows them done.
var (
	keyScanMain = []byte("r/scan/main")
	keyScanSide = []byte("r/scan/side")
	prefixHdr   = []byte("r/hdr/")  // + main height -> {}
	prefixLock  = []byte("r/lock/") // + lock ID -> RLP item
	prefixBurn  = []byte("r/burn/") // + burn ID -> RLP item
	prefixAck   = []byte("r/ack/")  // + main height, receipt, event -> RLP ackItem
)

const (
	onMain byte = 'm'
	onSide byte = 's'
)

type item struct {
	Height, Receipt, Event uint64
}

// ackItem is a release on main to show side: the burn it released.
type ackItem struct {
	BurnHeight, BurnNonce uint64
}

// NewRelayer returns a relayer over its store.
func NewRelayer(cfg RelayerConfig, m Main, s Side, st *Store) (*Relayer, error) {
	if err := checkpoint.CheckChainID(cfg.SideChainID); err != nil {
		return nil, err
	}
	if cfg.MainChainID == "" || cfg.Key == nil {
		return nil, errors.New("sidechain: relayer needs the main chain ID and a key")
	}
	if cfg.MaxScan == 0 {
		cfg.MaxScan = 256
	}
	if cfg.MainFrom == 0 {
		cfg.MainFrom = 1
	}
	if cfg.SideFrom == 0 {
		cfg.SideFrom = 1
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	log := cfg.Log.With("component", "relayer", "side", cfg.SideChainID)
	return &Relayer{cfg: cfg, addr: types.PubkeyAddress(cfg.Key), main: m, side: s, store: st, log: log,
		tx: newTxSender(st, cfg.Key, cfg.Fee, log, map[byte]Chain{onMain: m, onSide: s},
			map[byte]string{onMain: cfg.MainChainID, onSide: cfg.SideChainID})}, nil
}

func be64(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

// Step does one round of work on both chains. Any error aborts the round;
// the next Step (in this process or after a restart) picks up from the store.
func (r *Relayer) Step(ctx context.Context) error {
	if err := r.tx.begin(ctx); err != nil {
		return err
	}
	if err := r.scanMain(ctx); err != nil {
		return err
	}
	if err := r.scanSide(ctx); err != nil {
		return err
	}
	if err := r.headers(ctx); err != nil {
		return err
	}
	if err := r.mints(ctx); err != nil {
		return err
	}
	if err := r.acks(ctx); err != nil {
		return err
	}
	number, end, err := r.main.Anchored(ctx, r.cfg.SideChainID)
	if err != nil {
		return err
	}
	if err := r.checkpoints(ctx, number); err != nil {
		return err
	}
	return r.releases(ctx, end)
}

// done forgets a finished step's item; its tx record, if any, goes once
// the chain's nonce passes it (pending).
func (r *Relayer) done(key []byte) error {
	b := r.store.Batch()
	b.Delete(key)
	return b.Commit()
}

// window is the range (from, top] a scan covers next: after the last height
// scanned (first-1 before any), at most MaxScan, up to the chain's height.
// top <= from: nothing new.
func (r *Relayer) window(ctx context.Context, key []byte, first uint64, height func(context.Context) (uint64, error)) (from, top uint64, err error) {
	if from, err = u64At(r.store, key, first-1); err != nil {
		return 0, 0, err
	}
	if top, err = height(ctx); err != nil {
		return 0, 0, err
	}
	return from, min(top, from+r.cfg.MaxScan), nil
}

func (r *Relayer) scanMain(ctx context.Context) error {
	from, top, err := r.window(ctx, keyScanMain, r.cfg.MainFrom, r.main.Height)
	if err != nil || top <= from {
		return err
	}
	b := r.store.Batch()
	for h := from + 1; h <= top; h++ {
		_, _, rs, err := r.main.Block(ctx, h)
		if err != nil {
			return err
		}
		need := false
		for i, rc := range rs {
			if rc.Status != types.StatusOK {
				continue
			}
			for j, ev := range rc.Events {
				switch {
				case ev.Type == bridge.EventLocked && ev.Get("chain") == r.cfg.SideChainID:
					id := proof.LockID(r.cfg.MainChainID, h, uint64(i), uint64(j))
					b.Set(slices.Concat(prefixLock, id[:]), core.Encode(&item{Height: h, Receipt: uint64(i), Event: uint64(j)}))
					need = true
				case ev.Type == gov.EventValidatorsSet:
					need = true
				case ev.Type == bridge.EventReleased && ev.Get("chain") == r.cfg.SideChainID:
					if _, ok := r.side.(ReleaseAcker); !ok {
						continue
					}
					var rel bridge.ReleasedEvent
					if err := core.DecodeEvent(ev, &rel); err != nil {
						return fmt.Errorf("sidechain: main block %d: %w", h, err)
					}
					b.Set(slices.Concat(prefixAck, be64(h), be64(uint64(i)), be64(uint64(j))),
						core.Encode(&ackItem{BurnHeight: rel.Height, BurnNonce: rel.Nonce}))
					need = true
				}
			}
		}
		if need {
			b.Set(slices.Concat(prefixHdr, be64(h)), []byte{1})
		}
	}
	b.Set(keyScanMain, be64(top))
	return b.Commit()
}

func (r *Relayer) scanSide(ctx context.Context) error {
	from, top, err := r.window(ctx, keyScanSide, r.cfg.SideFrom, r.side.Height)
	if err != nil || top <= from {
		return err
	}
	b := r.store.Batch()
	for h := from + 1; h <= top; h++ {
		_, rs, err := r.side.Block(ctx, h)
		if err != nil {
			return err
		}
		for i, rc := range rs {
			if rc.Status != types.StatusOK {
				continue
			}
			for j, ev := range rc.Events {
				if ev.Type == bridge.EventBurned {
					id := proof.BurnID(r.cfg.SideChainID, h, uint64(i), uint64(j))
					b.Set(slices.Concat(prefixBurn, id[:]), core.Encode(&item{Height: h, Receipt: uint64(i), Event: uint64(j)}))
				}
			}
		}
	}
	b.Set(keyScanSide, be64(top))
	return b.Commit()
}

func (r *Relayer) items(prefix []byte, decode bool) ([][]byte, []item, error) {
	var keys [][]byte
	var its []item
	var bad error
	err := r.store.Scan(prefix, func(k, v []byte) bool {
		var it item
		if decode {
			if err := core.Decode(v, &it); err != nil {
				bad = fmt.Errorf("sidechain: corrupt item %q: %w", k, err)
				return false
			}
		}
		keys, its = append(keys, slices.Clone(k)), append(its, it)
		return true
	})
	if err == nil {
		err = bad
	}
	return keys, its, err
}

// headers relays the main headers the side needs (locks to prove, set
// changes to follow), with proofs of the set changes they schedule.
func (r *Relayer) headers(ctx context.Context) error {
	keys, _, err := r.items(prefixHdr, false)
	if err != nil {
		return err
	}
	for _, k := range keys {
		h := binary.BigEndian.Uint64(k[len(prefixHdr):])
		ok, err := r.side.Trusted(ctx, h)
		if err != nil {
			return err
		}
		if ok {
			if err := r.done(k); err != nil {
				return err
			}
			continue
		}
		hdr, cert, rs, err := r.main.Block(ctx, h)
		if err != nil {
			return err
		}
		m := &lightclient.MsgUpdate{Header: *hdr, Cert: *cert}
		for i, rc := range rs {
			for j, ev := range rc.Events {
				if rc.Status == types.StatusOK && ev.Type == gov.EventValidatorsSet && len(m.Changes) < lightclient.MaxChanges {
					p, err := proof.ProveReceipt(rs, i)
					if err != nil {
						return err
					}
					m.Changes = append(m.Changes, lightclient.ChangeProof{Receipt: *p, EventIndex: uint64(j)})
				}
			}
		}
		if err := r.tx.ensure(ctx, onSide, fmt.Sprintf("hdr/%d", h), lightclient.TypeUpdate, m); err != nil {
			return err
		}
	}
	return nil
}

// mints proves each lock to side once the light client trusts its header.
func (r *Relayer) mints(ctx context.Context) error {
	keys, its, err := r.items(prefixLock, true)
	if err != nil {
		return err
	}
	blocks := map[uint64][]*types.Receipt{}
	for n, k := range keys {
		var id types.Hash
		copy(id[:], k[len(prefixLock):])
		it := its[n]
		minted, err := r.side.Minted(ctx, id)
		if err != nil {
			return err
		}
		if minted {
			if err := r.done(k); err != nil {
				return err
			}
			continue
		}
		trusted, err := r.side.Trusted(ctx, it.Height)
		if err != nil {
			return err
		}
		if !trusted {
			continue // its header is on its way (headers)
		}
		rs, ok := blocks[it.Height]
		if !ok {
			if _, _, rs, err = r.main.Block(ctx, it.Height); err != nil {
				return err
			}
			blocks[it.Height] = rs
		}
		if it.Receipt >= uint64(len(rs)) {
			return fmt.Errorf("sidechain: main block %d has %d receipts, lock item names %d", it.Height, len(rs), it.Receipt)
		}
		p, err := proof.ProveReceipt(rs, int(it.Receipt))
		if err != nil {
			return err
		}
		m := &sidebridge.MsgMint{MainHeight: it.Height, Proof: *p, EventIndex: it.Event}
		if err := r.tx.ensure(ctx, onSide, "mint/"+id.Hex(), sidebridge.TypeMint, m); err != nil {
			return err
		}
	}
	return nil
}

// acks shows side each of main's releases of its burns, once the light
// client trusts the release's header, so side's nodes stop retaining the
// burn's block.
func (r *Relayer) acks(ctx context.Context) error {
	acker, ok := r.side.(ReleaseAcker)
	if !ok {
		return nil
	}
	var keys [][]byte
	var its []ackItem
	var bad error
	err := r.store.Scan(prefixAck, func(k, v []byte) bool {
		var it ackItem
		if err := core.Decode(v, &it); err != nil || len(k) != len(prefixAck)+24 {
			bad = fmt.Errorf("sidechain: corrupt ack item %q: %v", k, err)
			return false
		}
		keys, its = append(keys, slices.Clone(k)), append(its, it)
		return true
	})
	if err == nil {
		err = bad
	}
	if err != nil {
		return err
	}
	blocks := map[uint64][]*types.Receipt{}
	for n, k := range keys {
		it := its[n]
		loc := k[len(prefixAck):]
		h, rc, ev := binary.BigEndian.Uint64(loc), binary.BigEndian.Uint64(loc[8:]), binary.BigEndian.Uint64(loc[16:])
		pending, err := acker.BurnPending(ctx, it.BurnHeight, it.BurnNonce)
		if err != nil {
			return err
		}
		if !pending {
			if err := r.done(k); err != nil {
				return err
			}
			continue
		}
		trusted, err := r.side.Trusted(ctx, h)
		if err != nil {
			return err
		}
		if !trusted {
			continue // its header is on its way (headers)
		}
		rs, ok := blocks[h]
		if !ok {
			if _, _, rs, err = r.main.Block(ctx, h); err != nil {
				return err
			}
			blocks[h] = rs
		}
		if rc >= uint64(len(rs)) {
			return fmt.Errorf("sidechain: main block %d has %d receipts, ack item names %d", h, len(rs), rc)
		}
		p, err := proof.ProveReceipt(rs, int(rc))
		if err != nil {
			return err
		}
		m := &sidebridge.MsgAckRelease{MainHeight: h, Proof: *p, EventIndex: ev}
		if err := r.tx.ensure(ctx, onSide, fmt.Sprintf("ack/%d/%d", it.BurnHeight, it.BurnNonce), sidebridge.TypeAck, m); err != nil {
			return err
		}
	}
	return nil
}

// maxCheckpointsPerStep is how many completed checkpoints past the
// anchored one a step forwards: as many as the producers build ahead, so
// a backlog drains in one main block (their nonces order them there).
const maxCheckpointsPerStep = 4

// checkpoints forwards the next completed checkpoints to main, in order.
func (r *Relayer) checkpoints(ctx context.Context, n uint64) error {
	for k := n + 1; k <= n+maxCheckpointsPerStep; k++ {
		m, err := r.side.Checkpoint(ctx, k)
		if err != nil || m == nil {
			return err
		}
		if err := r.tx.ensure(ctx, onMain, fmt.Sprintf("cp/%d", k), checkpoint.TypeSubmit, m); err != nil {
			return err
		}
	}
	return nil
}

// releases proves each burn to main once a checkpoint covers it; burns
// past the anchored end cost no calls.
func (r *Relayer) releases(ctx context.Context, anchoredEnd uint64) error {
	keys, its, err := r.items(prefixBurn, true)
	if err != nil {
		return err
	}
	type cached struct {
		cp     *checkpoint.Checkpoint
		hashes []types.Hash
	}
	spans := map[uint64]*cached{} // by checkpoint number
	for n, k := range keys {
		var id types.Hash
		copy(id[:], k[len(prefixBurn):])
		it := its[n]
		if it.Height > anchoredEnd {
			continue
		}
		released, err := r.main.Released(ctx, id)
		if err != nil {
			return err
		}
		if released {
			if err := r.done(k); err != nil {
				return err
			}
			continue
		}
		cp, err := r.main.Covering(ctx, r.cfg.SideChainID, it.Height)
		if err != nil {
			return err
		}
		if cp == nil {
			continue
		}
		c := spans[cp.Number]
		if c == nil {
			hs, err := r.side.BlockHashes(ctx, cp.Start, cp.End)
			if err != nil {
				return err
			}
			if proof.BlocksRoot(hs) != cp.BlocksRoot {
				return fmt.Errorf("sidechain: side blocks %d..%d do not match anchored checkpoint %d", cp.Start, cp.End, cp.Number)
			}
			c = &cached{cp: cp, hashes: hs}
			spans[cp.Number] = c
		}
		hdr, rs, err := r.side.Block(ctx, it.Height)
		if err != nil {
			return err
		}
		if it.Receipt >= uint64(len(rs)) {
			return fmt.Errorf("sidechain: side block %d has %d receipts, burn item names %d", it.Height, len(rs), it.Receipt)
		}
		rp, err := proof.ProveReceipt(rs, int(it.Receipt))
		if err != nil {
			return err
		}
		path, err := proof.HeaderPath(c.hashes, int(it.Height-cp.Start))
		if err != nil {
			return err
		}
		bp := proof.BurnProof{Header: *hdr, Receipt: *rp, HeaderPath: path, EventIndex: it.Event}
		m := &bridge.MsgRelease{ChainID: r.cfg.SideChainID, Proof: bp.Encode()}
		if err := r.tx.ensure(ctx, onMain, "rel/"+id.Hex(), bridge.TypeRelease, m); err != nil {
			return err
		}
	}
	return nil
}
