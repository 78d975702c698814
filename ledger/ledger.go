package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Sentinel errors.
var (
	ErrNotFound       = errors.New("not found")
	ErrNotInitialized = errors.New("ledger has no genesis")
	ErrWrongHeight    = errors.New("block does not extend the chain")
	ErrBadBlock       = errors.New("invalid block")
	ErrGenesisChanged = errors.New("genesis differs from the one this ledger was created with")
)

// Meta describes the last committed block.
type Meta struct {
	Height  uint64
	Hash    types.Hash // block hash (the genesis hash at height 0)
	AppHash types.Hash // state root after this block
	Time    uint64     // block time, unix ms
}

// Ledger is the chain store. Reads are safe from any goroutine; Build,
// Execute and Commit are called by one goroutine (the consensus driver).
type Ledger struct {
	db      kv.DB
	chainID string
	mu      sync.RWMutex
	meta    Meta
	hasMeta bool
	cache   *stateCache
	recent  recentBlocks // the newest committed blocks, decoded (recent.go)

	// Snapshots (snapshot.go): Commit holds a database view every
	// snapEvery heights and hands it to snapCh.
	snapEvery uint64
	snapCh    chan *HeldSnapshot
	snapLog   *slog.Logger
}

// Open opens (or creates) a ledger in dir with the named backend.
func Open(backend, dir string, opts kv.Options) (*Ledger, error) {
	db, err := kv.Open(backend, dir, opts)
	if err != nil {
		return nil, fmt.Errorf("open ledger: %w", err)
	}
	return New(db)
}

// New wraps an open database.
func New(db kv.DB) (*Ledger, error) {
	l := &Ledger{db: db, cache: newStateCache(DefaultStateCacheEntries)}
	raw, err := db.Get(keyMeta)
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return nil, fmt.Errorf("read ledger meta: %w", err)
	default:
		if err := rlp.DecodeBytes(raw, &l.meta); err != nil {
			return nil, fmt.Errorf("decode ledger meta: %w", err)
		}
		l.hasMeta = true
		g, err := db.Get(keyGenesis)
		if err != nil {
			return nil, fmt.Errorf("read genesis: %w", err)
		}
		gen, err := ParseGenesis(g)
		if err != nil {
			return nil, err
		}
		l.chainID = gen.ChainID
	}
	return l, nil
}

// Close closes the database.
func (l *Ledger) Close() error { return l.db.Close() }

// DB exposes the underlying store (for tools and tests).
func (l *Ledger) DB() kv.DB { return l.db }

// ChainID is the chain this ledger holds.
func (l *Ledger) ChainID() string { return l.chainID }

// Last returns the last committed block's metadata.
func (l *Ledger) Last() Meta {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.meta
}

// Initialized reports whether genesis has been applied.
func (l *Ledger) Initialized() bool {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.hasMeta
}

// InitGenesis applies the genesis document if the ledger is empty, or checks
// that it is the one the ledger was created with.
func (l *Ledger) InitGenesis(raw []byte, app App) error {
	g, err := ParseGenesis(raw)
	if err != nil {
		return err
	}
	gh := types.Keccak(raw)
	if !l.Initialized() && l.Restoring() {
		return fmt.Errorf("%w: finish it (join by snapshot again) or remove %s's data", ErrRestoring, g.ChainID)
	}
	if l.Initialized() {
		if l.chainID != g.ChainID {
			return fmt.Errorf("%w: chain %q vs %q", ErrGenesisChanged, l.chainID, g.ChainID)
		}
		stored, err := l.db.Get(keyGenesis)
		if err != nil {
			return fmt.Errorf("read genesis: %w", err)
		}
		if types.Keccak(stored) != gh {
			return ErrGenesisChanged
		}
		return nil
	}
	vals, err := g.ValidatorSet()
	if err != nil {
		return err
	}
	ov := state.NewOverlay(l.stateReader())
	SetValidatorSet(ov, 1, vals)
	blk := BlockInfo{ChainID: g.ChainID, Height: 0, Time: g.TimeMillis()}
	if err := app.InitGenesis(blk, ov, g.AppState); err != nil {
		return err
	}
	if err := ov.Err(); err != nil {
		return err
	}
	ws := ov.WriteSet()
	meta := Meta{Height: 0, Hash: gh, AppHash: state.NextAppHash(types.Hash{}, ws), Time: g.TimeMillis()}
	b := l.db.NewBatch()
	defer b.Close()
	if err := writeState(b, ws); err != nil {
		return err
	}
	if err := b.Set(keyGenesis, raw); err != nil {
		return err
	}
	if err := b.Set(keyMeta, encodeMeta(meta)); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return fmt.Errorf("commit genesis: %w", err)
	}
	l.cache.reset()
	l.mu.Lock()
	l.meta, l.hasMeta, l.chainID = meta, true, g.ChainID
	l.mu.Unlock()
	return nil
}

