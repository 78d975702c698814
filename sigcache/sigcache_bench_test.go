package sigcache

import (
	"crypto/ecdsa"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// presign returns n distinct decoded transactions, signed on all cores.
func presign(b *testing.B, n int) []*types.Tx {
	b.Helper()
	keys := make([]*ecdsa.PrivateKey, 64)
	for i := range keys {
		keys[i], _ = crypto.GenerateKey()
	}
	txs := make([]*types.Tx, n)
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Go(func() {
			for i := w; i < n; i += workers {
				tx, err := types.SignTx(&types.Tx{ChainID: "bench", Nonce: uint64(i), Type: 1, Payload: make([]byte, 60), Fee: 1000}, keys[i%len(keys)])
				if err != nil {
					panic(err)
				}
				dec, err := types.DecodeTx(tx.Encode())
				if err != nil {
					panic(err)
				}
				txs[i] = dec
			}
		})
	}
	wg.Wait()
	return txs
}

// BenchmarkSenderHit is the second sighting of a transaction (block
// validation after gossip): a lookup, no recovery, no allocation.
func BenchmarkSenderHit(b *testing.B) {
	txs := presign(b, 1024)
	c := New(4096)
	for _, tx := range txs {
		if _, err := c.Sender(tx); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, err := c.Sender(txs[i&1023]); err != nil {
				b.Fatal(err)
			}
			i++
		}
	})
}

// BenchmarkRecoverAll verifies blocks of 1000 unseen transactions on all
// cores; one op is one transaction. It is bounded by secp256k1 recovery.
func BenchmarkRecoverAll(b *testing.B) {
	const block = 1000
	distinct := min(max(b.N, block), 20*block)
	txs := presign(b, distinct)
	raws := make([][]byte, len(txs))
	for i, tx := range txs {
		raws[i] = tx.Encode()
	}
	b.ReportAllocs()
	b.ResetTimer()
	var cpu time.Duration
	for done := 0; done < b.N; done += block {
		n := min(block, b.N-done)
		b.StopTimer()
		c := New(2 * block) // a fresh cache and fresh decodes: every tx is a miss
		batch := make([]*types.Tx, n)
		for i := range batch {
			batch[i], _ = types.DecodeTx(raws[(done+i)%len(raws)])
		}
		b.StartTimer()
		start := cpuTime()
		errs := c.RecoverAll(batch, 0)
		cpu += cpuTime() - start
		for i, err := range errs {
			if err != nil {
				b.Fatalf("tx %d: %v", i, err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/tx")
}

// BenchmarkRecoverBaseline is bare types.RecoverAddress on all cores with no
// cache or bookkeeping: the ceiling any admission path can reach.
func BenchmarkRecoverBaseline(b *testing.B) {
	key, _ := crypto.GenerateKey()
	h := types.Keccak([]byte("digest"))
	sig, _ := types.SignDigest(h, key)
	b.ResetTimer()
	cpu := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := types.RecoverAddress(h, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
	b.ReportMetric(float64(cpu.Microseconds())/float64(b.N), "cpu-µs/tx")
}

// cpuTime is the process's user+system CPU time. On a shared machine CPU
// per operation is steadier than wall-clock throughput.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
