package arbitration_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

// BenchmarkDisputeOpenResolve: one dispute opened by a party (drawing the
// panel from 7 arbitrators) and decided by two votes, through the router's
// handlers on an in-memory state (not the ledger executor: no signatures,
// nonces or fees). One op is three messages.
func BenchmarkDisputeOpenResolve(b *testing.B) {
	e := newEnv(7)
	acc, mer := c2ctest.Addr("acc"), c2ctest.Addr("mer")
	e.NewAcceptor(acc, c2ctest.AcceptorSpec{Float: 1 << 50, Margin: 1 << 48})
	e.NewMerchant(mer)
	e.Ramp()
	e.SetParam(risk.ModuleName, risk.ParamVelocityMax, 1_000_000)
	e.SetParam(risk.ModuleName, risk.ParamPairMax, 1_000_000)
	e.SetParam(acceptor.ModuleName, acceptor.ParamMaxDailyLimit, 1<<60)
	ids := make([]types.Hash, b.N)
	for i := range ids {
		ref := "bench-" + string(rune('a'+i%26)) + types.Keccak([]byte{byte(i), byte(i >> 8), byte(i >> 16)}).Hex()[2:18]
		if _, err := e.Exec(mer, &order.MsgCreate{Currency: "USD", FiatAmount: 100, MerchantRef: ref}); err != nil {
			b.Fatal(err)
		}
		ids[i] = order.OrderID(mer, ref)
		if _, err := e.Exec(mer, &order.MsgMarkPaid{ID: ids[i], PaymentRef: ids[i]}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := e.Exec(mer, &order.MsgDispute{ID: ids[i]}); err != nil {
			b.Fatal(err)
		}
		id := arbitration.DisputeID(arbitration.KindOrder, ids[i])
		d, err := e.K.GetDispute(e.St, id)
		if err != nil {
			b.Fatal(err)
		}
		for _, a := range d.Panel[:2] {
			if _, err := e.Exec(a, &arbitration.MsgVote{ID: id, Winner: arbitration.SideB, Reason: arbitration.ReasonNoPayment, ToB: d.Escrow}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "disputes/s")
}
