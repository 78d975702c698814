package ledger

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// SnapshotFiles keeps state snapshots in a directory, one subdirectory per
// height holding chunk-NNNNNNNN files, the manifest and the node's
// signature over it (if it is a validator). A snapshot is written under a
// temporary name and renamed into place once complete, so a reader never
// sees a partial one.
type SnapshotFiles struct{ dir string }

// OpenSnapshotFiles uses dir (created if missing) and removes snapshots a
// crash left half-written.
func OpenSnapshotFiles(dir string) (*SnapshotFiles, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), "tmp-") {
			os.RemoveAll(filepath.Join(dir, e.Name()))
		}
	}
	return &SnapshotFiles{dir: dir}, nil
}

func (f *SnapshotFiles) path(h uint64) string { return filepath.Join(f.dir, strconv.FormatUint(h, 10)) }

func chunkName(i int) string { return fmt.Sprintf("chunk-%08d", i) }

// SnapshotWriter writes one snapshot's files; it is a ChunkSink.
type SnapshotWriter struct {
	f   *SnapshotFiles
	h   uint64
	tmp string
}

// Create starts writing the snapshot of height h.
func (f *SnapshotFiles) Create(h uint64) (*SnapshotWriter, error) {
	tmp := filepath.Join(f.dir, fmt.Sprintf("tmp-%d", h))
	os.RemoveAll(tmp)
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return nil, err
	}
	return &SnapshotWriter{f: f, h: h, tmp: tmp}, nil
}

// WriteChunk implements ChunkSink.
func (w *SnapshotWriter) WriteChunk(i int, data []byte) error {
	return writeSynced(filepath.Join(w.tmp, chunkName(i)), data)
}

// Finish stores the manifest and sig (nil if none) and publishes the snapshot.
func (w *SnapshotWriter) Finish(m *SnapshotManifest, sig []byte) error {
	if err := writeSynced(filepath.Join(w.tmp, "manifest"), m.Encode()); err != nil {
		return err
	}
	if sig != nil {
		if err := writeSynced(filepath.Join(w.tmp, "signature"), sig); err != nil {
			return err
		}
	}
	dst := w.f.path(w.h)
	os.RemoveAll(dst)
	return os.Rename(w.tmp, dst)
}

// Abort removes what was written.
func (w *SnapshotWriter) Abort() { os.RemoveAll(w.tmp) }

func writeSynced(path string, data []byte) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return err
	}
	if err := fh.Sync(); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// Heights lists the complete snapshots, ascending.
func (f *SnapshotFiles) Heights() []uint64 {
	ents, _ := os.ReadDir(f.dir)
	var hs []uint64
	for _, e := range ents {
		if h, err := strconv.ParseUint(e.Name(), 10, 64); err == nil && e.IsDir() {
			hs = append(hs, h)
		}
	}
	slices.Sort(hs)
	return hs
}

// Latest returns the newest snapshot's manifest and signature (nil if
// unsigned); ok is false when there is none.
func (f *SnapshotFiles) Latest() (manifest, sig []byte, ok bool) {
	hs := f.Heights()
	for i := len(hs) - 1; i >= 0; i-- {
		m, err := os.ReadFile(filepath.Join(f.path(hs[i]), "manifest"))
		if err != nil {
			continue
		}
		sig, _ := os.ReadFile(filepath.Join(f.path(hs[i]), "signature"))
		return m, sig, true
	}
	return nil, nil, false
}

// ErrNoSnapshot is returned for a snapshot or chunk this node does not hold.
var ErrNoSnapshot = errors.New("no such snapshot")

// Chunk returns chunk i of the snapshot at height h.
func (f *SnapshotFiles) Chunk(h uint64, i int) ([]byte, error) {
	fh, err := os.Open(filepath.Join(f.path(h), chunkName(i)))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("snapshot %d chunk %d: %w", h, i, ErrNoSnapshot)
		}
		return nil, err
	}
	defer fh.Close()
	return io.ReadAll(io.LimitReader(fh, MaxSnapshotChunkBytes+1))
}

// Keep deletes all but the newest n snapshots.
func (f *SnapshotFiles) Keep(n int) {
	hs := f.Heights()
	for i := 0; i < len(hs)-n; i++ {
		os.RemoveAll(f.path(hs[i]))
	}
}
