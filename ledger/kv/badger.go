package kv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/dgraph-io/badger/v4"
)

// Badger tuning for an embedded store that may be opened many times in one
// process (tests, in-process testnets). Badger's defaults (5 x 64 MiB
// memtables, a 256 MiB block cache, 1 GiB value-log files) are sized for a
// dedicated server.
const (
	// badgerMemTableSize also bounds one atomic batch: badger refuses a
	// transaction above 15% of it (about 9.6 MiB or ~100k operations here),
	// which Commit reports as ErrBatchTooLarge.
	badgerMemTableSize  = 64 << 20
	badgerNumMemtables  = 2
	badgerValueLogFile  = 64 << 20 // also the largest value badger accepts
	badgerValueInLSM    = 64 << 10 // smaller values live in the LSM tree, larger ones in the value log
	badgerNumCompactors = 2        // badger needs 0 or at least 2
	badgerGCInterval    = 10 * time.Minute
	badgerGCRatio       = 0.5
)

// badgerIndexCacheBytes bounds the memory of the tables' indexes and bloom
// filters. Badger's default (0) keeps every table's index and filter
// resident, a cost that grows with the state (a few MiB at 10 M accounts,
// so not yet what badger's memory is made of; see docs/design.md); pebble
// holds both in its one block cache. A quarter of the block cache again
// keeps them a configured bound.
func badgerIndexCacheBytes(opts Options) int64 {
	return opts.cacheBytes() / 4
}

// Every user key is stored behind this byte. Badger reserves keys that begin
// with "!badger!" for itself and refuses to write them; the prefix gives
// callers the whole key space, as on pebble.
const badgerKeyPrefix = 'k'

// OpenBadger opens (creating if needed) a badger store in dir.
func OpenBadger(dir string, opts Options) (DB, error) {
	if dir == "" {
		return nil, errors.New("kv: badger: empty directory")
	}
	log := opts.logger().With("backend", BackendBadger)
	vlogFile := opts.ValueLogFileBytes
	if vlogFile == 0 {
		vlogFile = badgerValueLogFile
	}
	bo := badger.DefaultOptions(dir).
		WithLogger(badgerLogger{log}).
		WithSyncWrites(!opts.NoSync).
		WithReadOnly(opts.ReadOnly).
		WithMemTableSize(badgerMemTableSize).
		WithNumMemtables(badgerNumMemtables).
		WithValueLogFileSize(vlogFile).
		WithValueThreshold(badgerValueInLSM).
		WithNumCompactors(badgerNumCompactors).
		WithBlockCacheSize(opts.cacheBytes()).
		WithIndexCacheSize(badgerIndexCacheBytes(opts)).
		// Batches are blind writes; there is nothing to detect conflicts on.
		WithDetectConflicts(false)
	db, err := badger.Open(bo)
	if err != nil {
		return nil, fmt.Errorf("kv: open badger %s: %w", dir, err)
	}
	e := &badgerEngine{db: db, log: log, stop: make(chan struct{}), vlogFile: vlogFile}
	if !opts.ReadOnly {
		e.wg.Add(1)
		go e.gcLoop()
	}
	return newStore(BackendBadger, e, opts), nil
}

type badgerEngine struct {
	db       *badger.DB
	log      *slog.Logger
	stop     chan struct{}
	wg       sync.WaitGroup
	vlogFile int64        // value-log file size
	deleted  atomic.Int64 // bytes of values deleted since the last reclaim (compact.go)
	// maint runs one of gcLoop's pass, Compact and Reclaim at a time.
	maint sync.Mutex
	// writes is held for reading by every batch commit and for writing by
	// flush: badger fails writes (ErrBlockedWrites) while DropPrefix runs
	// rather than holding them.
	writes sync.RWMutex
}

// gcLoop reclaims value-log space held by overwritten or deleted large
// values; badger never does this on its own.
func (e *badgerEngine) gcLoop() {
	defer e.wg.Done()
	t := time.NewTicker(badgerGCInterval)
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case <-t.C:
		}
		e.maint.Lock()
		err := e.gcValueLog(-1)
		e.maint.Unlock()
		if err != nil {
			e.log.Warn("value log gc", "err", err)
		}
	}
}

func (e *badgerEngine) close() error {
	close(e.stop)
	e.wg.Wait()
	return e.db.Close()
}

