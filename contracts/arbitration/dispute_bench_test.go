package arbitration_test

import (
	"crypto/ecdsa"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
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

// BenchmarkDisputeThroughExecutor: disputes opened and decided as signed
// transactions through ledger.Build and Commit on pebble, with the full
// side-chain application (bank ante, gov, kyc, oracle, acceptor, order,
// risk, pay, channel, arbitration). Each block carries 100 merchants'
// disputes of paid orders (drawing 100 panels from 5 arbitrators); the
// next block carries two agreeing votes per dispute, the second of which
// carries out a 50/50 split. Signing is the clients' work and is not
// timed; signature recovery, execution and the commit are. disputes/s is
// open→resolve, tx/s counts the three transactions of each.
func BenchmarkDisputeThroughExecutor(b *testing.B) {
	const perBlock = 100
	l, err := ledger.Open(kv.BackendPebble, b.TempDir(), kv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := c2ctest.NewChain(l, c2ctest.ChainSpec{Acceptors: 4, Merchants: perBlock + 5})
	if err != nil {
		b.Fatal(err)
	}
	c.NoBlockInvariants = true
	merchants, arbKeys := c.Merchants[:perBlock], c.Merchants[perBlock:]
	// The validator is gov's admin: fund its fee, then grant the role and
	// lift the per-merchant and per-acceptor limits a benchmark exceeds.
	val := types.PubkeyAddress(c.Validator)
	if _, err := c.ProduceOK([]*types.Tx{c.Sign(merchants[0], &testkit.Transfer{To: val, Amount: 10 * types.MicroPerUSDT})}); err != nil {
		b.Fatal(err)
	}
	acts := []gov.Action{
		gov.SetUint64ParamAction(risk.ModuleName, risk.ParamVelocityMax, 1_000_000),
		gov.SetUint64ParamAction(risk.ModuleName, risk.ParamPairMax, 1_000_000),
		gov.SetUint64ParamAction(acceptor.ModuleName, acceptor.ParamMaxDailyLimit, 1<<60),
	}
	for _, k := range arbKeys {
		acts = append(acts, gov.GrantRoleAction(types.PubkeyAddress(k), gov.RoleArbitrator))
	}
	if _, err := c.ProduceOK([]*types.Tx{c.Sign(c.Validator, &gov.MsgPropose{Actions: acts})}); err != nil {
		b.Fatal(err)
	}
	// Orders: one per merchant per round, created and paid before timing.
	rounds := (b.N + perBlock - 1) / perBlock
	ids := make([][]types.Hash, rounds)
	for r := range ids {
		var creates, paid []*types.Tx
		for i, m := range merchants {
			ref := fmt.Sprintf("bench-%d", r)
			id := order.OrderID(types.PubkeyAddress(m), ref)
			ids[r] = append(ids[r], id)
			creates = append(creates, c.Sign(m, &order.MsgCreate{Currency: "USD", FiatAmount: 100 + uint64(i), MerchantRef: ref}))
			paid = append(paid, c.Sign(m, &order.MsgMarkPaid{ID: id, PaymentRef: id}))
		}
		if _, err := c.ProduceOK(creates); err != nil {
			b.Fatal(err)
		}
		if _, err := c.ProduceOK(paid); err != nil {
			b.Fatal(err)
		}
	}
	disputes := make([][]*types.Tx, rounds)
	for r := range disputes {
		for i, m := range merchants {
			disputes[r] = append(disputes[r], c.Sign(m, &order.MsgDispute{ID: ids[r][i]}))
		}
	}
	keyOf := map[types.Address]*ecdsa.PrivateKey{}
	for _, k := range arbKeys {
		keyOf[types.PubkeyAddress(k)] = k
	}
	resolved := 0
	b.ResetTimer()
	cpu0 := cpuTime()
	for r := 0; r < rounds; r++ {
		x, err := c.ProduceOK(disputes[r])
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var votes []*types.Tx
		for _, rc := range x.Receipts {
			for _, ev := range rc.Events {
				if ev.Type != arbitration.EventOpened {
					continue
				}
				id, _ := types.ParseHash(ev.Get("id"))
				escrow, _ := strconv.ParseUint(ev.Get("escrow"), 10, 64)
				panel := strings.Split(ev.Get("panel"), ",")
				for _, p := range panel[:2] {
					a, _ := types.ParseAddress(p)
					votes = append(votes, c.Sign(keyOf[a], &arbitration.MsgVote{ID: id, Winner: arbitration.SideA,
						Reason: arbitration.ReasonOther, ToA: escrow / 2, ToB: escrow - escrow/2}))
				}
			}
		}
		b.StartTimer()
		x, err = c.ProduceOK(votes)
		if err != nil {
			b.Fatal(err)
		}
		for _, rc := range x.Receipts {
			for _, ev := range rc.Events {
				if ev.Type == arbitration.EventResolved {
					resolved++
				}
			}
		}
	}
	b.StopTimer()
	cpu := cpuTime() - cpu0 // includes the untimed vote signing: errs low
	if resolved != rounds*perBlock {
		b.Fatalf("%d of %d disputes resolved", resolved, rounds*perBlock)
	}
	if msg := c2ctest.Invariants(c.Keepers, l.ReadState()); msg != "" {
		b.Fatal(msg)
	}
	sec := b.Elapsed().Seconds()
	b.ReportMetric(float64(resolved)/sec, "disputes/s")
	b.ReportMetric(float64(3*resolved)/sec, "tx/s")
	if cpu > 0 {
		b.ReportMetric(float64(resolved)/cpu.Seconds(), "disputes/cpu-s")
	}
}
