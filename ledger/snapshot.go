package ledger

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// State snapshots. A snapshot is the whole state at a committed height,
// cut into chunks of about SnapshotChunkBytes in key order, and a manifest
// naming the height, the block and app hash there and the Keccak-256 of
// every chunk. Chunking is a pure function of the state (SnapshotChunkBytes
// is a protocol constant), so every honest node produces the same manifest
// at the same height and a validator's signature over the manifest hash
// (SnapshotVoteDigest) vouches for the whole state: see docs/design.md,
// "State snapshots", for why the trust is a manifest signed by more than a
// third of the validators rather than the header's app hash.
//
// Writing streams the state from a consistent database snapshot taken
// inside Commit (SnapshotEvery), one chunk in memory at a time. Restoring
// into an empty ledger applies chunks in order, each verified against the
// manifest and checked to continue the key order, and records its progress
// in the same batch as the chunk, so a crash resumes at the next chunk.

// SnapshotChunkBytes is the size at which a chunk is cut (after the pair
// that reaches it). All nodes must agree on it: it shapes the manifest.
const SnapshotChunkBytes = 1 << 20

// snapshotChunkBytes is SnapshotChunkBytes; tests lower it to cut many
// chunks from a small state.
var snapshotChunkBytes = SnapshotChunkBytes

// MaxSnapshotChunkBytes bounds one chunk as a restorer accepts it: a chunk
// is cut after the pair that reaches SnapshotChunkBytes, so it may exceed it
// by one pair.
const MaxSnapshotChunkBytes = 16 << 20

// MaxSnapshotChunks bounds a manifest (16M chunks of 1 MiB: 16 TiB of state).
const MaxSnapshotChunks = 1 << 24

// Snapshot errors.
var (
	ErrSnapshotChunk    = errors.New("snapshot chunk does not match the manifest")
	ErrSnapshotManifest = errors.New("invalid snapshot manifest")
	ErrRestoring        = errors.New("an interrupted snapshot restore is in this ledger")
)

var keyRestore = []byte("m/restore") // manifest + progress of a restore in progress

// SnapshotManifest describes one state snapshot.
type SnapshotManifest struct {
	ChainID   string
	Height    uint64
	BlockHash types.Hash
	AppHash   types.Hash
	Time      uint64 // block time, unix ms
	Keys      uint64 // state entries in all chunks
	Chunks    []types.Hash
}

// Hash identifies the manifest (Keccak-256 of its RLP).
func (m *SnapshotManifest) Hash() types.Hash { return types.Keccak(m.Encode()) }

// Encode returns the manifest's RLP.
func (m *SnapshotManifest) Encode() []byte {
	b, err := rlp.EncodeToBytes(m)
	if err != nil {
		panic(err)
	}
	return b
}

// DecodeSnapshotManifest decodes and sanity-checks a manifest.
func DecodeSnapshotManifest(raw []byte) (*SnapshotManifest, error) {
	var m SnapshotManifest
	if err := rlp.DecodeBytes(raw, &m); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnapshotManifest, err)
	}
	if m.Height == 0 || len(m.Chunks) == 0 || len(m.Chunks) > MaxSnapshotChunks {
		return nil, fmt.Errorf("%w: height %d, %d chunks", ErrSnapshotManifest, m.Height, len(m.Chunks))
	}
	return &m, nil
}

// SnapshotVoteDigest is what a validator signs to vouch for a manifest.
func SnapshotVoteDigest(chainID string, height uint64, manifest types.Hash) types.Hash {
	b := append([]byte("accord/snapshot\x00"+chainID+"\x00"), binary.BigEndian.AppendUint64(nil, height)...)
	return types.Keccak(append(b, manifest[:]...))
}

// HeldSnapshot is a consistent view of the database right after the block
// at Meta.Height was committed. Write it with WriteSnapshot, then Close it.
type HeldSnapshot struct {
	Meta Meta
	snap kv.Snapshot
}

// Close releases the database snapshot.
func (s *HeldSnapshot) Close() error { return s.snap.Close() }

// SnapshotEvery makes Commit hold a database snapshot after every block
// whose height is a multiple of interval and hand it to the returned
// channel. If the receiver is still busy with the previous one, the new
// one is dropped (and logged to log) rather than holding up the commit.
// Call it once, before blocks are committed.
func (l *Ledger) SnapshotEvery(interval uint64, log *slog.Logger) <-chan *HeldSnapshot {
	ch := make(chan *HeldSnapshot, 1)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	l.snapEvery, l.snapCh, l.snapLog = interval, ch, log
	return ch
}

// offerSnapshot is called by Commit once height h is durable.
func (l *Ledger) offerSnapshot(meta Meta) {
	if l.snapEvery == 0 || meta.Height%l.snapEvery != 0 {
		return
	}
	s, err := l.db.Snapshot()
	if err != nil {
		l.snapLog.Warn("snapshot: hold database view", "height", meta.Height, "err", err)
		return
	}
	select {
	case l.snapCh <- &HeldSnapshot{Meta: meta, snap: s}:
	default:
		s.Close()
		l.snapLog.Warn("snapshot skipped: the previous one is still being written", "height", meta.Height)
	}
}