func encodeMeta(m Meta) []byte {
	b, err := rlp.EncodeToBytes(&m)
	if err != nil {
		panic(err)
	}
	return b
}

func writeState(b kv.Batch, ws []state.Write) error {
	var key []byte // the batch copies keys, so one buffer serves every write
	for _, w := range ws {
		key = append(append(key[:0], prefixState...), w.Key...)
		var err error
		if w.Deleted {
			err = b.Delete(key)
		} else {
			err = b.Set(key, w.Value)
		}
		if err != nil {
			return fmt.Errorf("stage state write: %w", err)
		}
	}
	return nil
}

// State returns the committed state as a read-only Store view; writes to it
// are discarded. Use it for queries.
func (l *Ledger) State() *state.Overlay {
	return state.NewOverlay(l.stateReader())
}

// Commit writes an executed block, its certificate and everything it changed
// in one atomic batch with one fsync.
func (l *Ledger) Commit(x *Executed, cert *types.CommitCert) error {
	last := l.Last()
	blk := x.Block
	h := blk.Header.Height
	if h != last.Height+1 || blk.Header.ParentHash != last.Hash {
		return fmt.Errorf("%w: block %d (parent %s) on top of %d (%s)", ErrWrongHeight, h, blk.Header.ParentHash.Hex(), last.Height, last.Hash.Hex())
	}
	if x.Parent != last.AppHash {
		return fmt.Errorf("%w: executed on another state", ErrWrongHeight)
	}
	hash := blk.Hash()
	b := l.db.NewBatch()
	defer b.Close()
	set := func(k, v []byte) error {
		if err := b.Set(k, v); err != nil {
			return fmt.Errorf("stage block %d: %w", h, err)
		}
		return nil
	}
	if err := set(heightKey(prefixBlock, h), blk.Encode()); err != nil {
		return err
	}
	hb := make([]byte, 8)
	binary.BigEndian.PutUint64(hb, h)
	if err := set(hashKey(prefixHash, hash[:]), hb); err != nil {
		return err
	}
	if cert != nil {
		if err := set(heightKey(prefixCert, h), cert.Encode()); err != nil {
			return err
		}
	}
	if err := set(heightKey(prefixReceipts, h), x.encodedReceipts()); err != nil {
		return err
	}
	if len(x.BlockEvents) > 0 {
		ev, _ := rlp.EncodeToBytes(x.BlockEvents)
		if err := set(heightKey(prefixEvents, h), ev); err != nil {
			return err
		}
	}
	// The batch copies keys and values, so one buffer serves every index entry.
	loc := make([]byte, 12)
	binary.BigEndian.PutUint64(loc, h)
	key := make([]byte, 0, len(prefixTx)+len(types.Hash{}))
	for i, tx := range blk.Txs {
		binary.BigEndian.PutUint32(loc[8:], uint32(i))
		th := tx.Hash()
		key = append(append(key[:0], prefixTx...), th[:]...)
		if err := set(key, loc); err != nil {
			return err
		}
	}
	if err := writeState(b, x.Writes); err != nil {
		return err
	}
	meta := Meta{Height: h, Hash: hash, AppHash: blk.Header.StateRoot, Time: blk.Header.Time}
	if err := set(keyMeta, encodeMeta(meta)); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return fmt.Errorf("commit block %d: %w", h, err)
	}
	l.cache.apply(x.Writes)
	l.recent.add(blk)
	l.mu.Lock()
	l.meta = meta
	l.mu.Unlock()
	l.offerSnapshot(meta)
	return nil
}

