package ledger_test

import (
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

// plainApp hides ledgertest.App's ReadKeys: nothing is prefetched.
type plainApp struct{ ledgertest.App }

// wrongKeys names keys no transaction reads and leaves out the ones they do.
type wrongKeys struct{ ledgertest.App }

func (wrongKeys) ReadKeys(tx *types.Tx, add func([]byte)) {
	add([]byte("acct/nobody-reads-this"))
	add(tx.Payload)
}

// TestPrefetchDoesNotChangeBlocks builds the same blocks with the read keys
// prefetched, not prefetched and named wrongly: headers, receipts, dropped
// transactions and the state after each block must be the same, and each
// ledger must accept the others' blocks.
func TestPrefetchDoesNotChangeBlocks(t *testing.T) {
	apps := []struct {
		name string
		app  ledger.App
	}{
		{"prefetch", ledgertest.App{}},
		{"plain", plainApp{}},
		{"wrong-keys", wrongKeys{}},
	}
	chains := make([]*ledgertest.Chain, len(apps))
	for i := range apps {
		chains[i], _ = openChain(t, "pebble", 6)
	}
	ref := chains[0]
	fresh := func(i int) types.Address { return types.Address{0xfe, byte(i >> 8), byte(i)} }
	nonces := make([]uint64, len(ref.Keys))
	for h := 1; h <= 3; h++ {
		var txs []*types.Tx
		for j := range 150 {
			k := j % len(ref.Keys)
			to := addr(ref, (j+1)%len(ref.Keys))
			amount := uint64(1)
			switch j % 7 {
			case 3:
				to = fresh(h*1000 + j) // an account that does not exist yet
			case 5:
				amount = 1 << 62 // more than the balance: a failed receipt
			}
			nonce := nonces[k]
			if j%11 == 10 {
				nonce += 5 // a gap: dropped
			} else {
				nonces[k]++
			}
			txs = append(txs, ledgertest.SignTransfer(ref.Keys[k], nonce, to, amount))
		}
		var want *ledger.Executed
		for i, a := range apps {
			c := chains[i]
			last := c.Ledger.Last()
			tmpl := ledger.Template{Time: last.Time + 1000, Proposer: types.PubkeyAddress(c.Validator)}
			if last.Height > 0 {
				cert, err := c.Ledger.Cert(last.Height)
				if err != nil {
					t.Fatal(err)
				}
				tmpl.LastCert = cert
			}
			x, dropped, err := c.Ledger.Build(tmpl, txs, a.app)
			if err != nil {
				t.Fatalf("%s: block %d: %v", a.name, h, err)
			}
			if len(dropped) != len(txs)/11 {
				t.Errorf("%s: block %d: %d dropped, want %d", a.name, h, len(dropped), len(txs)/11)
			}
			if i == 0 {
				want = x
			} else {
				if x.Block.Hash() != want.Block.Hash() {
					t.Fatalf("%s: block %d hash %s, with prefetch %s", a.name, h, x.Block.Hash().Hex(), want.Block.Hash().Hex())
				}
				// Each ledger also validates the block built with prefetch.
				if _, err := c.Ledger.Execute(want.Block, a.app); err != nil {
					t.Fatalf("%s: executing the prefetching ledger's block %d: %v", a.name, h, err)
				}
			}
			if err := c.Ledger.Commit(x, c.Cert(x.Block)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for i, a := range apps {
		for k := range ref.Keys {
			if got, want := ledgertest.Get(chains[i].Ledger.State(), addr(ref, k)), ledgertest.Get(ref.Ledger.State(), addr(ref, k)); got != want {
				t.Errorf("%s: account %d is %+v, with prefetch %+v", a.name, k, got, want)
			}
		}
	}
}
