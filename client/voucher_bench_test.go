package client

import (
	"crypto/ecdsa"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// BenchmarkVoucherAccept is a payee server's hot path through the client
// API: VoucherReceiver.Accept of 0.01 USDT vouchers (signature recovery
// plus the book-keeping) on one goroutine. vouchers/s is per core.
func BenchmarkVoucherAccept(b *testing.B) {
	iss, r, _ := trackedBook(b, 1<<62)
	vs := make([]*channel.Voucher, 4096)
	for i := range vs {
		var err error
		if vs[i], err = iss.Pay(10_000); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := cpuTime()
	for i := 0; i < b.N; i++ {
		if i%len(vs) == 0 && i > 0 {
			b.StopTimer()
			iss, r, _ = trackedBook(b, 1<<62)
			for j := range vs {
				vs[j], _ = iss.Pay(10_000)
			}
			b.StartTimer()
		}
		if _, err := r.Accept(vs[i%len(vs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "vouchers/s")
	reportPerCPU(b, b.N, cpuTime()-cpu0)
}

// BenchmarkVoucherVerifyParallel verifies vouchers on every core
// (GOMAXPROCS goroutines), as a payee server checks the vouchers of many
// clients at once; vouchers/s is the total, divide by -cpu for per core.
func BenchmarkVoucherVerifyParallel(b *testing.B) {
	iss, _, _ := trackedBook(b, 1<<62)
	payer := iss.key.PublicKey
	vs := make([]*channel.Voucher, 256)
	for i := range vs {
		vs[i], _ = iss.Pay(10_000)
	}
	from := pubAddr(&payer)
	b.ResetTimer()
	cpu0 := cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if err := vs[i%len(vs)].Verify("voucher-test", from); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "vouchers/s")
	reportPerCPU(b, b.N, cpuTime()-cpu0)
}

// reportPerCPU reports n per CPU-second of the process (which includes
// the benchmark's own set-up paused with StopTimer, and the runtime's
// background work, so it errs low), when the platform measures it.
func reportPerCPU(b *testing.B, n int, cpu time.Duration) {
	if cpu > 0 {
		b.ReportMetric(float64(n)/cpu.Seconds(), "vouchers/cpu-s")
	}
}

func pubAddr(k *ecdsa.PublicKey) types.Address { return types.Address(crypto.PubkeyToAddress(*k)) }
