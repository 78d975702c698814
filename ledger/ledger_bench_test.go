//go:build unix

package ledger_test

// Throughput of the block pipeline on transfers: executing a block of
// transfers on the committed state (Build) and writing it with its receipts,
// certificate, transaction index and state changes in one batch and one fsync
// (Commit). Signatures are checked before a transaction reaches the ledger
// (mempool admission, sigcache), so the senders are recovered before the timer
// starts; what is measured is what the consensus driver waits for.
//
// Target: 50,000 transfers/s (Build + Commit) into pebble on a 2-core machine.
// Besides tx/s (wall clock) each benchmark reports cpu-µs/tx, the process's
// CPU time per transfer, which a busy neighbour does not distort.
//
//	go test ./ledger -run '^$' -bench 'Transfers|CommitOnly' -benchtime 20x

import (
	"crypto/ecdsa"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

const (
	benchAccounts = 10_000
	benchBlockTxs = 5_000
)

// benchFixture is shared by every benchmark run in the process: the keys,
// the genesis and the signed transactions of each block (signing is far
// slower than executing, and a transfer's bytes depend only on its height).
var benchFixture struct {
	once      sync.Once
	keys      []*ecdsa.PrivateKey
	addrs     []types.Address
	validator *ecdsa.PrivateKey
	genesis   []byte

	mu     sync.Mutex
	blocks [][][]byte // blocks[h-1] = encoded txs of block h
}

func benchSetup() {
	f := &benchFixture
	f.once.Do(func() {
		f.validator = ledgertest.DeterministicKey(1 << 40)
		f.keys = make([]*ecdsa.PrivateKey, benchAccounts)
		f.addrs = make([]types.Address, benchAccounts)
		parallel(benchAccounts, func(i int) {
			f.keys[i] = ledgertest.DeterministicKey(uint64(i))
			f.addrs[i] = types.PubkeyAddress(f.keys[i])
		})
		f.genesis = ledgertest.Genesis(f.validator, f.keys, "1000000")
	})
}

// parallel runs fn(0..n-1) on every CPU.
func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < n; i += workers {
				fn(i)
			}
		}(w)
	}
	wg.Wait()
}

// benchTxs returns freshly decoded transactions of block h as the mempool
// hands them over: admission recovered the sender (sigcache, keyed by the
// transaction hash) and so also hashed each transaction.
func benchTxs(h uint64) []*types.Tx {
	f := &benchFixture
	f.mu.Lock()
	for uint64(len(f.blocks)) < h {
		nh := uint64(len(f.blocks)) + 1
		raws := make([][]byte, benchBlockTxs)
		parallel(benchBlockTxs, func(j int) {
			s, n, to, amt := transferPlan(benchAccounts, benchBlockTxs, nh, j)
			raws[j] = ledgertest.SignTransfer(f.keys[s], n, f.addrs[to], amt).Encode()
		})
		f.blocks = append(f.blocks, raws)
	}
	raws := f.blocks[h-1]
	f.mu.Unlock()
	txs := make([]*types.Tx, len(raws))
	for j, raw := range raws {
		tx, err := types.DecodeTx(raw)
		if err != nil {
			panic(err)
		}
		s, _, _, _ := transferPlan(benchAccounts, benchBlockTxs, h, j)
		tx.SetSender(f.addrs[s], nil)
		tx.Hash()
		txs[j] = tx
	}
	return txs
}

func benchChain(b *testing.B, backend string) *ledgertest.Chain {
	b.Helper()
	benchSetup()
	f := &benchFixture
	l, err := ledger.Open(backend, b.TempDir(), kv.Options{CacheBytes: 64 << 20})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { l.Close() })
	c := &ledgertest.Chain{Ledger: l, App: ledgertest.App{}, Validator: f.validator,
		Keys: f.keys, Genesis: f.genesis, Treasury: ledgertest.Treasury}
	if err := l.InitGenesis(c.Genesis, c.App); err != nil {
		b.Fatal(err)
	}
	return c
}

func template(c *ledgertest.Chain) (ledger.Template, error) {
	last := c.Ledger.Last()
	t := ledger.Template{Time: last.Time + 1000, Proposer: types.PubkeyAddress(c.Validator)}
	if last.Height > 0 {
		cert, err := c.Ledger.Cert(last.Height)
		if err != nil {
			return t, err
		}
		t.LastCert = cert
	}
	return t, nil
}

