package kv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/sstable"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// OpenPebble opens (creating if needed) a pebble store in dir.
func OpenPebble(dir string, opts Options) (DB, error) {
	if dir == "" {
		return nil, errors.New("kv: pebble: empty directory")
	}
	eng, err := openPebble(dir, nil, opts)
	if err != nil {
		return nil, err
	}
	return newStore(BackendPebble, eng, opts), nil
}

// NewMemory returns an empty store held in memory, for tests. It is pebble
// over an in-memory file system, so it behaves exactly like the pebble
// backend except that nothing survives Close.
func NewMemory() DB {
	db, err := openMemory(Options{})
	if err != nil {
		// Only a bug in this package or in pebble can fail to open an
		// empty in-memory store; there is no caller error to return.
		panic(err)
	}
	return db
}

func openMemory(opts Options) (DB, error) {
	if opts.ReadOnly {
		return nil, errors.New("kv: memory backend cannot be opened read-only")
	}
	eng, err := openPebble("memory", vfs.NewMem(), opts)
	if err != nil {
		return nil, err
	}
	return newStore(BackendMemory, eng, opts), nil
}

func openPebble(dir string, fs vfs.FS, opts Options) (*pebbleEngine, error) {
	log := opts.logger().With("backend", BackendPebble)
	bgErrors := &rateLimitedErrors{log: log, every: 10 * time.Second}
	po := &pebble.Options{
		// Large enough that a loaded validator's multi-MB blocks do not
		// each force a flush and a compaction (see Options.MemTableBytes);
		// FS caps the WAL preallocation that used to make it cost each idle
		// node 71 MB of disk per log (walprealloc.go).
		MemTableSize:       opts.memTableBytes(),
		CacheSize:          opts.cacheBytes(),
		FormatMajorVersion: pebble.FormatNewest,
		ReadOnly:           opts.ReadOnly,
		Logger:             pebbleLogger{l: log, fatal: opts.Fatal},
		EventListener: &pebble.EventListener{
			BackgroundError: bgErrors.report,
			WriteStallBegin: func(info pebble.WriteStallBeginInfo) {
				log.Warn("write stall", "reason", info.Reason)
			},
			DiskSlow: func(info pebble.DiskSlowInfo) {
				log.Warn("disk slow", "info", info.String())
			},
		},
		FS: capPreallocation(fs, walPreallocBytes),
	}
	// Bloom filters on every level, the last included: point reads of absent
	// keys (new accounts, nonce checks) are common on a ledger, and without
	// a filter each one reads a data block per overlapping table.
	//
	// Pebble's fastest compression (MinLZ on amd64, snappy on arm64), not
	// its default snappy: every transaction's bytes are compressed at the
	// flush and again at each compaction, and MinLZ costs less CPU for as
	// good a ratio on receipts and bodies. Tables written with either stay
	// readable.
	for i := range po.Levels {
		po.Levels[i].FilterPolicy = bloom.FilterPolicy(10)
		po.Levels[i].Compression = fastestCompression
	}
	db, err := pebble.Open(dir, po)
	if err != nil {
		return nil, fmt.Errorf("kv: open pebble %s: %w", dir, err)
	}
	return &pebbleEngine{db: db, pebbleView: pebbleView{r: db}}, nil
}

func fastestCompression() *sstable.CompressionProfile { return sstable.FastestCompression }

type pebbleEngine struct {
	pebbleView
	db *pebble.DB
}

func (e *pebbleEngine) newBatch() engineBatch {
	return pebbleBatch{e.db.NewBatch()}
}

func (e *pebbleEngine) snapshot() (engineSnapshot, error) {
	s := e.db.NewSnapshot()
	return &pebbleSnapshot{pebbleView: pebbleView{r: s}, s: s}, nil
}

func (e *pebbleEngine) close() error { return e.db.Close() }

type pebbleSnapshot struct {
	pebbleView
	s *pebble.Snapshot
}

func (s *pebbleSnapshot) close() error { return s.s.Close() }

// pebbleView reads through a *pebble.DB or a *pebble.Snapshot.
type pebbleView struct {
	r interface {
		Get(key []byte) ([]byte, io.Closer, error)
		NewIter(o *pebble.IterOptions) (*pebble.Iterator, error)
	}
}

