package node

import (
	"context"
	"log/slog"

	"github.com/accordnet/accord/ledger"

	"github.com/accordnet/accord/types"
)

// Background storage work after commits: pruning old blocks (and, see
// snapshot.go, writing state snapshots). Both run off the consensus
// driver's goroutine, fed by the commit subscription, so a slow disk never
// holds up a vote; a commit missed while one is running is caught up by
// the next one, which always works from the ledger's current head.

// pruneEvery is how many commits pass between prune runs: each run decodes
// the blocks it prunes, so batching heights amortizes the fixed cost.
const pruneEvery = 16

// startStorageWorkers starts the pruner and the snapshotter as configured.
func (n *Node) startStorageWorkers(ctx context.Context) {
	n.startSnapshotter(ctx) // first: the pruner asks it what to retain
	if n.cfg.PruneKeepBlocks > 0 {
		ch, cancel := n.SubscribeCommits(1)
		n.wg.Add(1)
		go func() {
			defer n.wg.Done()
			defer cancel()
			n.runPruner(ctx, ch)
		}()
	}
}

func (n *Node) runPruner(ctx context.Context, commits <-chan *types.Block) {
	log := n.log.With("component", "prune")
	n.pruneOnce(log)
	var since uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-commits:
		}
		if since++; since < pruneEvery {
			continue
		}
		since = 0
		n.pruneOnce(log)
	}
}

func (n *Node) pruneOnce(log *slog.Logger) {
	// The modules say what they still need; so does the snapshotter: a
	// joiner fetches the block at a snapshot's height with its certificate.
	res, err := n.ledger.Prune(n.cfg.PruneKeepBlocks, n.app.Router, ledger.RetainFunc(n.snapshotRetainHeight))
	switch {
	case err != nil:
		log.Warn("pruning failed; retrying after the next blocks", "err", err)
	case res.To > res.From && res.HeldBy > 0:
		log.Info("pruned blocks; a module holds back older ones", "from", res.From, "to", res.To-1, "retain_height", res.HeldBy)
	case res.To > res.From:
		log.Info("pruned blocks", "from", res.From, "to", res.To-1)
	}
}
