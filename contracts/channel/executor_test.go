package channel_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

func executorRouter() (*core.Router, channel.Keeper) {
	k := channel.NewKeeper(channel.Deps{Bank: bank.Keeper{}, Params: gov.Keeper{}})
	b := bank.Module{Blocked: []types.Address{channel.EscrowAddress}}
	r, err := core.NewRouter(banktest.ChainID, []core.Ante{b.Ante}, b, channel.NewModule(k))
	if err != nil {
		panic(err)
	}
	return r, k
}

// TestThroughExecutor is the channel example as signed
// transactions through ledger.Build and Commit: a channel of 10 USDT, 1 000
// vouchers of 0.01 USDT issued off-chain and verified by the payee's
// Receiver, redeemed in 3 transactions, then settled; every balance exact
// to the micro-USDT, fees included. A second ledger replays the blocks as
// a validator and must reach the same app hash.
func TestThroughExecutor(t *testing.T) {
	l, err := ledger.Open(kv.BackendPebble, t.TempDir(), kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := banktest.New(l, 2)
	if err != nil {
		t.Fatal(err)
	}
	router, k := executorRouter()
	c.Router = router
	payerKey, payeeKey := c.Keys[0], c.Keys[1]
	payer, payee := types.PubkeyAddress(payerKey), types.PubkeyAddress(payeeKey)
	sign := testkit.NewSigner(t).Sign
	produce := func(txs ...*types.Tx) *ledger.Executed {
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
		return x
	}
	var bk bank.Keeper
	start := l.State()
	payerStart, payeeStart := bk.Balance(start, payer), bk.Balance(start, payee)
	id := k.NextID(start, payer)
	last := l.Last()
	produce(sign(payerKey, &channel.MsgOpen{Payee: payee, Deposit: 10 * usdt, Expiry: last.Time + 24*3600*1000}))
	ch, err := k.GetChannel(l.State(), id)
	if err != nil {
		t.Fatal(err)
	}
	rcv := channel.NewReceiver(banktest.ChainID)
	rcv.Track(ch)
	var redeem []*channel.Voucher
	for i := uint64(1); i <= 1000; i++ {
		v, err := channel.SignVoucher(banktest.ChainID, id, i*10_000, i, payerKey)
		if err != nil {
			t.Fatal(err)
		}
		if d, err := rcv.Accept(v); err != nil || d != 10_000 {
			t.Fatalf("voucher %d: %d %v", i, d, err)
		}
		if i == 250 || i == 600 || i == 1000 {
			redeem = append(redeem, v)
		}
	}
	for _, v := range redeem {
		produce(sign(payeeKey, &channel.MsgRedeem{Voucher: *v}))
	}
	produce(sign(payeeKey, &channel.MsgSettle{ID: id}))
	st := l.State()
	fees := uint64(banktest.MinFee)
	if got, want := bk.Balance(st, payer), payerStart-10*usdt-fees; got != want {
		t.Fatalf("payer %d, want %d", got, want)
	}
	if got, want := bk.Balance(st, payee), payeeStart+10*usdt-4*fees; got != want {
		t.Fatalf("payee %d, want %d", got, want)
	}
	if b := bk.Balance(st, channel.EscrowAddress); b != 0 {
		t.Fatalf("escrow keeps %d", b)
	}
	if msg, broken := k.EscrowInvariant(st); broken {
		t.Fatal(msg)
	}

	l2, err := ledger.Open(kv.BackendBadger, t.TempDir(), kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	app, _ := executorRouter()
	if err := l2.InitGenesis(c.Genesis, app); err != nil {
		t.Fatal(err)
	}
	for h := uint64(1); h <= l.Last().Height; h++ {
		b, err := l.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		x, err := l2.Execute(b, app)
		if err != nil {
			t.Fatalf("replay block %d: %v", h, err)
		}
		cert, err := l.Cert(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := l2.Commit(x, cert); err != nil {
			t.Fatal(err)
		}
	}
	if l2.Last().AppHash != l.Last().AppHash {
		t.Fatal("replayed chain has another app hash")
	}
}
