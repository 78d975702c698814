package node

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/accordnet/accord/types"
)

// The disk guard. Pebble cannot run out of space gracefully: a failed WAL
// or MANIFEST write is fatal (a panic with a goroutine dump), and a node
// restarted on a still-full disk retries its flushes forever. So the node
// watches the free space of its data directory and acts before that:
//
//   - below min_free_disk_bytes at start, it refuses to start (one line);
//   - below it while running, it is "low": it refuses transactions and
//     stops voting, proposing and committing (nothing more is written),
//     and readiness says why; it resumes by itself once free space is
//     back above the minimum plus a tenth (the hysteresis keeps it from
//     flapping at the line);
//   - below a quarter of the minimum (someone else is filling the disk),
//     it stops with one clear error rather than wait for a write to fail.
//
// Everything committed before is durable: blocks are committed with fsync
// and consensus votes are in the WAL before they are sent.

// DefaultMinFreeDiskBytes is min_free_disk_bytes when config leaves it 0.
const DefaultMinFreeDiskBytes = 512 << 20

// diskCheckEvery is how often free space is read (one statfs).
const diskCheckEvery = time.Second

// ErrDiskLow is the refusal of transactions while free disk space is low,
// and of starting on such a disk.
var ErrDiskLow = errors.New("disk space low")

// ErrDiskFull ends a running node whose disk is filling past the guard.
var ErrDiskFull = errors.New("disk full")

// FreeSpaceFunc reports the bytes available to the node under dir.
type FreeSpaceFunc func(dir string) (uint64, error)

type diskGuard struct {
	dir  string
	min  uint64 // 0: guard off
	free FreeSpaceFunc
	low  atomic.Bool
	last atomic.Uint64 // free bytes at the last check
}

func newDiskGuard(h Home, min int64, free FreeSpaceFunc) *diskGuard {
	if free == nil {
		free = statFree
	}
	g := &diskGuard{dir: string(h), free: free}
	if min > 0 {
		g.min = uint64(min)
	}
	return g
}

// dataDir is the directory whose file system the ledger lives on.
func (g *diskGuard) dataDir() string {
	if d := Home(g.dir).LedgerDir(); dirExists(d) {
		return d
	}
	return g.dir
}

func dirExists(d string) bool {
	fi, err := os.Stat(d)
	return err == nil && fi.IsDir()
}

// checkStart refuses to start on a disk below the minimum.
func (g *diskGuard) checkStart() error {
	if g.min == 0 {
		return nil
	}
	free, err := g.free(g.dataDir())
	if err != nil {
		return nil // cannot tell (unsupported platform): do not block the node
	}
	g.last.Store(free)
	if free < g.min {
		return fmt.Errorf("%w: %s free under %s, min_free_disk_bytes is %s; free some space and start again",
			ErrDiskLow, bytesIEC(free), g.dir, bytesIEC(g.min))
	}
	return nil
}

// tripped reports whether the node must not write: free space is low.
func (g *diskGuard) tripped() bool { return g.low.Load() }

// reason is the readiness reason while tripped.
func (g *diskGuard) reason() string {
	return fmt.Sprintf("disk space low: %s free, minimum %s", bytesIEC(g.last.Load()), bytesIEC(g.min))
}

// check reads free space once and updates the state; it returns
// ErrDiskFull (wrapped) when the node must stop.
func (g *diskGuard) check(n *Node) error {
	free, err := g.free(g.dataDir())
	if err != nil {
		return nil
	}
	g.last.Store(free)
	switch {
	case free < g.min/4:
		return fmt.Errorf("%w: only %s free under %s (min_free_disk_bytes %s); the node stopped before its database could fail. Everything committed is safe: free space and start again",
			ErrDiskFull, bytesIEC(free), g.dir, bytesIEC(g.min))
	case free < g.min:
		if !g.low.Swap(true) {
			n.log.Warn("disk space low: refusing transactions and not voting until space is back",
				"free", bytesIEC(free), "min", bytesIEC(g.min), "height", n.ledger.Last().Height)
		}
	case free >= g.min+g.min/10:
		if g.low.Swap(false) {
			n.log.Info("disk space back: resuming", "free", bytesIEC(free), "height", n.ledger.Last().Height)
			n.syncFromPeers()
		}
	}
	return nil
}

// run checks every diskCheckEvery until ctx ends or the disk is full.
func (g *diskGuard) run(ctx context.Context, n *Node) {
	if g.min == 0 {
		return
	}
	t := time.NewTicker(diskCheckEvery)
	defer t.Stop()
	for {
		if err := g.check(n); err != nil {
			g.low.Store(true) // write nothing more while the node stops
			n.log.Error(err.Error())
			n.fail(err)
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// submitErr is the refusal of a transaction while the disk is low, or nil.
func (g *diskGuard) submitErr() error {
	if !g.tripped() {
		return nil
	}
	return fmt.Errorf("%w: node has %s free (minimum %s) and accepts no transactions until space is freed; try another node",
		ErrDiskLow, bytesIEC(g.last.Load()), bytesIEC(g.min))
}

// refuseAll is a batch's answer while the disk is low.
func refuseAll(n int, err error) ([]types.Hash, []error) {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return make([]types.Hash, n), errs
}

func bytesIEC(b uint64) string {
	const unit = 1024
	if b < unit {
		return fmt.Sprintf("%d B", b)
	}
	div, exp := uint64(unit), 0
	for n := b / unit; n >= unit; n /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(b)/float64(div), "KMGTPE"[exp])
}

// databaseFatal words a fatal database error for the operator.
func databaseFatal(h Home, msg string) string {
	if strings.Contains(msg, "no space left on device") {
		return fmt.Sprintf("%v: the database under %s could not write (%s); blocks committed before are safe: free space and start again", ErrDiskFull, h.LedgerDir(), msg)
	}
	return fmt.Sprintf("database under %s failed: %s", h.LedgerDir(), msg)
}
