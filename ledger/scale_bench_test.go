//go:build unix

package ledger_test

// Scale with state: the cost of a transfer (Build + Commit) as the number
// of funded accounts grows, with random senders and receivers, so the state
// cache cannot hold the working set once the accounts outnumber it and
// reads go to the database. Besides tx/s and cpu-µs/tx it reports the
// process's resident memory (rss-MiB) after the blocks, the state cache's
// entries (bounded by configuration, not by the number of accounts) and the
// database's size on disk per account (disk-B/acct, after the bulk load and
// the blocks).
//
// The number of accounts comes from ACCORD_SCALE_ACCOUNTS (comma-separated,
// default 10000); the accounts are written straight into the state (as a
// genesis with millions of entries would, without parsing one), and
// transactions carry a placeholder signature with the sender set, as the
// mempool hands them over. ACCORD_SCALE_CACHE sets the state cache's
// entries (default ledger.DefaultStateCacheEntries), ACCORD_SCALE_BLOCKCACHE_MB
// the database's block cache (default 256, a node's default).
//
// ACCORD_SCALE_STATE_DIR keeps each bulk-loaded and compacted database
// (per backend and count) under that directory and starts later runs from
// a copy of it (the immutable sstables hard-linked), so a 10 M run pays the
// load once. ACCORD_SCALE_CPUPROFILE writes a CPU profile of the timed
// blocks alone (the last sub-benchmark's, per run), without the load;
// ACCORD_SCALE_HEAPPROFILE a heap profile after them, with the ledger open.
//
//	ACCORD_SCALE_ACCOUNTS=10000,1000000 go test ./ledger -run '^$' -bench ScaleTransfers -benchtime 20x -timeout 1h

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

const scaleBlockTxs = 5_000

func scaleAccounts(b *testing.B) []int {
	env := os.Getenv("ACCORD_SCALE_ACCOUNTS")
	if env == "" {
		return []int{10_000}
	}
	var out []int
	for _, s := range strings.Split(env, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			b.Fatalf("ACCORD_SCALE_ACCOUNTS: bad count %q", s)
		}
		out = append(out, n)
	}
	return out
}

func scaleAddr(i int) types.Address {
	var a types.Address
	h := types.Keccak(binary.BigEndian.AppendUint64([]byte("accord-scale-"), uint64(i)))
	copy(a[:], h[:])
	return a
}

// batchStore is a write-only state.Store over a kv batch, for bulk loads.
type batchStore struct {
	b   kv.Batch
	key []byte
	err error
}

func (s *batchStore) Set(k, v []byte) {
	s.key = append(append(s.key[:0], ledger.StatePrefix...), k...)
	if err := s.b.Set(s.key, v); err != nil && s.err == nil {
		s.err = err
	}
}
func (*batchStore) Get([]byte) ([]byte, bool)                            { return nil, false }
func (*batchStore) Has([]byte) bool                                      { return false }
func (*batchStore) Delete([]byte)                                        { panic("bulk load deletes") }
func (*batchStore) Iterate([]byte, []byte, bool, func(k, v []byte) bool) {}

// loadAccounts funds accounts 0..n-1 with balance each.
func loadAccounts(b testing.TB, l *ledger.Ledger, n int, balance uint64) {
	b.Helper()
	const per = 20_000 // well below badger's transaction limit
	for from := 0; from < n; from += per {
		st := &batchStore{b: l.DB().NewBatch()}
		for i := from; i < min(from+per, n); i++ {
			ledgertest.SetAccount(st, scaleAddr(i), ledgertest.Account{Balance: balance})
		}
		if st.err != nil {
			b.Fatal(st.err)
		}
		if err := st.b.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// dirBytes is the disk space the files under dir occupy: allocated
// blocks, not apparent sizes (badger and pebble preallocate sparse files).
func dirBytes(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if info, err := d.Info(); err == nil {
				if st, ok := info.Sys().(*syscall.Stat_t); ok {
					n += st.Blocks * 512
				} else {
					n += info.Size()
				}
			}
		}
		return nil
	})
	return n
}

