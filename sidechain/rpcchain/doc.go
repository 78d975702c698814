// Package rpcchain carries the sidechain processes' view of a chain over
// JSON-RPC: Main and Side implement sidechain's chain interfaces over any
// JSON-RPC caller (client.Client), and the checkpoint producer's process
// parts (SideBlocks, MainAnchors, Peers, ProducerHandler,
// ProducerCheckpoints) talk to the node and to the other producers.
//
// It reads only what every node documents (api/openrpc.json): the chain
// reads accord_getRawBlock, accord_getBlockHashes and accord_getValidators,
// and the modules' queries accord_getBridgeDeposit,
// accord_getBridgeWithdrawal, accord_getBridgeBurn, accord_getSideChain,
// accord_getCheckpointCovering (main), accord_getLightClientHeader and
// accord_getBridgeLock and accord_getBurnHold (side). Every answer it acts on is checked where it
// can be: receipts against the header's receipt root, a checkpoint against
// its hash, a validator set against its hash, a record against the ID
// asked for. A record the chain does not have (CodeNotFound) is "nothing
// yet" (false, nil) where the interface says so.
package rpcchain
