package testnet

import (
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/valset"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// Governance changes the validator set on a running network: a node no
// member would talk to is voted in, is admitted, syncs and votes; a
// validator voted out is then cut off.
func TestGovernanceAddsAndRemovesValidators(t *testing.T) {
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, FullNodes: 1, BenchAccounts: 8, Logger: testLogger(t),
		Config: func(_ int, cfg *node.Config) { cfg.P2PAllow = nil }}) // node4 is on nobody's allow-list
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	const newcomer, leaver = 4, 3
	ctx, cancel := Timeout(120 * time.Second)
	defer cancel()

	sendFinal(t, c, 0, 0, 0)
	if h, peers := c.Height(newcomer), c.Node(newcomer).P2PPeers(); h != 0 || len(peers) != 0 {
		t.Fatalf("a node on nobody's allow-list reached height %d with peers %v", h, peers)
	}

	devKey, err := client.Keyring{Dir: c.Layout.Home(0).KeysDir()}.Load("dev", "dev")
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Client(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dev := client.NewSigner(devKey, st.ChainID, st.MinFeeMicro)
	propose := func(vals ...types.Address) uint64 {
		t.Helper()
		tx, err := dev.Submit(ctx, c.Client(0), gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.SetValidatorsAction(vals...)}})
		if err != nil {
			t.Fatal(err)
		}
		rc, err := c.Client(0).WaitReceipt(ctx, tx.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if rc.Status != "ok" {
			t.Fatalf("proposal failed: %+v", rc)
		}
		return rc.Height + valset.Delay
	}
	addr := func(i int) types.Address { return c.Node(i).Address() }

	// Vote the newcomer in: it is admitted, syncs, and from the effective
	// height on it votes.
	effective := propose(addr(0), addr(1), addr(2), addr(3), addr(newcomer))
	if err := c.WaitHeight(ctx, newcomer, effective); err != nil {
		t.Fatalf("newcomer was not admitted and synced: %v", err)
	}
	if st, err := c.Client(newcomer).Status(ctx); err != nil || !st.Voting || st.Validators != 5 {
		t.Fatalf("newcomer status %+v, %v", st, err)
	}
	// With 5 validators a certificate needs 4 votes: with the leaver down,
	// blocks finalize only if the newcomer votes.
	if err := c.Stop(leaver); err != nil {
		t.Fatal(err)
	}
	final := []types.Hash{sendFinal(t, c, 1, 1, 0)}
	h := c.Height(0)
	cert, err := c.Node(0).Ledger().Cert(h)
	if err != nil {
		t.Fatal(err)
	}
	vals, _ := c.Node(0).Ledger().ValidatorSet(h)
	if vals.Size() != 5 || !certSignedBy(cert, vals.Index(addr(newcomer))) {
		t.Fatalf("certificate of height %d (set of %d) lacks the newcomer's vote", h, vals.Size())
	}

	// Vote the leaver out: the remaining four finalize without it, and
	// when it comes back nobody admits it.
	leaverAddr := types.PubkeyAddress(mustValidatorKey(t, c, leaver))
	effective = propose(addr(0), addr(1), addr(2), addr(newcomer))
	if err := c.WaitHeight(ctx, 0, effective); err != nil {
		t.Fatal(err)
	}
	final = append(final, sendFinal(t, c, newcomer, 2, 0))
	if err := c.Start(leaver); err != nil {
		t.Fatal(err)
	}
	final = append(final, sendFinal(t, c, 2, 3, 0))
	for _, i := range []int{0, 1, 2, newcomer} {
		for _, p := range c.Node(i).P2PPeers() {
			if p == leaverAddr {
				t.Fatalf("node%d admitted the removed validator", i)
			}
		}
	}
	if err := c.Stop(leaver); err != nil { // it may lag: agreement is checked among the members
		t.Fatal(err)
	}
	assertEverywhere(t, c, final)
}

func certSignedBy(cert *types.CommitCert, index int) bool {
	for _, s := range cert.Sigs {
		if int(s.Index) == index {
			return true
		}
	}
	return false
}
