package testnet

import (
	"errors"
	"path/filepath"
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

// A pruning node that serves snapshots keeps the block of its oldest
// snapshot (a joiner fetches it with its certificate): the snapshotter is
// one more Retainer.
func TestPruningKeepsTheSnapshotBlock(t *testing.T) {
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, BenchAccounts: 4, Logger: testLogger(t),
		Config: func(i int, cfg *node.Config) {
			cfg.PruneKeepBlocks = 3
			cfg.SnapshotInterval = 40
			cfg.SnapshotKeep = 1
			cfg.MaxBlockIntervalMs = 50
		}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := Timeout(2 * time.Minute)
	defer cancel()
	n := c.Node(0)
	l := n.Ledger()
	files, err := ledger.OpenSnapshotFiles(filepath.Join(string(c.Layout.Home(0)), "data", "snapshots"))
	if err != nil {
		t.Fatal(err)
	}
	commits, stop := n.SubscribeCommits(16)
	defer stop()
	// Run until the pruner has caught up past the first snapshot's
	// neighbourhood at least once after a second snapshot replaced it.
	for l.Last().Height < 100 || l.PrunedBase() < 80 {
		select {
		case <-ctx.Done():
			t.Fatalf("height %d, pruned base %d", l.Last().Height, l.PrunedBase())
		case <-commits:
		}
		hs := files.Heights()
		if base := l.PrunedBase(); len(hs) > 0 && base > hs[0] {
			t.Fatalf("pruned base %d is above the snapshot at %d", base, hs[0])
		}
	}
	hs := files.Heights()
	if len(hs) != 1 || hs[0] < 80 {
		t.Fatalf("snapshots on disk at %v", hs)
	}
	if _, err := l.Block(hs[0]); err != nil {
		t.Fatalf("block of the snapshot at %d: %v", hs[0], err)
	}
}