// ChunkSink receives a snapshot's chunks in order.
type ChunkSink interface {
	WriteChunk(index int, data []byte) error
}

// WriteSnapshot streams the state of s into chunks and returns the manifest.
func (l *Ledger) WriteSnapshot(s *HeldSnapshot, sink ChunkSink) (*SnapshotManifest, error) {
	m := &SnapshotManifest{ChainID: l.chainID, Height: s.Meta.Height, BlockHash: s.Meta.Hash, AppHash: s.Meta.AppHash, Time: s.Meta.Time}
	it, err := s.snap.Iterator(prefixState, kv.PrefixEnd(prefixState))
	if err != nil {
		return nil, fmt.Errorf("snapshot %d: %w", m.Height, err)
	}
	defer it.Close()
	buf := make([]byte, 0, snapshotChunkBytes+4096)
	flush := func() error {
		if err := sink.WriteChunk(len(m.Chunks), buf); err != nil {
			return fmt.Errorf("snapshot %d: write chunk %d: %w", m.Height, len(m.Chunks), err)
		}
		m.Chunks = append(m.Chunks, types.Keccak(buf))
		buf = buf[:0]
		return nil
	}
	for it.Next() {
		k, v := it.Key()[len(prefixState):], it.Value()
		buf = binary.AppendUvarint(buf, uint64(len(k)))
		buf = append(buf, k...)
		buf = binary.AppendUvarint(buf, uint64(len(v)))
		buf = append(buf, v...)
		m.Keys++
		if len(buf) > MaxSnapshotChunkBytes {
			return nil, fmt.Errorf("snapshot %d: state entry of %d bytes exceeds the chunk limit", m.Height, len(k)+len(v))
		}
		if len(buf) >= snapshotChunkBytes {
			if err := flush(); err != nil {
				return nil, err
			}
		}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("snapshot %d: read state: %w", m.Height, err)
	}
	if len(buf) > 0 || len(m.Chunks) == 0 {
		if err := flush(); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// decodeChunk calls fn for each pair of a chunk; the slices alias data.
func decodeChunk(data []byte, fn func(k, v []byte) error) error {
	for len(data) > 0 {
		var kv [2][]byte
		for i := range kv {
			n, w := binary.Uvarint(data)
			if w <= 0 || n > uint64(len(data)-w) {
				return fmt.Errorf("%w: truncated entry", ErrSnapshotChunk)
			}
			kv[i] = data[w : w+int(n)]
			data = data[w+int(n):]
		}
		if len(kv[0]) == 0 {
			return fmt.Errorf("%w: empty key", ErrSnapshotChunk)
		}
		if err := fn(kv[0], kv[1]); err != nil {
			return err
		}
	}
	return nil
}

// restoreProgress is stored under keyRestore while a restore runs.
type restoreProgress struct {
	Manifest []byte
	Next     uint64 // index of the next chunk to apply
	LastKey  []byte // last state key applied
}

// Restore applies a verified snapshot to an empty ledger. Begin it with
// BeginRestore, feed every chunk in order to Apply, then Finish it with
// the snapshot's block and certificate.
type Restore struct {
	l        *Ledger
	m        *SnapshotManifest
	raw      []byte
	next     uint64
	lastKey  []byte
	appliedN uint64
}

// BeginRestore starts (or, after a crash, resumes) restoring m into this
// ledger, which must hold no chain. A restore of another manifest left
// behind is discarded with the state it wrote.
func (l *Ledger) BeginRestore(m *SnapshotManifest) (*Restore, error) {
	if l.Initialized() {
		return nil, fmt.Errorf("restore snapshot %d: the ledger already holds a chain (height %d)", m.Height, l.Last().Height)
	}
	raw := m.Encode()
	r := &Restore{l: l, m: m, raw: raw}
	prev, err := l.db.Get(keyRestore)
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		var p restoreProgress
		if err := rlp.DecodeBytes(prev, &p); err == nil && bytes.Equal(p.Manifest, raw) {
			r.next, r.lastKey = p.Next, p.LastKey
			return r, nil
		}
		if err := l.clearState(); err != nil {
			return nil, err
		}
	}
	b := l.db.NewBatch()
	defer b.Close()
	if err := b.Set(keyRestore, r.progress()); err != nil {
		return nil, err
	}
	return r, b.Commit()
}

func (r *Restore) progress() []byte {
	b, _ := rlp.EncodeToBytes(&restoreProgress{Manifest: r.raw, Next: r.next, LastKey: r.lastKey})
	return b
}

// Next is the index of the chunk Apply expects.
func (r *Restore) Next() int { return int(r.next) }

// Done reports whether every chunk was applied.
func (r *Restore) Done() bool { return r.next == uint64(len(r.m.Chunks)) }

// Apply verifies chunk Next against the manifest and writes it. A chunk
// that does not match (ErrSnapshotChunk) changes nothing; fetch it again
// elsewhere.
func (r *Restore) Apply(data []byte) error {
	if r.Done() {
		return fmt.Errorf("%w: all %d chunks applied", ErrSnapshotChunk, len(r.m.Chunks))
	}
	if len(data) > MaxSnapshotChunkBytes {
		return fmt.Errorf("%w: chunk %d is %d bytes", ErrSnapshotChunk, r.next, len(data))
	}
	if got := types.Keccak(data); got != r.m.Chunks[r.next] {
		return fmt.Errorf("%w: chunk %d hashes to %s, manifest says %s", ErrSnapshotChunk, r.next, got.Hex(), r.m.Chunks[r.next].Hex())
	}
	b := r.l.db.NewBatch()
	defer b.Close()
	last := r.lastKey
	var key []byte
	n := uint64(0)
	err := decodeChunk(data, func(k, v []byte) error {
		if last != nil && bytes.Compare(k, last) <= 0 {
			return fmt.Errorf("%w: chunk %d: keys out of order", ErrSnapshotChunk, r.next)
		}
		last = k
		n++
		key = append(append(key[:0], prefixState...), k...)
		return b.Set(key, v)
	})
	if err != nil {
		return err
	}
	r.next++
	r.lastKey = bytes.Clone(last)
	r.appliedN += n
	if err := b.Set(keyRestore, r.progress()); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		r.next--
		return fmt.Errorf("restore chunk %d: %w", r.next, err)
	}
	return nil
}

