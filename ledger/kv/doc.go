// Package kv is the ordered key-value store under the ledger: the block
// store, the state store and everything else Accord persists sit on the DB
// interface defined here.
//
// Two embedded engines implement it: pebble (the default, "pebble") and
// badger/v4 ("badger"). A third, "memory", is pebble over an in-memory file
// system and exists for tests. Operators pick an engine with Open; code above
// this package must not care which one it got, so every engine passes the
// same conformance suite in package kvtest, and a behaviour the suite does
// not pin down is not part of the contract.
//
// What callers can rely on, on every engine:
//
//   - Keys are non-empty byte strings ordered bytewise (bytes.Compare);
//     values may be empty, and an empty value is distinct from a missing key.
//   - Get returns a copy the caller owns. Iterator.Key and Iterator.Value
//     return memory owned by the iterator, valid until the next call to Next
//     or Close; copy them to keep them.
//   - Iterators and snapshots are point-in-time views: writes committed after
//     they were created are never visible through them.
//   - A Batch is applied atomically by Commit, and Commit is durable (fsync)
//     before it returns unless the DB was opened with Options.NoSync. A batch
//     the badger engine cannot apply atomically fails with ErrBatchTooLarge
//     and writes nothing.
//   - DB, Snapshot and their Get/Has/Iterator methods are safe for concurrent
//     use; a single Batch or Iterator is not.
//   - After DB.Close every method of the DB and of the iterators, snapshots
//     and batches made from it returns ErrClosed (Next returns false and Err
//     reports ErrClosed); none of them panics. Close on a DB releases the
//     iterators and snapshots still open on it, and Close on a Snapshot
//     releases the iterators made from it.
package kv
