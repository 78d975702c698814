package consensus

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestFileWALAppendReopenRead(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.wal")
	w, err := NewFileWAL(path)
	if err != nil {
		t.Fatal(err)
	}
	recs := [][]byte{[]byte("one"), {}, bytes.Repeat([]byte{7}, 5000)}
	for i, r := range recs {
		if err := w.Append(uint64(i+1), r); err != nil {
			t.Fatal(err)
		}
	}
	w.Close()
	w, err = NewFileWAL(path)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(recs) {
		t.Fatalf("read %d records, want %d", len(got), len(recs))
	}
	for i := range recs {
		if !bytes.Equal(got[i], recs[i]) {
			t.Fatalf("record %d differs", i)
		}
	}
}

func TestFileWALToleratesATornTail(t *testing.T) {
	for _, tc := range []struct {
		name string
		tear func(full []byte) []byte
	}{
		{"half a header", func(full []byte) []byte { return full[:len(full)-len("last")-frameHeader+5] }},
		{"header without all its data", func(full []byte) []byte { return full[:len(full)-2] }},
		{"complete frame with a bad checksum", func(full []byte) []byte {
			c := bytes.Clone(full)
			c[len(c)-1] ^= 0xff
			return c
		}},
		{"zeros appended by the file system", func(full []byte) []byte { return append(bytes.Clone(full), make([]byte, 40)...) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cs.wal")
			w, _ := NewFileWAL(path)
			w.Append(1, []byte("first"))
			w.Append(2, []byte("last"))
			w.Close()
			full, _ := os.ReadFile(path)
			os.WriteFile(path, tc.tear(full), 0o600)
			w, err := NewFileWAL(path)
			if err != nil {
				t.Fatalf("open after a torn write: %v", err)
			}
			got, _ := w.ReadAll()
			if len(got) < 1 || string(got[0]) != "first" {
				t.Fatalf("lost intact records: %q", got)
			}
			// Appends continue on a clean frame boundary.
			if err := w.Append(3, []byte("after")); err != nil {
				t.Fatal(err)
			}
			w.Close()
			w, _ = NewFileWAL(path)
			got, _ = w.ReadAll()
			if string(got[len(got)-1]) != "after" {
				t.Fatalf("append after repair lost: %q", got)
			}
		})
	}
}

func TestFileWALReportsCorruptionBeforeTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.wal")
	w, _ := NewFileWAL(path)
	w.Append(1, []byte("first"))
	w.Append(2, []byte("second"))
	w.Close()
	raw, _ := os.ReadFile(path)
	raw[frameHeader+1] ^= 0xff // inside the first record's data
	os.WriteFile(path, raw, 0o600)
	if _, err := NewFileWAL(path); !errors.Is(err, ErrCorruptWAL) {
		t.Fatalf("want ErrCorruptWAL, got %v", err)
	}
}

func TestFileWALTruncateBefore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.wal")
	w, _ := NewFileWAL(path)
	for h := uint64(1); h <= 5; h++ {
		w.Append(h, []byte{byte(h)})
	}
	// Below the compaction threshold nothing is rewritten.
	if err := w.TruncateBefore(4); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.ReadAll(); len(got) != 5 {
		t.Fatalf("small WAL rewritten: %d records", len(got))
	}
	w.compactBytes = 0
	if err := w.TruncateBefore(4); err != nil {
		t.Fatal(err)
	}
	w.Append(6, []byte{6})
	w.Close()
	w, _ = NewFileWAL(path)
	got, _ := w.ReadAll()
	if len(got) != 3 || got[0][0] != 4 || got[2][0] != 6 {
		t.Fatalf("after truncation: %v", got)
	}
}

func TestEngineRestartsFromAFileWAL(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cs.wal")
	fw, err := NewFileWAL(path)
	if err != nil {
		t.Fatal(err)
	}
	valsFn, keys := staticVals(4)
	app := newChainApp(valsFn)
	cfg := Config{ChainID: testChain}
	e, _ := New(cfg, newKeySigner(keys[0]), app, fw, app.last())
	fx := &fixture{t: t, n: 4, keys: keys, vals: valsFn(1), app: app, eng: e}
	a := fx.block(fx.primary(0), "a")
	fx.step(fx.proposal(fx.primary(0), 0, a))
	fx.step(fx.vote(MsgPrepare, 1, 0, a.Hash()))
	fx.step(fx.vote(MsgPrepare, 2, 0, a.Hash()))
	fw.Close()

	fw, err = NewFileWAL(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err = New(cfg, newKeySigner(keys[0]), app, fw, app.last())
	if err != nil {
		t.Fatal(err)
	}
	acts := e.Start()
	if len(sentOf(acts, MsgPrepare)) != 1 || len(sentOf(acts, MsgCommit)) != 1 {
		t.Fatalf("want PREPARE and COMMIT re-sent from the WAL, got %v", acts)
	}
	if e.hs.prepared == nil || e.hs.prepared.BlockHash != a.Hash() || e.hs.blocks[a.Hash()] == nil {
		t.Fatal("prepared certificate or block not reloaded")
	}
	// A WAL written by another validator is refused.
	if _, err := New(cfg, newKeySigner(keys[1]), app, fw, app.last()); err == nil {
		t.Fatal("engine accepted another validator's WAL")
	}
}