func build(b testing.TB, c *ledgertest.Chain, txs []*types.Tx) *ledger.Executed {
	return buildWith(b, c, c.App, txs)
}

// buildWith is build with another application than c's.
func buildWith(b testing.TB, c *ledgertest.Chain, app ledger.App, txs []*types.Tx) *ledger.Executed {
	t, err := template(c)
	if err != nil {
		b.Fatal(err)
	}
	x, dropped, err := c.Ledger.Build(t, txs, app)
	if err != nil {
		b.Fatal(err)
	}
	if len(dropped) > 0 {
		b.Fatalf("block %d: %d dropped, first: %v", x.Block.Height(), len(dropped), dropped[0].Err)
	}
	return x
}

// cpuTime is the CPU time (user + system, every thread) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// meter adds CPU time to the benchmark's wall-clock timer. On a shared
// machine tx/s moves with the neighbours' load; cpu-µs/tx hardly does.
type meter struct {
	b          *testing.B
	cpu, start time.Duration
}

func (m *meter) reset()            { m.b.ResetTimer(); m.cpu, m.start = 0, cpuTime() }
func (m *meter) startTimer()       { m.b.StartTimer(); m.start = cpuTime() }
func (m *meter) stopTimer()        { m.cpu += cpuTime() - m.start; m.b.StopTimer() }
func newMeter(b *testing.B) *meter { b.ReportAllocs(); return &meter{b: b} }

func (m *meter) report() {
	m.stopTimer()
	txs := float64(m.b.N * benchBlockTxs)
	m.b.ReportMetric(txs/m.b.Elapsed().Seconds(), "tx/s")
	m.b.ReportMetric(float64(m.cpu.Microseconds())/txs, "cpu-µs/tx")
}

var benchBackends = []string{kv.BackendPebble, kv.BackendBadger}

// BenchmarkCommitTransfers measures Build + Commit, one block per iteration.
func BenchmarkCommitTransfers(b *testing.B) {
	for _, backend := range benchBackends {
		b.Run(backend, func(b *testing.B) {
			c := benchChain(b, backend)
			blocks := make([][]*types.Tx, b.N)
			for i := range blocks {
				blocks[i] = benchTxs(uint64(i + 1))
			}
			m := newMeter(b)
			m.reset()
			for i := 0; i < b.N; i++ {
				x := build(b, c, blocks[i])
				if err := c.Ledger.Commit(x, c.Cert(x.Block)); err != nil {
					b.Fatal(err)
				}
			}
			m.report()
		})
	}
}

// BenchmarkBuildTransfers measures execution alone: the same block built
// again and again on the committed state after a few committed blocks.
func BenchmarkBuildTransfers(b *testing.B) {
	for _, backend := range benchBackends {
		b.Run(backend, func(b *testing.B) {
			c := benchChain(b, backend)
			const warm = 3
			for h := uint64(1); h <= warm; h++ {
				x := build(b, c, benchTxs(h))
				if err := c.Ledger.Commit(x, c.Cert(x.Block)); err != nil {
					b.Fatal(err)
				}
			}
			txs := benchTxs(warm + 1)
			m := newMeter(b)
			m.reset()
			for i := 0; i < b.N; i++ {
				build(b, c, txs)
			}
			m.report()
		})
	}
}

// BenchmarkCommitOnly measures Commit alone (encoding, batch, fsync) of
// blocks built outside the timer.
func BenchmarkCommitOnly(b *testing.B) {
	for _, backend := range benchBackends {
		b.Run(backend, func(b *testing.B) {
			c := benchChain(b, backend)
			blocks := make([][]*types.Tx, b.N)
			for i := range blocks {
				blocks[i] = benchTxs(uint64(i + 1))
			}
			m := newMeter(b)
			m.reset()
			for i := 0; i < b.N; i++ {
				m.stopTimer()
				x := build(b, c, blocks[i])
				cert := c.Cert(x.Block)
				m.startTimer()
				if err := c.Ledger.Commit(x, cert); err != nil {
					b.Fatal(err)
				}
			}
			m.report()
		})
	}
}
