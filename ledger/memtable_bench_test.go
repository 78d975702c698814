//go:build unix

package ledger_test

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

// BenchmarkCommitMemTable is BenchmarkCommitTransfers on pebble at two
// memtable sizes, reporting also the disk the store holds per transfer
// (allocated blocks: the WAL is preallocated). A short run only defers
// flushes and compactions into the large memtable; run enough blocks for
// several flushes of it (5,000 transfers a block, about 2 MB of batch):
//
//	go test ./ledger -run '^$' -bench CommitMemTable -benchtime 150x
func BenchmarkCommitMemTable(b *testing.B) {
	for _, mt := range []int64{kv.SmallMemTableBytes, kv.DefaultMemTableBytes} {
		b.Run(fmt.Sprintf("memtable=%dMiB", mt>>20), func(b *testing.B) {
			benchSetup()
			f := &benchFixture
			dir := b.TempDir()
			l, err := ledger.Open(kv.BackendPebble, dir, kv.Options{CacheBytes: 64 << 20, MemTableBytes: mt})
			if err != nil {
				b.Fatal(err)
			}
			defer l.Close()
			c := &ledgertest.Chain{Ledger: l, App: ledgertest.App{}, Validator: f.validator,
				Keys: f.keys, Genesis: f.genesis, Treasury: ledgertest.Treasury}
			if err := l.InitGenesis(c.Genesis, c.App); err != nil {
				b.Fatal(err)
			}
			blocks := make([][]*types.Tx, b.N)
			for i := range blocks {
				blocks[i] = benchTxs(uint64(i + 1))
			}
			var slowest time.Duration // one Commit, fsync included: a stall shows here
			m := newMeter(b)
			m.reset()
			for i := 0; i < b.N; i++ {
				x := build(b, c, blocks[i])
				cert := c.Cert(x.Block)
				start := time.Now()
				if err := c.Ledger.Commit(x, cert); err != nil {
					b.Fatal(err)
				}
				slowest = max(slowest, time.Since(start))
				blocks[i] = nil
			}
			m.report()
			b.ReportMetric(float64(slowest.Microseconds())/1000, "max-commit-ms")
			b.ReportMetric(float64(diskBytes(b, dir))/float64(b.N*benchBlockTxs), "disk-B/tx")
		})
	}
}

// diskBytes is the disk (allocated blocks) the files under dir hold.
func diskBytes(b *testing.B, dir string) int64 {
	var n int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Stat(p, &st); err != nil {
			return err
		}
		n += st.Blocks * 512
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}
