package node

import (
	"context"
	"fmt"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// runSolo produces blocks as the only validator: as soon as the mempool has
// transactions, or an empty block once MaxBlockInterval has passed.
func (n *Node) runSolo(ctx context.Context) error {
	var lastCert *types.CommitCert
	if h := n.ledger.Last().Height; h > 0 {
		c, err := n.ledger.Cert(h)
		if err != nil {
			return fmt.Errorf("load certificate of head %d: %w", h, err)
		}
		lastCert = c
	}
	timer := time.NewTimer(0)
	defer timer.Stop()
	busy := n.pool.Size() > 0
	for {
		if !busy {
			last := n.ledger.Last()
			wait := time.Until(time.UnixMilli(int64(last.Time)).Add(n.cfg.MaxBlockInterval()))
			timer.Reset(max(wait, 0))
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-n.txAvail:
			case <-timer.C:
			}
		} else {
			select {
			case <-ctx.Done():
				return ctx.Err()
			default:
			}
		}
		cert, included, err := n.produce(lastCert)
		if err != nil {
			return err
		}
		lastCert = cert
		// Keep producing back to back only while blocks carry transactions;
		// a pool holding only unexecutable ones (nonce gaps) waits like an
		// empty one.
		busy = included > 0 && n.pool.Size() > 0
	}
}

func (n *Node) produce(lastCert *types.CommitCert) (*types.CommitCert, int, error) {
	start := time.Now()
	prev := n.ledger.Last()
	txs := n.pool.Reap(n.cfg.MaxBlockTxs, n.cfg.MaxBlockBytes)
	x, dropped, err := n.ledger.Build(ledger.Template{Time: uint64(time.Now().UnixMilli()), Proposer: n.self, LastCert: lastCert}, txs, n.app.Router)
	if err != nil {
		return nil, 0, fmt.Errorf("build block %d: %w", prev.Height+1, err)
	}
	blk := x.Block
	sig, err := types.SignDigest(types.CommitDigest(blk.Header.ChainID, blk.Height(), 0, blk.Hash()), n.key)
	if err != nil {
		return nil, 0, err
	}
	cert := &types.CommitCert{Height: blk.Height(), BlockHash: blk.Hash(), Sigs: []types.CommitSig{{Index: 0, Sig: sig}}}
	if err := n.ledger.Commit(x, cert); err != nil {
		return nil, 0, err
	}
	n.pool.Update(blk.Txs)
	for _, d := range dropped {
		n.log.Debug("tx left out of block", "tx", d.Tx.Hash().Hex(), "err", d.Err)
	}
	n.observeBlock(blk, prev.Time, time.Since(start))
	return cert, len(blk.Txs), nil
}

func (n *Node) observeBlock(blk *types.Block, prevTime uint64, took time.Duration) {
	m := n.metrics
	m.Height.Set(float64(blk.Height()))
	m.BlockTxs.Observe(float64(len(blk.Txs)))
	m.TxsTotal.Add(float64(len(blk.Txs)))
	m.BlockInterval.Observe(float64(blk.Header.Time-prevTime) / 1000)
	m.MempoolSize.Set(float64(n.pool.Size()))
	m.CommitSeconds.Observe(took.Seconds())
	if len(blk.Txs) > 0 {
		n.log.Info("committed block", "height", blk.Height(), "txs", len(blk.Txs), "hash", blk.Hash().Hex()[:10], "took", took.Round(time.Microsecond))
	} else {
		n.log.Debug("committed empty block", "height", blk.Height())
	}
}