// State is the state restored so far, e.g. to read the validator set
// before Finish.
func (r *Restore) State() ReadState { return r.l.ReadState() }

// Finish checks that blk is the snapshot's block, that cert certifies it
// (verified by the caller against the restored validator set), and makes
// the ledger a chain at the snapshot's height: genesis, block, certificate,
// metadata. Blocks below the height read as pruned.
func (r *Restore) Finish(genesis []byte, blk *types.Block, cert *types.CommitCert) error {
	m := r.m
	if !r.Done() {
		return fmt.Errorf("finish restore: %d of %d chunks applied", r.next, len(m.Chunks))
	}
	g, err := ParseGenesis(genesis)
	if err != nil {
		return err
	}
	if g.ChainID != m.ChainID {
		return fmt.Errorf("%w: chain %q, genesis is for %q", ErrSnapshotManifest, m.ChainID, g.ChainID)
	}
	h := blk.Header.Height
	if h != m.Height || blk.Hash() != m.BlockHash || blk.Header.StateRoot != m.AppHash || blk.Header.Time != m.Time {
		return fmt.Errorf("%w: block %d (%s) is not the snapshot's block %d (%s)", ErrSnapshotManifest, h, blk.Hash().Hex(), m.Height, m.BlockHash.Hex())
	}
	if cert.Height != h || cert.BlockHash != m.BlockHash {
		return fmt.Errorf("%w: certificate is for %d/%s", ErrSnapshotManifest, cert.Height, cert.BlockHash.Hex())
	}
	b := r.l.db.NewBatch()
	defer b.Close()
	hb := binary.BigEndian.AppendUint64(nil, h)
	meta := Meta{Height: h, Hash: m.BlockHash, AppHash: m.AppHash, Time: m.Time}
	for _, kvp := range [][2][]byte{
		{keyGenesis, genesis},
		{heightKey(prefixBlock, h), blk.Encode()},
		{hashKey(prefixHash, m.BlockHash[:]), hb},
		{heightKey(prefixCert, h), cert.Encode()},
		{keyPruned, hb},
		{keyMeta, encodeMeta(meta)},
	} {
		if err := b.Set(kvp[0], kvp[1]); err != nil {
			return err
		}
	}
	if err := b.Delete(keyRestore); err != nil {
		return err
	}
	if err := b.Commit(); err != nil {
		return fmt.Errorf("finish restore: %w", err)
	}
	r.l.cache.reset()
	r.l.mu.Lock()
	r.l.meta, r.l.hasMeta, r.l.chainID = meta, true, g.ChainID
	r.l.mu.Unlock()
	return nil
}

// Restoring reports whether an unfinished restore is in the ledger.
func (l *Ledger) Restoring() bool {
	ok, _ := l.db.Has(keyRestore)
	return ok
}

// clearState deletes every state key (a restore of another manifest).
func (l *Ledger) clearState() error {
	for {
		it, err := l.db.Iterator(prefixState, kv.PrefixEnd(prefixState))
		if err != nil {
			return err
		}
		b := l.db.NewBatch()
		n := 0
		for it.Next() && n < 10_000 {
			if err := b.Delete(bytes.Clone(it.Key())); err != nil {
				it.Close()
				b.Close()
				return err
			}
			n++
		}
		err = it.Err()
		it.Close()
		if err == nil && n > 0 {
			err = b.Commit()
		}
		b.Close()
		if err != nil || n == 0 {
			return err
		}
	}
}
