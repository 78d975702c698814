package testnet

import (
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/types"
)

// A non-voting full node follows the chain by verifying commit
// certificates: it holds every finalized block, relays transactions
// submitted to it to the validators, and after being down it syncs back.
func TestFullNodeFollowsRelaysAndCatchesUp(t *testing.T) {
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, FullNodes: 1, BenchAccounts: 8, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	const full = 4
	ctx, cancel := Timeout(90 * time.Second)
	defer cancel()

	st, err := c.Client(full).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if st.Voting || st.Validators != 4 || st.Validator == "" {
		t.Fatalf("full node status: voting %v, validators %d, key %q", st.Voting, st.Validators, st.Validator)
	}
	if st, err := c.Client(0).Status(ctx); err != nil || !st.Voting {
		t.Fatalf("validator status: %+v, %v", st, err)
	}

	// A transfer submitted to the full node is finalized by the validators
	// (the full node only relays it) and the full node reports it final.
	var final []types.Hash
	final = append(final, sendFinal(t, c, full, 0, 0))
	final = append(final, sendFinal(t, c, 1, 1, 0))
	assertEverywhere(t, c, final)

	// A transfer accepted while the full node is cut off is lost in gossip;
	// once the links heal the full node publishes it again and it finalizes.
	c.Isolate(full, true)
	cl := c.Client(full)
	signer := client.NewSigner(BenchKey(2), st.ChainID, st.MinFeeMicro)
	tx, err := signer.Submit(ctx, cl, bank.TypeTransfer, &bank.MsgTransfer{To: types.Address{0xbb}, Amount: 1})
	if err != nil {
		t.Fatal(err)
	}
	c.Isolate(full, false)
	if _, err := cl.WaitReceipt(ctx, tx.Hash()); err != nil {
		t.Fatalf("transfer submitted to a cut-off full node never finalized: %v", err)
	}
	final = append(final, tx.Hash())
	assertEverywhere(t, c, final)

	// Blocks the full node holds carry certificates signed by validators
	// only; it never signed one.
	fn := c.Node(full)
	for h := uint64(1); h <= fn.Ledger().Last().Height; h++ {
		cert, err := fn.Ledger().Cert(h)
		if err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		vals, err := fn.Ledger().ValidatorSet(h)
		if err != nil {
			t.Fatal(err)
		}
		if err := cert.Verify(fn.Ledger().ChainID(), vals); err != nil {
			t.Fatalf("height %d: %v", h, err)
		}
		if vals.Index(fn.Address()) >= 0 {
			t.Fatalf("height %d: full node is in the validator set", h)
		}
	}

	// Down while the chain moves on; back up, it syncs and agrees.
	if err := c.Stop(full); err != nil {
		t.Fatal(err)
	}
	for k := uint64(1); k <= 3; k++ {
		final = append(final, sendFinal(t, c, int(k%4), 0, k))
	}
	if err := c.Start(full); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, full, c.Height(0)); err != nil {
		t.Fatalf("full node did not catch up: %v", err)
	}
	assertEverywhere(t, c, final)
}
