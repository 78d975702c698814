package kv

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Errors returned by this package. They may be wrapped; test with errors.Is.
var (
	// ErrNotFound is returned by Get when the key is absent.
	ErrNotFound = errors.New("kv: not found")
	// ErrClosed is returned by any operation on a closed DB, snapshot,
	// iterator or a batch that was already committed or closed.
	ErrClosed = errors.New("kv: closed")
	// ErrEmptyKey is returned when a key is nil or empty.
	ErrEmptyKey = errors.New("kv: empty key")
	// ErrReadOnly is returned by writes to a DB opened with Options.ReadOnly.
	ErrReadOnly = errors.New("kv: read-only")
	// ErrBatchTooLarge is returned by Commit when the engine cannot apply the
	// batch atomically (badger limits one transaction to about 15% of its
	// memtable). Nothing was written; split the work or use pebble.
	ErrBatchTooLarge = errors.New("kv: batch too large")
	// ErrUnknownBackend is returned by Open for a backend name it does not know.
	ErrUnknownBackend = errors.New("kv: unknown backend")
)

// Backend names accepted by Open.
const (
	BackendPebble = "pebble"
	BackendBadger = "badger"
	BackendMemory = "memory"
)

// Iterator walks a range of keys in order. It is not safe for concurrent use.
// It always has to be closed.
type Iterator interface {
	// Next moves to the next item; the first call moves to the first item.
	// It returns false at the end of the range or on error (see Err).
	Next() bool
	// Key returns the current key, valid until the next Next or Close; the
	// caller copies it to retain it. Nil when not positioned on an item.
	Key() []byte
	// Value returns the current value with the same lifetime as Key.
	Value() []byte
	// Err returns the error that stopped the iteration, if any.
	Err() error
	// Close releases the iterator. It is safe to call more than once.
	Close() error
}

// Reader reads keys. Bounds are half-open, [start,end); a nil or empty bound
// is unbounded, and start >= end yields an empty iterator.
type Reader interface {
	// Get returns a copy of the value the caller owns (non-nil, possibly
	// empty), or an error matching ErrNotFound if the key is absent.
	Get(key []byte) ([]byte, error)
	Has(key []byte) (bool, error)
	// Iterator walks [start,end) in ascending order.
	Iterator(start, end []byte) (Iterator, error)
	// ReverseIterator walks [start,end) in descending order.
	ReverseIterator(start, end []byte) (Iterator, error)
}

// Batch collects writes and applies them atomically on Commit. Operations on
// the same key apply in order (the last one wins). A batch is not safe for
// concurrent use and is single-use: after Commit (successful or not) or Close
// further Set, Delete and Commit calls return ErrClosed.
type Batch interface {
	// Set stores value under key. The batch copies both; the caller may reuse
	// the buffers. A nil value is stored as an empty value.
	Set(key, value []byte) error
	Delete(key []byte) error
	// Len returns the number of operations.
	Len() int
	// Size returns the approximate encoded size in bytes.
	Size() int
	// Commit applies the batch atomically; it is durable (fsync) before it
	// returns unless the DB was opened with Options.NoSync.
	Commit() error
	// Close discards an uncommitted batch. Safe after Commit and repeated.
	Close() error
}

// Snapshot is a consistent point-in-time view of the DB. It is safe for
// concurrent use and must be closed; closing it releases its iterators.
type Snapshot interface {
	Reader
	Close() error
}

// DB is an ordered key-value store. It is safe for concurrent use.
type DB interface {
	Reader
	NewBatch() Batch
	Snapshot() (Snapshot, error)
	// Close flushes and closes the store, releasing any iterators and
	// snapshots still open. A second Close returns ErrClosed.
	Close() error
	// Backend returns "pebble", "badger" or "memory".
	Backend() string
}

// Options configure Open. The zero value is a durable, writable DB with a
// small cache and no logging.
type Options struct {
	// NoSync makes Batch.Commit return without waiting for fsync. A crash may
	// then lose recent commits (never tear one).
	NoSync bool
	// CacheBytes sizes the block cache; 0 means 8 MiB.
	CacheBytes int64
	// MemTableBytes sizes pebble's memtable; 0 means DefaultMemTableBytes.
	// A loaded validator's blocks are several MiB: with a small memtable
	// each forces a flush and, every few blocks, a compaction that rewrites
	// the level below, costing about as much CPU as executing the block.
	// The WAL's disk does not follow this size (walprealloc.go), and
	// pebble's first memtables are small (256 KiB, doubling at each
	// switch), so an idle node pays for it neither in disk nor at once in
	// memory. Other backends ignore it.
	MemTableBytes int64
	// ValueLogFileBytes sizes badger's value-log files; 0 means 64 MiB.
	// It also bounds the largest value, and badger gives the disk of
	// deleted values back one whole file at a time (see Reclaim), so
	// smaller files suit tests. Other backends ignore it.
	ValueLogFileBytes int64
	// ReadOnly opens an existing store without write access; writes fail
	// with ErrReadOnly. The memory backend refuses it.
	ReadOnly bool
	// Logger receives the engine's warnings and errors (its informational
	// chatter goes to Debug). Nil discards everything.
	Logger *slog.Logger
	// Fatal, if set, receives the message of an error the engine cannot
	// continue after (pebble: a failed WAL or MANIFEST write, corruption),
	// e.g. to end the process with one line. If it returns, the store
	// panics as it does without it.
	Fatal func(msg string)
}

const defaultCacheBytes = 8 << 20

// Memtable sizes. The default is sized for a validator finalizing
// thousands of transactions per second; SmallMemTableBytes, the default
// before the WAL's preallocation was capped, bounds the memory of a node
// that must stay small. LoadMemTableBytes is the default, named for the
// benchmarks that ask for it.
const (
	DefaultMemTableBytes = 64 << 20
	LoadMemTableBytes    = DefaultMemTableBytes
	SmallMemTableBytes   = 4 << 20
	// MaxMemTableBytes bounds the setting: pebble refuses 4 GiB and more.
	MaxMemTableBytes = 1 << 30
)

func (o Options) logger() *slog.Logger {
	if o.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return o.Logger
}

func (o Options) memTableBytes() uint64 {
	if o.MemTableBytes <= 0 {
		return DefaultMemTableBytes
	}
	return uint64(min(o.MemTableBytes, MaxMemTableBytes))
}

func (o Options) cacheBytes() int64 {
	if o.CacheBytes <= 0 {
		return defaultCacheBytes
	}
	return o.CacheBytes
}

// Backends lists the backend names Open accepts, default first.
func Backends() []string {
	return []string{BackendPebble, BackendBadger, BackendMemory}
}

// Open opens the store of the named backend in dir. An empty backend means
// pebble. The memory backend ignores dir.
func Open(backend, dir string, opts Options) (DB, error) {
	switch backend {
	case "", BackendPebble:
		return OpenPebble(dir, opts)
	case BackendBadger:
		return OpenBadger(dir, opts)
	case BackendMemory:
		return openMemory(opts)
	default:
		return nil, fmt.Errorf("%w %q (want one of %s)",
			ErrUnknownBackend, backend, strings.Join(Backends(), ", "))
	}
}

// PrefixEnd returns the smallest key greater than every key that starts with
// prefix, i.e. the end bound for iterating the prefix. It returns nil
// (unbounded) when prefix is empty or all 0xff. The result is a new slice.
func PrefixEnd(prefix []byte) []byte {
	for i := len(prefix) - 1; i >= 0; i-- {
		if prefix[i] != 0xff {
			end := make([]byte, i+1)
			copy(end, prefix)
			end[i]++
			return end
		}
	}
	return nil
}
