// Package ledger stores the chain and executes blocks.
//
// One KV database (pebble by default, badger/v4 as an alternative; see
// package kv) holds blocks by height and hash, their commit certificates
// and receipts, a transaction index, and the application state under its own
// prefix. A block and everything it changes are written in one atomic batch
// with one fsync, so after a crash the store is exactly at the last fully
// committed height.
//
// Execution is immediate: the proposer executes a block before proposing it
// (Build) and every validator executes it before voting (Execute); the header
// commits to the resulting state root (an app hash chained over each block's
// sorted write set) and receipt root. The ledger knows nothing of the
// business rules: it drives an App, an interface it declares (app.go),
// through one block loop for both: BeginBlock, then ApplyTx per transaction.
// It imports no contracts package; the application sits above it.
package ledger
