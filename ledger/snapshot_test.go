package ledger_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

// stateEntries reads every state key and value of l in order.
func stateEntries(t *testing.T, l *ledger.Ledger) [][2][]byte {
	t.Helper()
	it, err := l.DB().Iterator(ledger.StatePrefix, kv.PrefixEnd(ledger.StatePrefix))
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var out [][2][]byte
	for it.Next() {
		out = append(out, [2][]byte{bytes.Clone(it.Key()), bytes.Clone(it.Value())})
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// sameState fails unless a and b hold the same state, key by key.
func sameState(t *testing.T, a, b *ledger.Ledger) {
	t.Helper()
	ea, eb := stateEntries(t, a), stateEntries(t, b)
	for i := range min(len(ea), len(eb)) {
		if !bytes.Equal(ea[i][0], eb[i][0]) || !bytes.Equal(ea[i][1], eb[i][1]) {
			t.Fatalf("state entry %d differs: %q=%x vs %q=%x", i, ea[i][0], ea[i][1], eb[i][0], eb[i][1])
		}
	}
	if len(ea) != len(eb) {
		t.Fatalf("%d state entries vs %d", len(ea), len(eb))
	}
}

// memChunks is a ChunkSink in memory.
type memChunks [][]byte

func (m *memChunks) WriteChunk(i int, data []byte) error {
	if i != len(*m) {
		return errors.New("chunk out of order")
	}
	*m = append(*m, bytes.Clone(data))
	return nil
}

// snapshotChain commits blocks on a chain that holds a snapshot every 5
// heights and returns the chain, the last snapshot's manifest and chunks.
func snapshotChain(t *testing.T, blocks int) (*ledgertest.Chain, *ledger.SnapshotManifest, [][]byte) {
	t.Helper()
	ledger.SetSnapshotChunkBytes(t, 512)
	c, _ := openChain(t, kv.BackendPebble, 40)
	held := c.Ledger.SnapshotEvery(5, nil)
	var m *ledger.SnapshotManifest
	var chunks memChunks
	for h := 1; h <= blocks; h++ {
		var txs []*types.Tx
		for i := range 10 {
			txs = append(txs, ledgertest.SignTransfer(c.Keys[i], uint64(h-1), addr(c, (i+h)%40), uint64(h)))
		}
		if _, dropped, err := c.Produce(txs); err != nil || len(dropped) > 0 {
			t.Fatalf("block %d: %v %v", h, err, dropped)
		}
		select {
		case s := <-held:
			if s.Meta.Height != uint64(h) || h%5 != 0 {
				t.Fatalf("held a snapshot of %d after block %d", s.Meta.Height, h)
			}
			chunks = nil
			var err error
			if m, err = c.Ledger.WriteSnapshot(s, &chunks); err != nil {
				t.Fatal(err)
			}
			s.Close()
		default:
			if h%5 == 0 {
				t.Fatalf("no snapshot held at %d", h)
			}
		}
	}
	return c, m, chunks
}

func restoreAll(t *testing.T, r *ledger.Restore, chunks [][]byte) {
	t.Helper()
	for !r.Done() {
		if err := r.Apply(chunks[r.Next()]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestSnapshotRestoresTheSameStateKeyByKey(t *testing.T) {
	c, m, chunks := snapshotChain(t, 10)
	if m.Height != 10 || len(m.Chunks) < 4 || len(chunks) != len(m.Chunks) {
		t.Fatalf("manifest at %d with %d chunks (%d written); want height 10 and several chunks", m.Height, len(m.Chunks), len(chunks))
	}
	fresh, err := ledger.New(kv.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	r, err := fresh.BeginRestore(m)
	if err != nil {
		t.Fatal(err)
	}
	restoreAll(t, r, chunks)
	blk, _ := c.Ledger.Block(10)
	cert, _ := c.Ledger.Cert(10)
	if err := r.Finish(c.Genesis, blk, cert); err != nil {
		t.Fatal(err)
	}
	sameState(t, c.Ledger, fresh)
	if got := fresh.Last(); got.Height != 10 || got.AppHash != blk.Header.StateRoot || got.Hash != blk.Hash() {
		t.Fatalf("restored head %+v", got)
	}
	if _, err := fresh.Block(9); !errors.Is(err, ledger.ErrPruned) {
		t.Fatalf("block below the snapshot: %v, want ErrPruned", err)
	}
	// The restored node goes on executing the chain exactly like the source.
	rc := &ledgertest.Chain{Ledger: fresh, App: ledgertest.App{}, Validator: c.Validator, Keys: c.Keys, Genesis: c.Genesis}
	if err := fresh.InitGenesis(c.Genesis, rc.App); err != nil {
		t.Fatalf("genesis check after restore: %v", err)
	}
	txs := []*types.Tx{ledgertest.SignTransfer(c.Keys[0], 10, addr(c, 1), 5)}
	xa, _, err := c.Produce(txs)
	if err != nil {
		t.Fatal(err)
	}
	xb, _, err := rc.Produce(txs)
	if err != nil {
		t.Fatal(err)
	}
	if xa.Block.Hash() != xb.Block.Hash() {
		t.Fatalf("block 11 differs after restore: %s vs %s", xa.Block.Hash().Hex(), xb.Block.Hash().Hex())
	}
	sameState(t, c.Ledger, fresh)
}

func TestSnapshotRefusesBadChunksAndChangesNothing(t *testing.T) {
	c, m, chunks := snapshotChain(t, 5)
	fresh, _ := ledger.New(kv.NewMemory())
	r, err := fresh.BeginRestore(m)
	if err != nil {
		t.Fatal(err)
	}
	corrupt := bytes.Clone(chunks[0])
	corrupt[len(corrupt)/2] ^= 1
	cases := []struct {
		name string
		data []byte
	}{
		{"a flipped bit", corrupt},
		{"another chunk", chunks[1]},
		{"a truncated chunk", chunks[0][:len(chunks[0])-1]},
		{"nothing", nil},
	}
	for _, tc := range cases {
		if err := r.Apply(tc.data); !errors.Is(err, ledger.ErrSnapshotChunk) {
			t.Fatalf("%s: %v, want ErrSnapshotChunk", tc.name, err)
		}
		if r.Next() != 0 || len(stateEntries(t, fresh)) != 0 {
			t.Fatalf("%s: a refused chunk changed the restore (next %d)", tc.name, r.Next())
		}
	}
	restoreAll(t, r, chunks)
	blk4, _ := c.Ledger.Block(4)
	cert5, _ := c.Ledger.Cert(5)
	if err := r.Finish(c.Genesis, blk4, cert5); !errors.Is(err, ledger.ErrSnapshotManifest) {
		t.Fatalf("finish with another block: %v", err)
	}
	if fresh.Initialized() {
		t.Fatal("a refused finish initialized the ledger")
	}
}

// A forged manifest may list chunks whose hashes match but whose keys are
// not in order (two snapshots spliced); the restore refuses it.
func TestSnapshotRefusesKeysOutOfOrder(t *testing.T) {
	_, m, chunks := snapshotChain(t, 5)
	forged := *m
	forged.Chunks = []types.Hash{m.Chunks[1], m.Chunks[0]}
	fresh, _ := ledger.New(kv.NewMemory())
	r, err := fresh.BeginRestore(&forged)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(chunks[1]); err != nil {
		t.Fatal(err)
	}
	if err := r.Apply(chunks[0]); !errors.Is(err, ledger.ErrSnapshotChunk) {
		t.Fatalf("chunk with lower keys: %v, want ErrSnapshotChunk", err)
	}
}

func TestSnapshotRestoreResumesAfterACrash(t *testing.T) {
	c, m, chunks := snapshotChain(t, 5)
	db := kv.NewMemory()
	l1, _ := ledger.New(db)
	r, err := l1.BeginRestore(m)
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := r.Apply(chunks[r.Next()]); err != nil {
			t.Fatal(err)
		}
	}
	// "Restart": a new ledger on the same store.
	l2, err := ledger.New(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := l2.InitGenesis(c.Genesis, c.App); !errors.Is(err, ledger.ErrRestoring) {
		t.Fatalf("genesis over a half-restored state: %v, want ErrRestoring", err)
	}
	r2, err := l2.BeginRestore(m)
	if err != nil {
		t.Fatal(err)
	}
	if r2.Next() != 2 {
		t.Fatalf("resumed at chunk %d, want 2", r2.Next())
	}
	restoreAll(t, r2, chunks)
	blk, _ := c.Ledger.Block(5)
	cert, _ := c.Ledger.Cert(5)
	if err := r2.Finish(c.Genesis, blk, cert); err != nil {
		t.Fatal(err)
	}
	sameState(t, c.Ledger, l2)
}

func TestSnapshotFilesPublishWholeSnapshots(t *testing.T) {
	_, m, chunks := snapshotChain(t, 5)
	dir := t.TempDir()
	f, err := ledger.OpenSnapshotFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	w, err := f.Create(m.Height)
	if err != nil {
		t.Fatal(err)
	}
	for i, ch := range chunks {
		if err := w.WriteChunk(i, ch); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, ok := f.Latest(); ok {
		t.Fatal("an unfinished snapshot is visible")
	}
	if err := w.Finish(m, []byte("sig")); err != nil {
		t.Fatal(err)
	}
	raw, sig, ok := f.Latest()
	if !ok || !bytes.Equal(raw, m.Encode()) || string(sig) != "sig" {
		t.Fatalf("latest: %v %q", ok, sig)
	}
	got, err := f.Chunk(m.Height, 1)
	if err != nil || !bytes.Equal(got, chunks[1]) {
		t.Fatalf("chunk 1: %v", err)
	}
	if _, err := f.Chunk(m.Height, len(chunks)); !errors.Is(err, ledger.ErrNoSnapshot) {
		t.Fatalf("missing chunk: %v", err)
	}
}

// Validators vouch for a manifest they computed themselves, so two nodes
// with the same state must cut the same chunks.
func TestSnapshotManifestIsTheSameOnEveryNode(t *testing.T) {
	_, a, _ := snapshotChain(t, 10)
	_, b, _ := snapshotChain(t, 10)
	if a.Hash() != b.Hash() {
		t.Fatalf("two nodes at the same state: manifests %s and %s", a.Hash().Hex(), b.Hash().Hex())
	}
	raw := a.Encode()
	back, err := ledger.DecodeSnapshotManifest(raw)
	if err != nil || back.Hash() != a.Hash() {
		t.Fatalf("manifest round trip: %v", err)
	}
	for _, bad := range [][]byte{nil, raw[:len(raw)-1], (&ledger.SnapshotManifest{Height: 0, Chunks: a.Chunks}).Encode(), (&ledger.SnapshotManifest{Height: 3}).Encode()} {
		if _, err := ledger.DecodeSnapshotManifest(bad); !errors.Is(err, ledger.ErrSnapshotManifest) {
			t.Fatalf("bad manifest %x: %v", bad, err)
		}
	}
}
