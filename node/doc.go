// Package node assembles a running Accord node from its home directory:
// the ledger, the application (contract modules), the mempool, block
// production (the consensus driver), the HTTP API and metrics. It holds no
// protocol rules of its own: it wires the packages that do.
//
// Home layout:
//
//	HOME/config/config.json   node settings (RPC address, database, block limits)
//	HOME/config/genesis.json  the chain's genesis document
//	HOME/config/validator.key this node's validator key (hex, mode 0600)
//	HOME/keys/NAME.json       account keys (Ethereum keystore v3)
//	HOME/data/ledger/         the chain database (pebble or badger)
package node
