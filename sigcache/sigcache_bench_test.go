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
// cores; it is bounded by secp256k1 recovery.
func BenchmarkRecoverAll(b *testing.B) {
	const block = 1000
	txs := presign(b, b.N*block/100+block) // reuse sets of txs: fresh copies below defeat both caches
	raws := make([][]byte, len(txs))
	for i, tx := range txs {
		raws[i] = tx.Encode()
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	total := 0
	for n := 0; n < b.N; n++ {
		b.StopTimer()
		c := New(block)
		batch := make([]*types.Tx, block)
		for i := range batch {
			batch[i], _ = types.DecodeTx(raws[(n*block+i)%len(raws)])
		}
		b.StartTimer()
		for i, err := range c.RecoverAll(batch, 0) {
			if err != nil {
				b.Fatalf("tx %d: %v", i, err)
			}
		}
		total += block
	}
	b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "tx/s")
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(total), "cpu-µs/tx")
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
