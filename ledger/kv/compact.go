package kv

import (
	"context"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Compact asks the engine to compact its whole key space now, e.g. after a
// bulk load or after pruning deleted much, so reads and disk use reach
// their steady state at once rather than as background compactions catch
// up. It blocks until done (on badger, writes wait while its memtables are
// written out). The memory backend has nothing to do.
func Compact(db DB) error {
	return maintain(db, func(e maintainer) error { return e.compact() })
}

// Reclaim tells the store that a caller just deleted about deleted bytes
// of values (e.g. pruned blocks), so it can give their disk back within
// bounded work. Pebble's own compactions drop deleted data as they go, so
// on pebble (and memory) it does nothing. On badger, deleted values stay
// in the value log until a garbage collection rewrites their file, and it
// only picks files that compactions have found mostly dead; so once the
// deletes add up to a value-log file, Reclaim writes the memtables out and
// compacts level 0 into the tree (writes wait for that, about as long as
// one memtable flush), then rewrites at most badgerReclaimFiles value-log
// files. Otherwise it returns at once.
func Reclaim(db DB, deleted int64) error {
	return maintain(db, func(e maintainer) error { return e.reclaim(deleted) })
}

type maintainer interface {
	compact() error
	reclaim(deleted int64) error
}

func maintain(db DB, f func(maintainer) error) error {
	s, ok := db.(*store)
	if !ok {
		return nil
	}
	m, ok := s.eng.(maintainer)
	if !ok {
		return nil
	}
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	return f(m)
}

func (e *pebbleEngine) compact() error {
	// Every key is below 0xff... (ledger keys are ASCII prefixes).
	return e.db.Compact(context.Background(), []byte{0}, []byte{0xff, 0xff, 0xff, 0xff}, true)
}

func (e *pebbleEngine) reclaim(int64) error { return nil }

// badgerReclaimFiles bounds the value-log files one Reclaim rewrites (each
// rewrite reads the whole file and writes its live entries again).
const badgerReclaimFiles = 4

// compact writes the memtables out, flattens the LSM tree, then rewrites
// value-log files while that frees space (deleted blocks live in the value
// log, which Flatten does not touch).
func (e *badgerEngine) compact() error {
	e.maint.Lock()
	defer e.maint.Unlock()
	if err := e.flush(); err != nil {
		return err
	}
	if err := e.db.Flatten(2); err != nil {
		return err
	}
	return e.gcValueLog(-1)
}

func (e *badgerEngine) reclaim(deleted int64) error {
	if e.deleted.Add(deleted) < e.vlogFile {
		return nil
	}
	e.deleted.Store(0)
	e.maint.Lock()
	defer e.maint.Unlock()
	if err := e.flush(); err != nil {
		return err
	}
	return e.gcValueLog(badgerReclaimFiles)
}

// badgerFlushKey is a key outside the user key space (badgerKeyPrefix)
// that flush writes and drops again.
var badgerFlushKey = []byte{'f'}

// flush writes every memtable out and compacts level 0 into the next
// level. A delete counts toward the value log's discard stats only once a
// compaction meets the value it deletes, and badger leaves level 0 alone
// until it holds NumLevelZeroTables tables (Flatten too, when the tree has
// no other level), so deleted blocks could sit in the value log for many
// memtables' worth of writes. Badger has no call that does only this;
// DropPrefix does it on its way (blocking writes meanwhile), so flush
// drops a key written for the purpose.
func (e *badgerEngine) flush() error {
	e.writes.Lock()
	defer e.writes.Unlock()
	if err := e.db.Update(func(txn *badger.Txn) error { return txn.Set(badgerFlushKey, nil) }); err != nil {
		return err
	}
	return e.db.DropPrefix(badgerFlushKey)
}

// gcValueLog rewrites value-log files that are at least badgerGCRatio
// dead, at most max of them (all there are if max < 0). Each file's
// rewrite runs between commits: badger (v4.9.6) reads the memtable's
// newest version for it without the lock writes update it under, a data
// race, so commits wait for one file's rewrite at a time.
func (e *badgerEngine) gcValueLog(max int) error {
	for n := 0; max < 0 || n < max; n++ {
		e.writes.Lock()
		err := e.db.RunValueLogGC(badgerGCRatio)
		e.writes.Unlock()
		switch {
		case err == nil:
			continue // a file was rewritten; there may be more
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			return nil
		default:
			return err
		}
	}
	return nil
}
