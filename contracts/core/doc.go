// Package core is the frame every contract module plugs into: the execution
// Context a handler receives, the Module interface, and the Router that
// checks a transaction's envelope (chain, signature, account checks such as
// nonce, fee and freezes), dispatches its payload by type to the owning
// module, and turns the outcome into a receipt.
//
// Everything here runs inside block execution, so it is deterministic: no
// wall clock (time is the block time), no map iteration, no floats, no
// goroutines.
package core