// SaveCert stores a (later or better) certificate for a committed height.
func (l *Ledger) SaveCert(cert *types.CommitCert) error {
	b := l.db.NewBatch()
	defer b.Close()
	if err := b.Set(heightKey(prefixCert, cert.Height), cert.Encode()); err != nil {
		return err
	}
	return b.Commit()
}

// unpublished reports a height whose batch may have landed but which
// Commit has not published yet (state cache and Last not updated): until
// it is, its block, receipts and transactions are reported as not found,
// so a reader that sees a transaction committed (a client's --wait) then
// reads the state after its block, never the state before it.
func (l *Ledger) unpublished(h uint64, what string) error {
	if last := l.Last().Height; h > last {
		return fmt.Errorf("%s at height %d, last published %d: %w", what, h, last, ErrNotFound)
	}
	return nil
}

// Block returns the block at height h.
func (l *Ledger) Block(h uint64) (*types.Block, error) {
	if err := l.unpublished(h, "block"); err != nil {
		return nil, err
	}
	if b, ok := l.recent.get(h); ok {
		return b, nil
	}
	raw, err := l.db.Get(heightKey(prefixBlock, h))
	if err != nil {
		return nil, l.prunedErr(notFound(err, "block %d", h), "block", h)
	}
	return types.DecodeBlock(raw)
}

// BlockRaw returns the encoded block at height h (for block sync).
func (l *Ledger) BlockRaw(h uint64) ([]byte, error) {
	if err := l.unpublished(h, "block"); err != nil {
		return nil, err
	}
	raw, err := l.db.Get(heightKey(prefixBlock, h))
	if err != nil {
		return nil, l.prunedErr(notFound(err, "block %d", h), "block", h)
	}
	return raw, nil
}

// HeightOf returns the height of a block hash.
func (l *Ledger) HeightOf(hash types.Hash) (uint64, error) {
	raw, err := l.db.Get(hashKey(prefixHash, hash[:]))
	if err != nil {
		return 0, notFound(err, "block %s", hash.Hex())
	}
	h := binary.BigEndian.Uint64(raw)
	if err := l.unpublished(h, "block "+hash.Hex()); err != nil {
		return 0, err
	}
	return h, nil
}

// Cert returns the commit certificate stored for height h.
func (l *Ledger) Cert(h uint64) (*types.CommitCert, error) {
	raw, err := l.db.Get(heightKey(prefixCert, h))
	if err != nil {
		return nil, notFound(err, "certificate %d", h)
	}
	return types.DecodeCommitCert(raw)
}

// Receipts returns the receipts of block h.
func (l *Ledger) Receipts(h uint64) ([]*types.Receipt, error) {
	if err := l.unpublished(h, "receipts"); err != nil {
		return nil, err
	}
	raw, err := l.db.Get(heightKey(prefixReceipts, h))
	if err != nil {
		return nil, l.prunedErr(notFound(err, "receipts %d", h), "receipts of block", h)
	}
	return types.DecodeReceipts(raw)
}

