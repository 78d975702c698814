package report

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/internal/parallel"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

const memBlockTxs = 500

// transferStore commits n transfers (one bank.transfer event each) in
// blocks of memBlockTxs into a pebble store under dir/data/ledger, with a
// node config beside it (defaults but the backend) so `accord report
// --home dir` reads it too. (The layout is node.Home's, spelt out here:
// node imports this package.)
// Transfers are signed (blocks keep signatures) but their senders are
// set, not recovered: the ledger trusts admission for signatures.
func transferStore(t testing.TB, dir string, n int) {
	t.Helper()
	l, err := ledger.Open(kv.BackendPebble, ledgerDir(dir), kv.Options{NoSync: true, MemTableBytes: 64 << 20})
	if err != nil {
		t.Fatal(err)
	}
	const keys = 1000
	c, err := banktest.New(l, keys)
	if err != nil {
		t.Fatal(err)
	}
	addrs := make([]types.Address, keys)
	for i, k := range c.Keys {
		addrs[i] = types.PubkeyAddress(k)
	}
	for done := 0; done < n; {
		size := min(memBlockTxs, n-done)
		txs := make([]*types.Tx, size)
		parallel.ForEach(size, 0, func(j int) {
			k := done + j
			from, to := k%keys, (k+1+k/keys)%keys
			if to == from {
				to = (to + 1) % keys
			}
			tx := banktest.Transfer(c.Keys[from], uint64(k/keys), addrs[to], uint64(1+k%5000))
			tx.SetSender(addrs[from], nil)
			txs[j] = tx
		})
		_, dropped, err := c.Produce(txs)
		if err != nil {
			t.Fatal(err)
		}
		if len(dropped) > 0 {
			t.Fatalf("%d transfers dropped, first: %v", len(dropped), dropped[0].Err)
		}
		done += size
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "config"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config", "config.json"), []byte(`{"db": "pebble"}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ledgerDir(home string) string { return filepath.Join(home, "data", "ledger") }

var heapSample = []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}

func liveHeap() uint64 {
	metrics.Read(heapSample)
	return heapSample[0].Value.Uint64()
}

// reportPeakHeap runs a large-tx CSV report over the whole store at dir
// into io.Discard and returns the peak live heap above the heap before
// it, sampled every 256 rows and after every block.
func reportPeakHeap(t testing.TB, dir string) (peak uint64, st Stats, took time.Duration) {
	t.Helper()
	l, err := ledger.Open(kv.BackendPebble, ledgerDir(dir), kv.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	runtime.GC()
	base := liveHeap()
	w, err := NewWriter(io.Discard, CSV, LargeTx)
	if err != nil {
		t.Fatal(err)
	}
	sample := func() {
		if h := liveHeap(); h > base && h-base > peak {
			peak = h - base
		}
	}
	var rows int
	start := time.Now()
	st, err = Run(context.Background(), l, Query{Kind: LargeTx, To: ^uint64(0)}, func(r Row) error {
		if rows++; rows%256 == 0 {
			sample()
		}
		return w.Write(r)
	}, func(uint64, uint64, uint64, int64) { sample() }, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return peak, st, time.Since(start)
}

// TestReportMemoryIsFlat reports 1,000 and then ACCORD_REPORT_EVENTS
// (default 20,000) transfer events and holds the larger report's peak
// heap to the smaller one's plus one block's worth: a report holds one
// block at a time, so its memory must not follow the range.
// ACCORD_REPORT_EVENTS=1000000 is the measurement in the README;
// ACCORD_REPORT_KEEP=DIR keeps the large store (a home for `accord report`).
func TestReportMemoryIsFlat(t *testing.T) {
	large := 20_000
	if s := os.Getenv("ACCORD_REPORT_EVENTS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil || v < 1000 {
			t.Fatalf("ACCORD_REPORT_EVENTS=%q: want an integer of at least 1000", s)
		}
		large = v
	}
	small := t.TempDir()
	transferStore(t, small, 1000)
	bigDir := os.Getenv("ACCORD_REPORT_KEEP")
	if bigDir == "" {
		bigDir = t.TempDir()
	}
	t0 := time.Now()
	transferStore(t, bigDir, large)
	t.Logf("built a store of %d transfers in %v", large, time.Since(t0).Round(time.Millisecond))

	ps, sts, ds := reportPeakHeap(t, small)
	pl, stl, dl := reportPeakHeap(t, bigDir)
	t.Logf("%7d events: %d rows, peak heap +%.1f MiB, %v", sts.Events, sts.Rows, float64(ps)/(1<<20), ds.Round(time.Millisecond))
	t.Logf("%7d events: %d rows, peak heap +%.1f MiB, %v (%.0f rows/s)", stl.Events, stl.Rows, float64(pl)/(1<<20), dl.Round(time.Millisecond), float64(stl.Rows)/dl.Seconds())
	if sts.Rows != 1000 || stl.Rows != int64(large) {
		t.Fatalf("rows %d and %d, want 1000 and %d", sts.Rows, stl.Rows, large)
	}
	// One block of 5,000 receipts decoded is a few MiB; the ranges differ
	// by 50x to 1000x.
	const slack = 16 << 20
	if pl > ps+slack {
		t.Fatalf("peak heap +%d B over %d events, +%d B over 1000: memory follows the range", pl, large, ps)
	}
}