// rssBytes is the process's resident set now (Linux), 0 if unknown, and
// the part of it not backed by files (heap, caches). The rest is pages of
// mapped files, which badger's tables are: the kernel reclaims those under
// pressure like the page cache, so only the anonymous part is memory the
// configuration has to bound.
func rssBytes() (total, anon int64) {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, 0
	}
	f := strings.Fields(string(raw))
	if len(f) < 3 {
		return 0, 0
	}
	resident, _ := strconv.ParseInt(f[1], 10, 64)
	shared, _ := strconv.ParseInt(f[2], 10, 64)
	page := int64(os.Getpagesize())
	return resident * page, (resident - shared) * page
}

// noPrefetch is the test application without ledger.ReadKeyNamer, so the
// ledger reads each account when execution first needs it.
type noPrefetch struct{ ledger.App }

func BenchmarkScaleTransfers(b *testing.B) {
	// ACCORD_SCALE_PREFETCH=off,on runs both (interleaved per count);
	// the default is on alone.
	prefetch := []string{""}
	if s := os.Getenv("ACCORD_SCALE_PREFETCH"); s != "" {
		prefetch = strings.Split(s, ",")
	}
	for _, n := range scaleAccounts(b) {
		for _, backend := range benchBackends {
			for _, pf := range prefetch {
				name := fmt.Sprintf("accounts=%d/%s", n, backend)
				var app ledger.App = ledgertest.App{}
				switch pf {
				case "":
				case "on":
					name += "/prefetch=on"
				case "off":
					name += "/prefetch=off"
					app = noPrefetch{app}
				default:
					b.Fatalf("ACCORD_SCALE_PREFETCH: %q is neither on nor off", pf)
				}
				b.Run(name, func(b *testing.B) { benchScale(b, backend, n, app) })
			}
		}
	}
}

// openScale opens the ledger for benchScale in a fresh directory, with
// genesis and n funded accounts, bulk-loaded and compacted, or copied from
// ACCORD_SCALE_STATE_DIR when an earlier run left one there.
func openScale(b *testing.B, backend string, n int, opts kv.Options, genesis []byte, app ledger.App) (*ledger.Ledger, string) {
	dir := b.TempDir()
	load := func(dir string) {
		l, err := ledger.Open(backend, dir, opts)
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		if err := l.InitGenesis(genesis, app); err != nil {
			b.Fatal(err)
		}
		loadAccounts(b, l, n, scaleBalance)
		// A chain grows its state block by block while compactions keep up; a
		// bulk load leaves the whole backlog to the timed blocks instead.
		if err := kv.Compact(l.DB()); err != nil {
			b.Fatal(err)
		}
	}
	keep := os.Getenv("ACCORD_SCALE_STATE_DIR")
	if keep == "" {
		load(dir)
	} else {
		tmpl := filepath.Join(keep, fmt.Sprintf("%s-%d", backend, n))
		done := filepath.Join(tmpl, "accord-scale-done")
		if _, err := os.Stat(done); err != nil {
			if err := os.RemoveAll(tmpl); err != nil {
				b.Fatal(err)
			}
			load(tmpl)
			if err := os.WriteFile(done, nil, 0o644); err != nil {
				b.Fatal(err)
			}
		}
		copyState(b, tmpl, dir)
	}
	l, err := ledger.Open(backend, dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	if err := l.InitGenesis(genesis, app); err != nil { // checks it is the same
		b.Fatal(err)
	}
	return l, dir
}

// copyState copies a closed database directory: sstables (which neither
// engine ever modifies) as hard links, everything else byte for byte.
func copyState(b *testing.B, from, to string) {
	b.Helper()
	err := filepath.WalkDir(from, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, path)
		dst := filepath.Join(to, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(dst, 0o755)
		case d.Name() == "accord-scale-done":
			return nil
		case strings.HasSuffix(d.Name(), ".sst"):
			return os.Link(path, dst)
		default:
			raw, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(dst, raw, 0o644)
		}
	})
	if err != nil {
		b.Fatal(err)
	}
}

const scaleBalance = 1_000_000 * types.MicroPerUSDT