// BlockEvents returns the events of block h's timer processing.
func (l *Ledger) BlockEvents(h uint64) ([]types.Event, error) {
	raw, err := l.db.Get(heightKey(prefixEvents, h))
	if errors.Is(err, kv.ErrNotFound) {
		if h > 0 && h < l.PrunedBase() {
			return nil, l.prunedErr(notFound(err, "events of block %d", h), "events of block", h)
		}
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var evs []types.Event
	if err := rlp.DecodeBytes(raw, &evs); err != nil {
		return nil, fmt.Errorf("decode block events %d: %w", h, err)
	}
	return evs, nil
}

// TxLocation returns where a transaction was committed.
func (l *Ledger) TxLocation(hash types.Hash) (height uint64, index int, err error) {
	raw, err := l.db.Get(hashKey(prefixTx, hash[:]))
	if err != nil {
		if base := l.PrunedBase(); base > 1 && errors.Is(err, kv.ErrNotFound) {
			// The index of pruned heights is gone, so absent and pruned look alike.
			return 0, 0, fmt.Errorf("transaction %s: %w (or in a block below %d, which this node pruned)", hash.Hex(), ErrNotFound, base)
		}
		return 0, 0, notFound(err, "transaction %s", hash.Hex())
	}
	h := binary.BigEndian.Uint64(raw[:8])
	if err := l.unpublished(h, "transaction "+hash.Hex()); err != nil {
		return 0, 0, err
	}
	return h, int(binary.BigEndian.Uint32(raw[8:])), nil
}

// TxResult is a committed transaction with its receipt and location.
type TxResult struct {
	Tx      *types.Tx
	Receipt *types.Receipt
	Height  uint64
	Index   int
	Block   types.Hash
	Time    uint64 // the block's time, unix ms
}

// Tx looks a committed transaction up by hash.
func (l *Ledger) Tx(hash types.Hash) (*TxResult, error) {
	blk, rs, h, i, err := l.txBlock(hash)
	if err != nil {
		return nil, err
	}
	return &TxResult{Tx: blk.Txs[i], Receipt: rs[i], Height: h, Index: i, Block: blk.Hash(), Time: blk.Header.Time}, nil
}

// txBlock finds a committed transaction's block, the block's receipts and
// the transaction's height and index in it.
func (l *Ledger) txBlock(hash types.Hash) (*types.Block, []*types.Receipt, uint64, int, error) {
	h, i, err := l.TxLocation(hash)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	blk, err := l.Block(h)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	rs, err := l.Receipts(h)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	if i >= len(blk.Txs) || i >= len(rs) {
		return nil, nil, 0, 0, fmt.Errorf("transaction index %d out of range in block %d", i, h)
	}
	return blk, rs, h, i, nil
}

// Proof is an inclusion proof of a transaction and its receipt in a block.
type Proof struct {
	Height       uint64
	Header       types.Header
	TxProof      types.MerkleProof
	ReceiptProof types.MerkleProof
	Receipt      *types.Receipt
}

// ProveTx returns inclusion proofs of a committed transaction and its
// receipt against its block header (TxRoot, ReceiptRoot).
func (l *Ledger) ProveTx(hash types.Hash) (*Proof, error) {
	blk, rs, h, i, err := l.txBlock(hash)
	if err != nil {
		return nil, err
	}
	txLeaves := make([]types.Hash, len(blk.Txs))
	for j, tx := range blk.Txs {
		txLeaves[j] = tx.Hash()
	}
	rLeaves := make([]types.Hash, len(rs))
	for j, r := range rs {
		rLeaves[j] = r.Hash()
	}
	tp, err := types.MerkleProve(txLeaves, i)
	if err != nil {
		return nil, err
	}
	rp, err := types.MerkleProve(rLeaves, i)
	if err != nil {
		return nil, err
	}
	return &Proof{Height: h, Header: blk.Header, TxProof: *tp, ReceiptProof: *rp, Receipt: rs[i]}, nil
}

func notFound(err error, format string, args ...any) error {
	if errors.Is(err, kv.ErrNotFound) {
		return fmt.Errorf(format+": %w", append(args, ErrNotFound)...)
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}
