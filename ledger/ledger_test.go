package ledger_test

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

func openChain(t *testing.T, backend string, nKeys int) (*ledgertest.Chain, string) {
	t.Helper()
	dir := t.TempDir()
	l, err := ledger.Open(backend, dir, kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c, err := ledgertest.New(l, nKeys)
	if err != nil {
		t.Fatal(err)
	}
	return c, dir
}

func addr(c *ledgertest.Chain, i int) types.Address { return types.PubkeyAddress(c.Keys[i]) }

func TestTransfersMoveBalancesAndFeesExactly(t *testing.T) {
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		t.Run(backend, func(t *testing.T) {
			c, _ := openChain(t, backend, 3)
			st := c.Ledger.State()
			start0, start1 := ledgertest.Balance(st, addr(c, 0)), ledgertest.Balance(st, addr(c, 1))
			txs := []*types.Tx{
				ledgertest.SignTransfer(c.Keys[0], 0, addr(c, 1), 1_500000),
				ledgertest.SignTransfer(c.Keys[0], 1, addr(c, 1), 2_000000),
				ledgertest.SignTransfer(c.Keys[0], 3, addr(c, 1), 1),                // gap: dropped
				ledgertest.SignTransfer(c.Keys[1], 0, addr(c, 0), start1+10_000000), // over balance: fails, pays fee
			}
			x, dropped, err := c.Produce(txs)
			if err != nil {
				t.Fatal(err)
			}
			if len(x.Block.Txs) != 3 || len(dropped) != 1 || !errors.Is(dropped[0].Err, ledgertest.ErrBadNonce) {
				t.Fatalf("included %d, dropped %v", len(x.Block.Txs), dropped)
			}
			if x.Receipts[2].Status != types.StatusFailed || x.Receipts[0].Status != types.StatusOK {
				t.Fatalf("receipts: %+v %+v", x.Receipts[0], x.Receipts[2])
			}
			st = c.Ledger.State()
			fee := uint64(ledgertest.MinFee)
			if got, want := ledgertest.Balance(st, addr(c, 0)), start0-3_500000-2*fee; got != want {
				t.Fatalf("sender balance %d, want %d", got, want)
			}
			if got, want := ledgertest.Balance(st, addr(c, 1)), start1+3_500000-fee; got != want {
				t.Fatalf("recipient balance %d, want %d", got, want)
			}
			if got := ledgertest.Balance(st, c.Treasury); got != 3*fee {
				t.Fatalf("treasury %d, want %d", got, 3*fee)
			}
			if n := ledgertest.Get(st, addr(c, 0)).Nonce; n != 2 {
				t.Fatalf("nonce %d, want 2", n)
			}
			if msg, broken := ledgertest.SupplyInvariant(st); broken {
				t.Fatal(msg)
			}
		})
	}
}

func TestValidatorReexecutionAgreesAndRejectsTampering(t *testing.T) {
	proposer, _ := openChain(t, kv.BackendPebble, 4)
	follower, _ := openChain(t, kv.BackendBadger, 4)
	for h := 0; h < 3; h++ {
		var txs []*types.Tx
		for i := 0; i < 4; i++ {
			txs = append(txs, ledgertest.SignTransfer(proposer.Keys[i], uint64(h), addr(proposer, (i+1)%4), uint64(1000*(h+1))))
		}
		x, _, err := proposer.Produce(txs)
		if err != nil {
			t.Fatal(err)
		}
		raw := x.Block.Encode()
		cert, _ := proposer.Ledger.Cert(x.Block.Height())

		tampers := map[string]func(b *types.Block){
			"state root":   func(b *types.Block) { b.Header.StateRoot[0] ^= 1 },
			"receipt root": func(b *types.Block) { b.Header.ReceiptRoot[0] ^= 1 },
			"time":         func(b *types.Block) { b.Header.Time = 0 },
			"proposer":     func(b *types.Block) { b.Header.Proposer[0] ^= 1 },
			"chain":        func(b *types.Block) { b.Header.ChainID = "x" },
		}
		for name, f := range tampers {
			b, _ := types.DecodeBlock(raw)
			f(b)
			if _, err := follower.Ledger.Execute(b, follower.App); !errors.Is(err, ledger.ErrBadBlock) {
				t.Fatalf("height %d, tampered %s: err = %v", h+1, name, err)
			}
		}
		b, _ := types.DecodeBlock(raw)
		fx, err := follower.Ledger.Execute(b, follower.App)
		if err != nil {
			t.Fatalf("height %d: %v", h+1, err)
		}
		if err := follower.Ledger.Commit(fx, cert); err != nil {
			t.Fatal(err)
		}
		if follower.Ledger.Last() != proposer.Ledger.Last() {
			t.Fatalf("height %d: follower %+v, proposer %+v", h+1, follower.Ledger.Last(), proposer.Ledger.Last())
		}
	}
}

