package kv

import (
	"context"
	"errors"

	"github.com/dgraph-io/badger/v4"
)

// Compact asks the engine to compact its whole key space now, e.g. after a
// bulk load or after pruning deleted much, so reads and disk use reach
// their steady state at once rather than as background compactions catch
// up. It blocks until done. The memory backend has nothing to do.
func Compact(db DB) error {
	s, ok := db.(*store)
	if !ok {
		return nil
	}
	c, ok := s.eng.(interface{ compact() error })
	if !ok {
		return nil
	}
	if !s.rlock() {
		return ErrClosed
	}
	defer s.mu.RUnlock()
	return c.compact()
}

func (e *pebbleEngine) compact() error {
	// Every key is below 0xff... (ledger keys are ASCII prefixes).
	return e.db.Compact(context.Background(), []byte{0}, []byte{0xff, 0xff, 0xff, 0xff}, true)
}

// compact flattens the LSM tree, then rewrites value-log files while
// that frees space (deleted blocks live in the value log, which Flatten
// does not touch).
func (e *badgerEngine) compact() error {
	if err := e.db.Flatten(2); err != nil {
		return err
	}
	for {
		err := e.db.RunValueLogGC(badgerGCRatio)
		switch {
		case err == nil:
			continue
		case errors.Is(err, badger.ErrNoRewrite), errors.Is(err, badger.ErrRejected):
			return nil
		default:
			return err
		}
	}
}
