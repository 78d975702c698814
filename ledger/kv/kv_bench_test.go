package kv_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/accordnet/accord/ledger/kv"
)

// Reference numbers live in the package report; these benchmarks are how to
// reproduce them:
//
//	go test -run '^$' -bench . -benchtime 20x ./ledger/kv/

func benchKey(dst []byte, i int) []byte {
	return binary.BigEndian.AppendUint64(append(dst[:0], "acct/"...), uint64(i))
}

// BenchmarkBatchCommit10kSync commits batches of 10,000 writes of 64-byte
// values, fsync'd, as one block's state changes would be.
func BenchmarkBatchCommit10kSync(b *testing.B) {
	const perBatch = 10_000
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		b.Run(backend, func(b *testing.B) {
			db, err := kv.Open(backend, b.TempDir(), kv.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			val := make([]byte, 64)
			var k []byte
			n := 0
			b.SetBytes(perBatch * 64)
			b.ResetTimer()
			for b.Loop() {
				batch := db.NewBatch()
				for range perBatch {
					k = benchKey(k, n)
					binary.BigEndian.PutUint64(val, uint64(n))
					if err := batch.Set(k, val); err != nil {
						b.Fatal(err)
					}
					n++
				}
				if err := batch.Commit(); err != nil {
					b.Fatal(err)
				}
				batch.Close()
			}
			b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "writes/s")
		})
	}
}

// BenchmarkGet reads random keys out of 100,000 present ones (about 8 MB),
// with the default 8 MiB block cache (pebble then misses and decompresses
// blocks) and with a cache that holds them all. Badger's 32 MiB memtable
// still holds every key, so its numbers are memtable lookups either way.
func BenchmarkGet(b *testing.B) {
	const keys = 100_000
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger, kv.BackendMemory} {
		for _, cache := range []int64{0, 64 << 20} {
			name := backend + "/cache=8MiB"
			if cache != 0 {
				name = backend + "/cache=64MiB"
			}
			b.Run(name, func(b *testing.B) { benchGet(b, backend, cache, keys) })
		}
	}
}

func benchGet(b *testing.B, backend string, cache int64, keys int) {
	db, err := kv.Open(backend, b.TempDir(), kv.Options{NoSync: true, CacheBytes: cache})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	val := make([]byte, 64)
	var k []byte
	for start := 0; start < keys; start += 10_000 {
		batch := db.NewBatch()
		for i := start; i < start+10_000; i++ {
			binary.BigEndian.PutUint64(val, uint64(i))
			if err := batch.Set(benchKey(k, i), val); err != nil {
				b.Fatal(err)
			}
		}
		if err := batch.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	b.ResetTimer()
	for b.Loop() {
		k = benchKey(k, rng.IntN(keys))
		if _, err := db.Get(k); err != nil {
			b.Fatal(err)
		}
	}
}