func benchScale(b *testing.B, backend string, n int, app ledger.App) {
	blockCache := int64(256 << 20) // a node's default, node.DefaultDBCacheMB
	if s := os.Getenv("ACCORD_SCALE_BLOCKCACHE_MB"); s != "" {
		mb, err := strconv.Atoi(s)
		if err != nil || mb <= 0 {
			b.Fatalf("ACCORD_SCALE_BLOCKCACHE_MB=%q", s)
		}
		blockCache = int64(mb) << 20
	}
	validator := ledgertest.DeterministicKey(1 << 40)
	genesis := ledgertest.Genesis(validator, nil, "1")
	l, dir := openScale(b, backend, n, kv.Options{CacheBytes: blockCache, MemTableBytes: kv.LoadMemTableBytes}, genesis, ledgertest.App{})
	defer l.Close()
	if s := os.Getenv("ACCORD_SCALE_CACHE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("ACCORD_SCALE_CACHE=%q", s)
		}
		l.SetStateCacheEntries(n)
	}
	c := &ledgertest.Chain{Ledger: l, Validator: validator, Treasury: ledgertest.Treasury, Genesis: genesis}
	loaded := dirBytes(dir)

	rng := rand.New(rand.NewPCG(uint64(n), 7))
	// A slice, not a map: a map of the senders seen grows with the run (3 M
	// entries after 800 blocks at 10 M accounts, ~100 MiB of the heap) and
	// hid whether the ledger's memory levels off.
	nonces := make([]uint32, n)
	sig := make([]byte, types.SignatureLength)
	nextBlock := func() []*types.Tx {
		txs := make([]*types.Tx, scaleBlockTxs)
		for j := range txs {
			s := rng.IntN(n)
			to := rng.IntN(n - 1)
			if to >= s {
				to++
			}
			binary.BigEndian.PutUint64(sig, rng.Uint64()) // a distinct hash per transaction
			tx := &types.Tx{ChainID: ledgertest.ChainID, Nonce: uint64(nonces[s]), Type: ledgertest.TypeTransfer, Fee: ledgertest.MinFee,
				Payload: ledgertest.TransferPayload(scaleAddr(to), 1), Sig: append([]byte(nil), sig...)}
			nonces[s]++
			tx.SetSender(scaleAddr(s), nil)
			tx.Hash()
			txs[j] = tx
		}
		return txs
	}
	// Warm up: a few blocks so the caches and memtables are in steady state.
	for range 3 {
		x := buildWith(b, c, app, nextBlock())
		if err := l.Commit(x, c.Cert(x.Block)); err != nil {
			b.Fatal(err)
		}
	}
	if path := os.Getenv("ACCORD_SCALE_CPUPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			b.Fatal(err)
		}
		defer pprof.StopCPUProfile()
	}
	m := newMeter(b)
	m.reset()
	for i := 0; i < b.N; i++ {
		// Each block's transactions are made untimed, as the loop reaches
		// it: made all up front they would count in the RSS (1 M
		// transactions are ~0.5 GiB), which must show only the ledger's.
		m.stopTimer()
		txs := nextBlock()
		m.startTimer()
		x := buildWith(b, c, app, txs)
		if err := l.Commit(x, c.Cert(x.Block)); err != nil {
			b.Fatal(err)
		}
	}
	m.stopTimer()
	pprof.StopCPUProfile()
	txs := float64(b.N * scaleBlockTxs)
	b.ReportMetric(txs/b.Elapsed().Seconds(), "tx/s")
	b.ReportMetric(float64(m.cpu.Microseconds())/txs, "cpu-µs/tx")
	rss, anon := rssBytes()
	b.ReportMetric(float64(rss)/(1<<20), "rss-MiB")
	b.ReportMetric(float64(anon)/(1<<20), "rss-anon-MiB")
	// The Go heap's share of it (spans in use, and freed ones the runtime
	// has not returned yet); the rest is the database's own allocations
	// (pebble's cache and memtables are allocated outside the Go heap).
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapSys-ms.HeapReleased)/(1<<20), "go-heap-MiB")
	runtime.GC() // what of it is live, untimed and after the figures above
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "go-live-MiB")
	if path := os.Getenv("ACCORD_SCALE_HEAPPROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		if err := pprof.Lookup("heap").WriteTo(f, 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(l.StateCacheLen()), "cache-entries")
	b.ReportMetric(float64(loaded)/float64(n), "disk-B/acct")
	b.ReportMetric(float64(dirBytes(dir))/float64(n), "disk-after-B/acct")
}
