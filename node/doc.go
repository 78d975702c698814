// Package node assembles a running Accord node from its home directory:
// the ledger, the application (contract modules), the mempool, block
// production (the consensus driver), the HTTP API and metrics. It holds no
// protocol rules of its own: it wires the packages that do.
//
// Home layout (the home is mode 0700):
//
//	HOME/config/config.json   node settings (RPC address, database, block limits)
//	HOME/config/genesis.json  the chain's genesis document
//	HOME/config/validator.key this node's validator key, mode 0600: hex, or
//	                          encrypted (keystore v3; password from a file
//	                          or $ACCORD_VALIDATOR_PASSWORD)
//	HOME/keys/NAME.json       account keys (Ethereum keystore v3)
//	HOME/data/ledger/         the chain database (pebble or badger)
//
// Proposals are compact (compact.go): a validator publishes its PRE-PREPARE
// with transaction hashes, and one that receives it rebuilds the block from
// its mempool and recent blocks, fetching only the transactions it lacks,
// before the consensus engine sees it; the engine only ever handles whole
// blocks (see consensus/doc.go, driver duty 4, for why the engine does not
// do this itself).
//
// Performance notes for operators. Set "pprof_addr": "127.0.0.1:6060" in
// config.json to serve /debug/pprof/ on a loopback listener of its own, e.g.
// `go tool pprof http://127.0.0.1:6060/debug/pprof/profile?seconds=10`.
// With --log-level debug the driver logs each block's validation, commit and
// mempool-update times. accord_sigcache_misses_total should grow by about one
// per transaction (each signature is recovered once, at mempool admission;
// block validation hits the cache). On a 2-core machine running 4
// validators, secp256k1 recovery is ~57% of all node CPU at saturation
// (~3,800 finalized transfers/s); the rest is spread thin (block execution,
// tx decoding, Keccak, JSON-RPC, GC ~5%). Raising GOGC (400) did not help
// measurably there; the default is fine. gc_percent and memory_limit_mb in
// config.json set GOGC and GOMEMLIMIT for `accord start` (runtime.go): a
// memory limit keeps a raised gc_percent from growing the heap past the
// machine. max_block_txs below the default
// 10,000 did not improve throughput or tail latency either.
package node
