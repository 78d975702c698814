// Package state is the working copy of the application state that a block
// executes against: an Overlay of pending writes over a read-only view of the
// committed state, with a journal so one transaction's writes can be rolled
// back, a sorted write set at the end of the block, and the app hash that
// commits to it.
//
// Contract modules see the state only through the Store interface. Reads and
// iteration are deterministic: iteration merges the committed view and the
// pending writes in key order; nothing depends on map order.
package state
