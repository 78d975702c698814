// Package sigcache remembers which address signed which transaction (and
// which consensus vote), so each secp256k1 signature is recovered once per
// node: one cache serves the mempool, block validation, the consensus
// gossip validator and the consensus engine.
//
// Recovering a sender costs tens of microseconds (one ECDSA public-key
// recovery), which makes it the dominant cost of both mempool admission and
// block validation. A transaction usually reaches a validator twice: first
// by gossip into the mempool, then inside a proposed block, each time as a
// freshly decoded *types.Tx. Sharing one Cache between the mempool and block
// validation means the second arrival is a map lookup.
//
// The key is the transaction hash, the Keccak-256 of the full signed
// encoding. The hash covers every signed field and the signature itself, so
// two transactions with the same hash have the same sender: a hit is as good
// as a recovery. Only successful recoveries are stored; an invalid signature
// is recovered again each time it is presented.
//
// The cache is bounded. Entries are spread over shards by hash, each shard
// evicts its oldest entry (FIFO) when full, and lookups that hit do not
// allocate. A Cache is safe for concurrent use; a nil *Cache is valid and
// caches nothing.
package sigcache
