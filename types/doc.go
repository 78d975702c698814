// Package types holds the data every other Accord package exchanges:
// transactions, block headers, blocks, commit certificates, receipts and
// events, together with their canonical encoding (RLP), hashing (Keccak-256)
// and signatures (secp256k1, Ethereum-style 20-byte addresses).
//
// It is the leaf of the dependency graph: it imports no other Accord package,
// so consensus, ledger, mempool and the contracts can all share it.
//
// Every signed payload carries the chain ID, so a transaction or a vote
// signed for one chain is invalid on any other.
package types
