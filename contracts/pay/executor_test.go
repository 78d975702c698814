package pay_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// TestThroughExecutor: as signed transactions through ledger.Build and
// Commit, one payment is released by a delivery attestation the payee
// submits, another is reclaimed by its payer after the deadline; every
// balance exact to the micro-USDT, fees included.
func TestThroughExecutor(t *testing.T) {
	l, err := ledger.Open(kv.BackendPebble, t.TempDir(), kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := banktest.New(l, 3)
	if err != nil {
		t.Fatal(err)
	}
	k := pay.NewKeeper(pay.Deps{Bank: bank.Keeper{}, Params: gov.Keeper{}})
	b := bank.Module{Blocked: []types.Address{pay.EscrowAddress}}
	c.Router, err = core.NewRouter(banktest.ChainID, []core.Ante{b.Ante}, b, pay.NewModule(k))
	if err != nil {
		t.Fatal(err)
	}
	payerKey, payeeKey, carrierKey := c.Keys[0], c.Keys[1], c.Keys[2]
	payer, payee := types.PubkeyAddress(payerKey), types.PubkeyAddress(payeeKey)
	sign := testkit.NewSigner(t).Sign
	produce := func(txs ...*types.Tx) {
		t.Helper()
		x, dropped, err := c.Produce(txs)
		if err != nil || len(dropped) > 0 {
			t.Fatalf("produce: %v, dropped %v", err, dropped)
		}
		for _, rc := range x.Receipts {
			if rc.Status != types.StatusOK {
				t.Fatalf("receipt: %s", rc.Error)
			}
		}
	}
	var bk bank.Keeper
	st0 := l.State()
	payer0, payee0 := bk.Balance(st0, payer), bk.Balance(st0, payee)
	delivered, reclaimed := k.NextID(st0, payer), pay.PaymentID(payer, 2)
	now := l.Last().Time
	carrier := types.PubkeyAddress(carrierKey)
	produce(sign(payerKey, &pay.MsgLock{Payee: payee, Attester: carrier, Amount: 25*usdt + 1, Deadline: now + 3600*1000}),
		sign(payerKey, &pay.MsgLock{Payee: payee, Attester: carrier, Amount: 7 * usdt, Deadline: now + 1500}))
	att, err := pay.SignAttestation(banktest.ChainID, delivered, pay.OutcomeDelivered, carrierKey)
	if err != nil {
		t.Fatal(err)
	}
	produce(sign(payeeKey, &pay.MsgAttest{Attestation: *att}), sign(payerKey, &pay.MsgRefund{ID: reclaimed}))
	st := l.State()
	fee := uint64(banktest.MinFee)
	if got, want := bk.Balance(st, payer), payer0-25*usdt-1-3*fee; got != want {
		t.Fatalf("payer %d, want %d", got, want)
	}
	if got, want := bk.Balance(st, payee), payee0+25*usdt+1-fee; got != want {
		t.Fatalf("payee %d, want %d", got, want)
	}
	for id, want := range map[types.Hash]pay.State{delivered: pay.StateReleased, reclaimed: pay.StateRefunded} {
		if p, _ := k.GetPayment(st, id); p.State != want {
			t.Fatalf("payment %s: %s, want %s", id.Hex(), p.State, want)
		}
	}
	if bk.Balance(st, pay.EscrowAddress) != 0 {
		t.Fatal("escrow not empty")
	}
	if msg, broken := k.EscrowInvariant(st); broken {
		t.Fatal(msg)
	}
}
