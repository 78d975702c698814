package testnet

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/node"
)

// A validator started with prune_keep_blocks deletes old block bodies as
// the chain grows, keeps their headers and certificates, goes on
// finalizing, and answers a query for a pruned block with an error rather
// than a wrong or empty block.
func TestPruningNodeKeepsHeadersAndGoesOn(t *testing.T) {
	const keep = 5
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, BenchAccounts: 4, Logger: testLogger(t),
		Config: func(i int, cfg *node.Config) {
			cfg.PruneKeepBlocks = keep
			cfg.MaxBlockIntervalMs = 50 // empty blocks come quickly
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := Timeout(2 * time.Minute)
	defer cancel()
	sendFinal(t, c, 0, 0, 0)
	n := c.Node(0)
	l := n.Ledger()
	// Wait, commit by commit, until the pruner has passed height 20.
	commits, stop := n.SubscribeCommits(16)
	defer stop()
	for l.PrunedBase() <= 20 {
		select {
		case <-ctx.Done():
			t.Fatalf("pruned base still %d at height %d", l.PrunedBase(), l.Last().Height)
		case <-commits:
		}
	}
	base, head := l.PrunedBase(), l.Last().Height
	if head-base+1 < keep {
		t.Fatalf("keeps heights %d..%d, fewer than %d", base, head, keep)
	}
	for h := uint64(1); h < base; h++ {
		if _, err := l.Block(h); !errors.Is(err, ledger.ErrPruned) {
			t.Fatalf("block %d below base %d: %v", h, base, err)
		}
		hdr, err := l.Header(h)
		if err != nil {
			t.Fatalf("header %d: %v", h, err)
		}
		cert, err := l.Cert(h)
		if err != nil || cert.BlockHash != hdr.Hash() {
			t.Fatalf("certificate %d: %v", h, err)
		}
	}
	if _, err := c.Client(0).Block(ctx, 1); err == nil || !strings.Contains(err.Error(), "pruned") {
		t.Fatalf("RPC for a pruned block: %v, want an error saying it was pruned", err)
	}
	if _, err := c.Client(0).Block(ctx, head); err != nil {
		t.Fatalf("RPC block %d (kept): %v", head, err)
	}
	// The chain goes on: a transfer still finalizes.
	sendFinal(t, c, 0, 1, 0)
}