func badgerKey(key []byte) []byte {
	k := make([]byte, 1+len(key))
	k[0] = badgerKeyPrefix
	copy(k[1:], key)
	return k
}

func (e *badgerEngine) get(key []byte) ([]byte, error) {
	txn := e.db.NewTransaction(false)
	defer txn.Discard()
	return badgerGet(txn, key)
}

func (e *badgerEngine) has(key []byte) (bool, error) {
	txn := e.db.NewTransaction(false)
	defer txn.Discard()
	return badgerHas(txn, key)
}

func (e *badgerEngine) iter(start, end []byte, reverse bool) (engineIter, error) {
	return newBadgerIter(e.db.NewTransaction(false), true, start, end, reverse), nil
}

func (e *badgerEngine) snapshot() (engineSnapshot, error) {
	return &badgerSnapshot{txn: e.db.NewTransaction(false)}, nil
}

func (e *badgerEngine) newBatch() engineBatch {
	return &badgerBatch{db: e.db, writes: &e.writes}
}

func badgerGet(txn *badger.Txn, key []byte) ([]byte, error) {
	item, err := txn.Get(badgerKey(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("kv: badger get: %w", err)
	}
	v, err := item.ValueCopy(nil)
	if err != nil {
		return nil, fmt.Errorf("kv: badger get value: %w", err)
	}
	if v == nil {
		v = []byte{}
	}
	return v, nil
}

func badgerHas(txn *badger.Txn, key []byte) (bool, error) {
	_, err := txn.Get(badgerKey(key))
	if errors.Is(err, badger.ErrKeyNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("kv: badger has: %w", err)
	}
	return true, nil
}

// badgerSnapshot is a read-only transaction: badger reads at the
// transaction's timestamp, which is exactly a point-in-time view.
type badgerSnapshot struct{ txn *badger.Txn }

func (s *badgerSnapshot) get(key []byte) ([]byte, error) { return badgerGet(s.txn, key) }
func (s *badgerSnapshot) has(key []byte) (bool, error)   { return badgerHas(s.txn, key) }

func (s *badgerSnapshot) iter(start, end []byte, reverse bool) (engineIter, error) {
	return newBadgerIter(s.txn, false, start, end, reverse), nil
}

// close requires the snapshot's iterators closed first (Discard panics
// otherwise); snapshot.release in store.go does that.
func (s *badgerSnapshot) close() error {
	s.txn.Discard()
	return nil
}

// badgerIter walks [lo,hi) in badger key space (prefixed keys). Badger's
// iterator has no upper bound, so the bounds are checked here; in reverse its
// Seek lands on the largest key <= the target, so the walk starts at hi and
// steps past hi itself.
type badgerIter struct {
	txn     *badger.Txn
	ownTxn  bool // discard txn on close
	it      *badger.Iterator
	lo, hi  []byte // hi nil: to the end of the user key space
	reverse bool
	started bool
	done    bool
	val     []byte
	valOK   bool
	verr    error
}

func newBadgerIter(txn *badger.Txn, ownTxn bool, start, end []byte, reverse bool) *badgerIter {
	bi := &badgerIter{txn: txn, ownTxn: ownTxn, reverse: reverse}
	bi.lo = badgerKey(start) // start nil: just the prefix, the first user key
	if end != nil {
		bi.hi = badgerKey(end)
	}
	bi.it = txn.NewIterator(badger.IteratorOptions{
		// Values are read on demand: a scan that stops early or reads only
		// keys must not pull in up to 100 large values ahead of it.
		PrefetchValues: false,
		Reverse:        reverse,
		// Keeps the walk inside the user key space and lets badger skip
		// tables that hold none of it.
		Prefix: []byte{badgerKeyPrefix},
	})
	return bi
}

func (b *badgerIter) next() bool {
	if b.done {
		return false
	}
	b.valOK = false
	switch {
	case !b.started && b.reverse:
		b.started = true
		if b.hi == nil {
			// Every user key is below the byte after the prefix.
			b.it.Seek([]byte{badgerKeyPrefix + 1})
		} else {
			b.it.Seek(b.hi)
			if b.it.Valid() && bytes.Equal(b.it.Item().Key(), b.hi) {
				b.it.Next()
			}
		}
	case !b.started:
		b.started = true
		b.it.Seek(b.lo)
	default:
		b.it.Next()
	}
	if !b.it.Valid() {
		b.done = true
		return false
	}
	k := b.it.Item().Key()
	if (!b.reverse && b.hi != nil && bytes.Compare(k, b.hi) >= 0) ||
		(b.reverse && bytes.Compare(k, b.lo) < 0) {
		b.done = true
		return false
	}
	return true
}

func (b *badgerIter) key() []byte { return b.it.Item().Key()[1:] }

func (b *badgerIter) value() []byte {
	if !b.valOK {
		v, err := b.it.Item().ValueCopy(b.val[:0])
		if err != nil {
			b.verr = err
			b.done = true
			return nil
		}
		b.val, b.valOK = v, true
	}
	return b.val
}

func (b *badgerIter) err() error {
	if b.verr != nil {
		return fmt.Errorf("kv: badger iterator value: %w", b.verr)
	}
	return nil
}

func (b *badgerIter) close() error {
	b.it.Close()
	if b.ownTxn {
		b.txn.Discard()
	}
	return nil
}

// badgerBatch buffers operations and applies them in one transaction on
// commit, so the transaction is short-lived and a discarded batch never
// touches badger. Keys (already prefixed) and values are copied into buf.
type badgerBatch struct {
	db     *badger.DB
	writes *sync.RWMutex // the engine's
	buf    []byte
	ops    []badgerOp
}

type badgerOp struct {
	key, val [2]int // offsets in buf
	del      bool
}

func (b *badgerBatch) add(key, value []byte, del bool) {
	var op badgerOp
	op.del = del
	op.key[0] = len(b.buf)
	b.buf = append(b.buf, badgerKeyPrefix)
	b.buf = append(b.buf, key...)
	op.key[1] = len(b.buf)
	op.val[0] = len(b.buf)
	b.buf = append(b.buf, value...)
	op.val[1] = len(b.buf)
	b.ops = append(b.ops, op)
}

func (b *badgerBatch) set(key, value []byte) error { b.add(key, value, false); return nil }
func (b *badgerBatch) delete(key []byte) error     { b.add(key, nil, true); return nil }
func (b *badgerBatch) len() int                    { return len(b.ops) }

// size approximates the encoded size: the bytes, plus a little per operation
// for the kind and lengths, like pebble's batch encoding.
func (b *badgerBatch) size() int { return len(b.buf) + 3*len(b.ops) }

func (b *badgerBatch) close() error {
	b.buf, b.ops = nil, nil
	return nil
}

// commit ignores sync: badger syncs according to WithSyncWrites, which Open
// set from Options.NoSync, and store passes the same setting.
func (b *badgerBatch) commit(bool) error {
	b.writes.RLock()
	defer b.writes.RUnlock()
	txn := b.db.NewTransaction(true)
	defer txn.Discard()
	for _, op := range b.ops {
		// Full slice expressions: badger must not be able to append into
		// the next operation's bytes.
		key := b.buf[op.key[0]:op.key[1]:op.key[1]]
		var err error
		if op.del {
			err = txn.Delete(key)
		} else {
			err = txn.Set(key, b.buf[op.val[0]:op.val[1]:op.val[1]])
		}
		if errors.Is(err, badger.ErrTxnTooBig) {
			return fmt.Errorf("kv: badger commit of %d ops, %d bytes: %w (%w)",
				len(b.ops), b.size(), ErrBatchTooLarge, err)
		}
		if err != nil {
			return fmt.Errorf("kv: badger commit: key %x: %w", key[1:], err)
		}
	}
	if err := txn.Commit(); err != nil {
		return fmt.Errorf("kv: badger commit of %d ops: %w", len(b.ops), err)
	}
	return nil
}

// badgerLogger sends badger's log lines to slog: informational ones at Debug.
type badgerLogger struct{ l *slog.Logger }

func (b badgerLogger) Errorf(format string, args ...any) {
	b.log(slog.LevelError, format, args)
}

func (b badgerLogger) Warningf(format string, args ...any) {
	b.log(slog.LevelWarn, format, args)
}

func (b badgerLogger) Infof(format string, args ...any) {
	b.log(slog.LevelDebug, format, args)
}

func (b badgerLogger) Debugf(format string, args ...any) {
	b.log(slog.LevelDebug, format, args)
}

func (b badgerLogger) log(level slog.Level, format string, args []any) {
	ctx := context.Background()
	if !b.l.Enabled(ctx, level) {
		return
	}
	b.l.Log(ctx, level, strings.TrimRight(fmt.Sprintf(format, args...), "\n"))
}
