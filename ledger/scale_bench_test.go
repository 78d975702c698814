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
// the database's block cache (default 64).
//
//	ACCORD_SCALE_ACCOUNTS=10000,1000000 go test ./ledger -run '^$' -bench ScaleTransfers -benchtime 20x -timeout 1h

import (
	"encoding/binary"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
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

// rssBytes is the process's resident set now (Linux), 0 if unknown.
func rssBytes() int64 {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(raw))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

func BenchmarkScaleTransfers(b *testing.B) {
	for _, n := range scaleAccounts(b) {
		for _, backend := range benchBackends {
			b.Run(fmt.Sprintf("accounts=%d/%s", n, backend), func(b *testing.B) {
				benchScale(b, backend, n)
			})
		}
	}
}

func benchScale(b *testing.B, backend string, n int) {
	dir := b.TempDir()
	blockCache := int64(64 << 20)
	if s := os.Getenv("ACCORD_SCALE_BLOCKCACHE_MB"); s != "" {
		mb, err := strconv.Atoi(s)
		if err != nil || mb <= 0 {
			b.Fatalf("ACCORD_SCALE_BLOCKCACHE_MB=%q", s)
		}
		blockCache = int64(mb) << 20
	}
	l, err := ledger.Open(backend, dir, kv.Options{CacheBytes: blockCache, MemTableBytes: kv.LoadMemTableBytes})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	if s := os.Getenv("ACCORD_SCALE_CACHE"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			b.Fatalf("ACCORD_SCALE_CACHE=%q", s)
		}
		l.SetStateCacheEntries(n)
	}
	c := &ledgertest.Chain{Ledger: l, App: ledgertest.App{}, Validator: ledgertest.DeterministicKey(1 << 40), Treasury: ledgertest.Treasury}
	c.Genesis = ledgertest.Genesis(c.Validator, nil, "1")
	if err := l.InitGenesis(c.Genesis, c.App); err != nil {
		b.Fatal(err)
	}
	const balance = 1_000_000 * types.MicroPerUSDT
	loadAccounts(b, l, n, balance)
	// A chain grows its state block by block while compactions keep up; a
	// bulk load leaves the whole backlog to the timed blocks instead.
	if err := kv.Compact(l.DB()); err != nil {
		b.Fatal(err)
	}
	loaded := dirBytes(dir)

	rng := rand.New(rand.NewPCG(uint64(n), 7))
	nonces := make(map[int]uint64)
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
			tx := &types.Tx{ChainID: ledgertest.ChainID, Nonce: nonces[s], Type: ledgertest.TypeTransfer, Fee: ledgertest.MinFee,
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
		x := build(b, c, nextBlock())
		if err := l.Commit(x, c.Cert(x.Block)); err != nil {
			b.Fatal(err)
		}
	}
	blocks := make([][]*types.Tx, b.N)
	for i := range blocks {
		blocks[i] = nextBlock()
	}
	m := newMeter(b)
	m.reset()
	for i := 0; i < b.N; i++ {
		x := build(b, c, blocks[i])
		if err := l.Commit(x, c.Cert(x.Block)); err != nil {
			b.Fatal(err)
		}
	}
	m.stopTimer()
	txs := float64(b.N * scaleBlockTxs)
	b.ReportMetric(txs/b.Elapsed().Seconds(), "tx/s")
	b.ReportMetric(float64(m.cpu.Microseconds())/txs, "cpu-µs/tx")
	b.ReportMetric(float64(rssBytes())/(1<<20), "rss-MiB")
	b.ReportMetric(float64(l.StateCacheLen()), "cache-entries")
	b.ReportMetric(float64(loaded)/float64(n), "disk-B/acct")
	b.ReportMetric(float64(dirBytes(dir))/float64(n), "disk-after-B/acct")
}
