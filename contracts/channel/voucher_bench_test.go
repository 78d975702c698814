package channel_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
)

// BenchmarkVoucherVerify measures one core verifying vouchers (digest and
// secp256k1 recovery): the payee server's hot path. vouchers/s is per core.
func BenchmarkVoucherVerify(b *testing.B) {
	k, payer := key(1)
	id := channel.ChannelID(payer, 1)
	vs := make([]*channel.Voucher, 256)
	for i := range vs {
		vs[i] = voucher(b, k, id, uint64(i+1)*10_000, uint64(i+1))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := vs[i%len(vs)].Verify(c2ctest.ChainID, payer); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "vouchers/s")
}

// BenchmarkReceiverAccept is Receiver.Accept on one core with increasing
// vouchers: verification plus the book-keeping.
func BenchmarkReceiverAccept(b *testing.B) {
	k, payer := key(1)
	id := channel.ChannelID(payer, 1)
	vs := make([]*channel.Voucher, 4096)
	for i := range vs {
		vs[i] = voucher(b, k, id, uint64(i+1)*10_000, uint64(i+1))
	}
	r := channel.NewReceiver(c2ctest.ChainID)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if i%len(vs) == 0 {
			b.StopTimer()
			r = channel.NewReceiver(c2ctest.ChainID)
			r.Track(&channel.Channel{ID: id, Payer: payer, Deposit: 1 << 62})
			b.StartTimer()
		}
		if _, err := r.Accept(vs[i%len(vs)]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "vouchers/s")
}
