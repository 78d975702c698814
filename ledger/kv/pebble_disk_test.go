//go:build linux

package kv

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// walDiskBytes is the disk (allocated blocks, not apparent size: pebble
// preallocates) held by the write-ahead log files in dir.
func walDiskBytes(t *testing.T, dir string) int64 {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range ents {
		if !strings.HasSuffix(e.Name(), ".log") {
			continue
		}
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Sys().(*syscall.Stat_t).Blocks * 512
	}
	return n
}

// The WAL's preallocation is capped (walprealloc.go), so an idle node spends
// a few MiB of disk on its WAL whatever the memtable size: pebble alone
// reserves 1.1 × the memtable per log, 70 MiB for the load setting.
func TestPebbleWALDiskIsCappedWhateverTheMemTable(t *testing.T) {
	for _, tc := range []struct {
		name     string
		memtable int64
		min, max int64
	}{
		{"small setting", SmallMemTableBytes, 4 << 20, 6 << 20},
		{"default is capped", 0, 4 << 20, 6 << 20},
		{"largest setting is capped", MaxMemTableBytes, 4 << 20, 6 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			db, err := OpenPebble(dir, Options{MemTableBytes: tc.memtable})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			// Synced commits: the WAL is written before each returns. Pebble
			// preallocates a WAL block when a write starts past the
			// previous one, so the second commit triggers it.
			for i := range 2 {
				b := db.NewBatch()
				if err := b.Set([]byte{byte(i)}, make([]byte, 4096)); err != nil {
					t.Fatal(err)
				}
				if err := b.Commit(); err != nil {
					t.Fatal(err)
				}
			}
			got := walDiskBytes(t, dir)
			if got < tc.min || got > tc.max {
				t.Fatalf("WAL holds %d bytes of disk, want %d..%d", got, tc.min, tc.max)
			}
		})
	}
}
