package sidechain

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// Store is the small durable key-value store the producer and the relayer
// keep their progress in. Every write is synced: what a caller wrote
// survives a crash the moment the call returns.
type Store struct {
	db *pebble.DB
}

// OpenStore opens (creating if needed) a store in dir. fs is nil for the
// real file system; tests pass an in-memory one to simulate crashes.
func OpenStore(dir string, fs vfs.FS) (*Store, error) {
	opts := &pebble.Options{MemTableSize: 1 << 20, Logger: quietLogger{}}
	if fs != nil {
		opts.FS = fs
	}
	db, err := pebble.Open(dir, opts)
	if err != nil {
		return nil, fmt.Errorf("sidechain: open store %s: %w", dir, err)
	}
	return &Store{db: db}, nil
}

// Close closes the store.
func (s *Store) Close() error { return s.db.Close() }

// Get returns the value at key, or ok=false.
func (s *Store) Get(key []byte) ([]byte, bool, error) {
	v, c, err := s.db.Get(key)
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("sidechain: store get: %w", err)
	}
	out := append([]byte(nil), v...)
	return out, true, c.Close()
}

// Batch is a set of writes applied atomically by Commit.
type Batch struct{ b *pebble.Batch }

// Batch starts an atomic write.
func (s *Store) Batch() *Batch { return &Batch{b: s.db.NewBatch()} }

// Set queues a write.
func (b *Batch) Set(key, value []byte) { _ = b.b.Set(key, value, nil) }

// Delete queues a deletion.
func (b *Batch) Delete(key []byte) { _ = b.b.Delete(key, nil) }

// Commit applies the batch durably.
func (b *Batch) Commit() error {
	if err := b.b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("sidechain: store commit: %w", err)
	}
	return b.b.Close()
}

// Set writes one key durably.
func (s *Store) Set(key, value []byte) error {
	b := s.Batch()
	b.Set(key, value)
	return b.Commit()
}

// Scan calls fn for each key with prefix, in key order, until fn returns
// false. fn must not keep key or value.
func (s *Store) Scan(prefix []byte, fn func(key, value []byte) bool) error {
	it, err := s.db.NewIter(&pebble.IterOptions{LowerBound: prefix, UpperBound: prefixEnd(prefix)})
	if err != nil {
		return fmt.Errorf("sidechain: store scan: %w", err)
	}
	for ok := it.First(); ok; ok = it.Next() {
		if !fn(it.Key(), it.Value()) {
			break
		}
	}
	return it.Close()
}

// Size is the store's on-disk size in bytes (live sstables and WAL).
func (s *Store) Size() uint64 {
	m := s.db.Metrics()
	return m.DiskSpaceUsage()
}

// Flush writes the memtable out, so Size reflects sstables.
func (s *Store) Flush() error { return s.db.Flush() }

func prefixEnd(p []byte) []byte {
	end := append([]byte(nil), p...)
	for i := len(end) - 1; i >= 0; i-- {
		if end[i] < 0xff {
			end[i]++
			return end[:i+1]
		}
	}
	return nil
}

type quietLogger struct{}

func (quietLogger) Infof(string, ...any)  {}
func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Fatalf(format string, args ...any) {
	panic(fmt.Sprintf(format, args...))
}
