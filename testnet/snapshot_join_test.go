package testnet

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// A node joins a running chain from a state snapshot its validators wrote
// and signed, block-syncs the rest, and then holds exactly the state of a
// node that replayed every block from genesis, key by key. It also reports
// how long each way of joining took.
//
// The load is ACCORD_JOIN_TXS transfers (default 2,000); the size
// is ACCORD_JOIN_TXS=1000000 (with -timeout to match).
func TestJoinBySnapshotMatchesAReplayedNode(t *testing.T) {
	want := 2_000
	if s := os.Getenv("ACCORD_JOIN_TXS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("ACCORD_JOIN_TXS=%q", s)
		}
		want = n
	}
	const vals, joiner, replayer = 4, 4, 5
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: vals, FullNodes: 2, BenchAccounts: 200, Logger: testLogger(t),
		Config: func(i int, cfg *node.Config) {
			cfg.SnapshotInterval = 5
			if want > 100_000 {
				cfg.DBMemTableMB = 64
			}
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	// Both full nodes start from nothing once the chain is long.
	for _, i := range []int{joiner, replayer} {
		if err := c.Stop(i); err != nil {
			t.Fatal(err)
		}
		if err := os.RemoveAll(filepath.Join(string(c.Layout.Home(i)), "data")); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := Timeout(30*time.Minute + time.Duration(want/500)*time.Second)
	defer cancel()
	rate := min(1_000, max(want/4, 200))
	r, err := Bench(ctx, BenchConfig{URLs: c.URLs()[:vals], Duration: time.Duration(want/rate) * time.Second, Rate: rate,
		Accounts: 200, BatchSize: 100, Drain: 5 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("load: %d transfers finalized in %d blocks (%.0f tx/s)", r.Finalized, r.Blocks, r.FinalizedTPS)
	// A loaded machine may finalize fewer than offered; the chain only
	// needs to be long and busy.
	if r.Finalized < want/2 {
		t.Fatalf("only %d of %d transfers finalized", r.Finalized, want)
	}
	target := c.Height(0)

	// Join by snapshot, then start and sync to the head.
	var peers []string
	for i := range vals {
		peers = append(peers, c.Node(i).Listening().P2P...)
	}
	// Told to trust a set that signed nothing (as after a change of
	// validators it did not hear of), the joiner takes no snapshot, though
	// the genesis validators offer one, and writes nothing.
	outsiders := []types.Address{{0xee, 1}, {0xee, 2}}
	_, err = node.JoinBySnapshot(ctx, c.Layout.Home(joiner), node.JoinOptions{Peers: peers, Logger: testLogger(t), Trust: outsiders, Wait: 3 * time.Second})
	if !errors.Is(err, node.ErrNoTrustedSnapshot) {
		t.Fatalf("join trusting outsiders: err %v, want ErrNoTrustedSnapshot", err)
	}
	// The set an operator would take from a node it trusts (accord query
	// validators); here it is still genesis's.
	current, err := c.Client(0).Validators(ctx, c.Height(0)+1)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	res, err := node.JoinBySnapshot(ctx, c.Layout.Home(joiner), node.JoinOptions{Peers: peers, Logger: testLogger(t), Trust: current.Validators})
	if err != nil {
		t.Fatal(err)
	}
	restored := time.Since(start)
	if res.Height < target-5 || res.Refused != 0 {
		t.Fatalf("joined at %d (chain at %d), %d chunks refused", res.Height, target, res.Refused)
	}
	if err := c.Start(joiner); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, joiner, target); err != nil {
		t.Fatal(err)
	}
	bySnapshot := time.Since(start)

	// Join by replaying every block.
	start = time.Now()
	if err := c.Start(replayer); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, replayer, target); err != nil {
		t.Fatal(err)
	}
	byReplay := time.Since(start)
	t.Logf("join to height %d (%d transfers): by snapshot %v (snapshot at %d: %d chunks, %d keys, restored in %v), by replay %v",
		target, r.Finalized, bySnapshot.Round(time.Millisecond), res.Height, res.Chunks, res.Keys, restored.Round(time.Millisecond),
		byReplay.Round(time.Millisecond))

	// Halt the chain (two of four validators stop: no quorum) and let the
	// rest settle at one height, then compare the states.
	for _, i := range []int{2, 3} {
		if err := c.Stop(i); err != nil {
			t.Fatal(err)
		}
	}
	top := uint64(0)
	for _, i := range []int{0, 1, joiner, replayer} {
		top = max(top, c.Height(i))
	}
	if err := c.WaitAll(ctx, top); err != nil {
		t.Fatal(err)
	}
	a, b := c.Node(joiner).Ledger(), c.Node(replayer).Ledger()
	if a.Last() != b.Last() {
		t.Fatalf("heads differ: %+v vs %+v", a.Last(), b.Last())
	}
	var ea, eb [][2][]byte
	for _, x := range []struct {
		n   *node.Node
		out *[][2][]byte
	}{{c.Node(joiner), &ea}, {c.Node(replayer), &eb}} {
		x.n.Ledger().ReadState().Iterate(nil, nil, false, func(k, v []byte) bool {
			*x.out = append(*x.out, [2][]byte{k, v})
			return true
		})
	}
	if len(ea) != len(eb) || len(ea) == 0 {
		t.Fatalf("%d state entries on the snapshot node, %d on the replayed one", len(ea), len(eb))
	}
	for i := range ea {
		if !bytes.Equal(ea[i][0], eb[i][0]) || !bytes.Equal(ea[i][1], eb[i][1]) {
			t.Fatalf("state entry %d differs: %q=%x vs %q=%x", i, ea[i][0], ea[i][1], eb[i][0], eb[i][1])
		}
	}
	t.Logf("states equal: %d entries at height %d", len(ea), a.Last().Height)
}