func (v pebbleView) get(key []byte) ([]byte, error) {
	val, c, err := v.r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kv: pebble get: %w", err)
	}
	out := make([]byte, len(val))
	copy(out, val)
	if err := c.Close(); err != nil {
		return nil, fmt.Errorf("kv: pebble get: %w", err)
	}
	return out, nil
}

func (v pebbleView) has(key []byte) (bool, error) {
	_, c, err := v.r.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("kv: pebble has: %w", err)
	}
	if err := c.Close(); err != nil {
		return false, fmt.Errorf("kv: pebble has: %w", err)
	}
	return true, nil
}

func (v pebbleView) iter(start, end []byte, reverse bool) (engineIter, error) {
	it, err := v.r.NewIter(&pebble.IterOptions{LowerBound: start, UpperBound: end})
	if err != nil {
		return nil, fmt.Errorf("kv: pebble iterator: %w", err)
	}
	return &pebbleIter{it: it, reverse: reverse}, nil
}

type pebbleIter struct {
	it      *pebble.Iterator
	reverse bool
	started bool
	verr    error
}

func (p *pebbleIter) next() bool {
	if p.verr != nil {
		return false
	}
	switch {
	case !p.started && p.reverse:
		p.started = true
		return p.it.Last()
	case !p.started:
		p.started = true
		return p.it.First()
	case p.reverse:
		return p.it.Prev()
	default:
		return p.it.Next()
	}
}

func (p *pebbleIter) key() []byte { return p.it.Key() }

func (p *pebbleIter) value() []byte {
	v, err := p.it.ValueAndErr()
	if err != nil {
		p.verr = err
		return nil
	}
	return v
}

func (p *pebbleIter) err() error {
	if p.verr != nil {
		return fmt.Errorf("kv: pebble iterator value: %w", p.verr)
	}
	if err := p.it.Error(); err != nil {
		return fmt.Errorf("kv: pebble iterator: %w", err)
	}
	return nil
}

func (p *pebbleIter) close() error { return p.it.Close() }

type pebbleBatch struct{ b *pebble.Batch }

func (b pebbleBatch) set(key, value []byte) error { return b.b.Set(key, value, nil) }
func (b pebbleBatch) delete(key []byte) error     { return b.b.Delete(key, nil) }
func (b pebbleBatch) len() int                    { return int(b.b.Count()) }
func (b pebbleBatch) size() int                   { return b.b.Len() }
func (b pebbleBatch) close() error                { return b.b.Close() }

func (b pebbleBatch) commit(sync bool) error {
	wo := pebble.NoSync
	if sync {
		wo = pebble.Sync
	}
	if err := b.b.Commit(wo); err != nil {
		return fmt.Errorf("kv: pebble commit of %d ops: %w", b.b.Count(), err)
	}
	return nil
}

// rateLimitedErrors logs pebble's background errors (failed flushes and
// compactions, which pebble retries in a tight loop, e.g. on a full disk)
// at most once per interval, with the count of those not logged.
type rateLimitedErrors struct {
	log   *slog.Logger
	every time.Duration

	mu         sync.Mutex
	last       time.Time
	suppressed int
}

func (r *rateLimitedErrors) report(err error) {
	r.mu.Lock()
	now := time.Now()
	if !r.last.IsZero() && now.Sub(r.last) < r.every {
		r.suppressed++
		r.mu.Unlock()
		return
	}
	n := r.suppressed
	r.last, r.suppressed = now, 0
	r.mu.Unlock()
	// The first line of pebble's error; the rest is a stack trace.
	msg, _, _ := strings.Cut(err.Error(), "\n")
	r.log.Error("background error", "err", msg, "suppressed_since_last", n)
}

// pebbleLogger sends pebble's log lines to slog: informational ones at Debug.
type pebbleLogger struct {
	l     *slog.Logger
	fatal func(msg string)
}

func (p pebbleLogger) Infof(format string, args ...any) {
	if p.l.Enabled(context.Background(), slog.LevelDebug) {
		p.l.Debug(fmt.Sprintf(format, args...))
	}
}

func (p pebbleLogger) Errorf(format string, args ...any) {
	p.l.Error(fmt.Sprintf(format, args...))
}

// Fatalf must not return: pebble calls it on corruption or invariant
// failure and does not expect to continue.
func (p pebbleLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if p.fatal != nil {
		first, _, _ := strings.Cut(msg, "\n")
		p.fatal(first)
	}
	p.l.Error(msg, "fatal", true)
	panic("kv: pebble fatal: " + msg)
}
