package node

import (
	"time"

	"github.com/accordnet/accord/types"
)

func (n *Node) observeBlock(blk *types.Block, prevTime uint64, took time.Duration) {
	m := n.metrics
	m.Height.Set(float64(blk.Height()))
	m.BlockTxs.Observe(float64(len(blk.Txs)))
	m.BlockInterval.Observe(float64(blk.Header.Time-prevTime) / 1000)
	m.MempoolSize.Set(float64(n.pool.Size()))
	m.CommitSeconds.Observe(took.Seconds())
	m.Peers.Set(float64(n.Peers()))
	if len(blk.Txs) > 0 {
		n.log.Info("committed block", "height", blk.Height(), "txs", len(blk.Txs), "hash", blk.Hash().Hex()[:10], "took", took.Round(time.Microsecond))
	} else {
		n.log.Debug("committed empty block", "height", blk.Height())
	}
}