func TestReopenKeepsEverything(t *testing.T) {
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			l, err := ledger.Open(backend, dir, kv.Options{})
			if err != nil {
				t.Fatal(err)
			}
			c, err := ledgertest.New(l, 2)
			if err != nil {
				t.Fatal(err)
			}
			tx := ledgertest.SignTransfer(c.Keys[0], 0, addr(c, 1), 42)
			if _, _, err := c.Produce([]*types.Tx{tx}); err != nil {
				t.Fatal(err)
			}
			before := l.Last()
			l.Close()
			l2, err := ledger.Open(backend, dir, kv.Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer l2.Close()
			if l2.Last() != before || l2.ChainID() != ledgertest.ChainID {
				t.Fatalf("after reopen %+v, before %+v", l2.Last(), before)
			}
			if err := l2.InitGenesis(c.Genesis, c.App); err != nil {
				t.Fatalf("same genesis refused: %v", err)
			}
			if err := l2.InitGenesis(ledgertest.Genesis(c.Validator, c.Keys[:1], "1"), c.App); !errors.Is(err, ledger.ErrGenesisChanged) {
				t.Fatalf("changed genesis: %v", err)
			}
			res, err := l2.Tx(tx.Hash())
			if err != nil || res.Height != 1 || res.Receipt.Status != types.StatusOK {
				t.Fatalf("tx lookup: %+v %v", res, err)
			}
			if n := ledgertest.Get(l2.State(), addr(c, 0)).Nonce; n != 1 {
				t.Fatalf("nonce after reopen %d", n)
			}
		})
	}
}

func TestInclusionProofs(t *testing.T) {
	c, _ := openChain(t, kv.BackendMemory, 5)
	var txs []*types.Tx
	for i := 0; i < 5; i++ {
		txs = append(txs, ledgertest.SignTransfer(c.Keys[i], 0, addr(c, 0), 7))
	}
	if _, _, err := c.Produce(txs); err != nil {
		t.Fatal(err)
	}
	for _, tx := range txs {
		p, err := c.Ledger.ProveTx(tx.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if err := p.TxProof.Verify(p.Header.TxRoot, tx.Hash()); err != nil {
			t.Fatal(err)
		}
		if err := p.ReceiptProof.Verify(p.Header.ReceiptRoot, p.Receipt.Hash()); err != nil {
			t.Fatal(err)
		}
		if err := p.ReceiptProof.Verify(p.Header.ReceiptRoot, tx.Hash()); err == nil {
			t.Fatal("receipt proof verified a wrong leaf")
		}
	}
	if _, err := c.Ledger.ProveTx(types.Hash{1}); !errors.Is(err, ledger.ErrNotFound) {
		t.Fatalf("unknown tx: %v", err)
	}
}

func TestCommitRefusesWrongParent(t *testing.T) {
	c, _ := openChain(t, kv.BackendMemory, 1)
	x, _, err := c.Produce(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Ledger.Commit(x, c.Cert(x.Block)); !errors.Is(err, ledger.ErrWrongHeight) {
		t.Fatalf("committing the same block twice: %v", err)
	}
}

// The application, not the node, says which accounts a block changed: the
// senders and recipients of its transfers and the treasury that took the
// fees, and no account it left alone.
func TestExecutedReportsChangedAccounts(t *testing.T) {
	c, _ := openChain(t, kv.BackendPebble, 4)
	x, _, err := c.Produce([]*types.Tx{ledgertest.SignTransfer(c.Keys[0], 0, addr(c, 1), 5)})
	if err != nil {
		t.Fatal(err)
	}
	got := make(map[types.Address]bool)
	for _, a := range x.ChangedAccounts() {
		got[a] = true
	}
	want := map[types.Address]bool{addr(c, 0): true, addr(c, 1): true, c.Treasury: true}
	if len(got) != len(want) {
		t.Fatalf("changed accounts %v, want %v", got, want)
	}
	for a := range want {
		if !got[a] {
			t.Fatalf("changed accounts %v miss %s", got, a.Hex())
		}
	}
	if got[addr(c, 2)] || got[addr(c, 3)] {
		t.Fatalf("untouched account reported: %v", got)
	}
}
