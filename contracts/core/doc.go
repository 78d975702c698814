// Package core is the frame every contract module plugs into: the execution
// Context a handler receives, the Module interface and its descriptor (the
// optional parts a module implements: Cost, parameter specs and reports,
// invariants, module accounts, result codes, typed events, API queries, CLI
// commands; descriptor.go), and the Router that walks the descriptors once
// at start-up, checks a transaction's envelope (chain, signature, account
// checks such as nonce, fee and freezes), dispatches its payload by type to
// the owning module, and turns the outcome into a receipt with a stable
// (codespace, code). contracts/README.md says how to add a module.
//
// Everything here runs inside block execution, so it is deterministic: no
// wall clock (time is the block time), no map iteration, no floats, no
// goroutines.
package core
