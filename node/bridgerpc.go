package node

import (
	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
)

// The chain reads the two-chain system needs (raw blocks, block hashes,
// burn proofs, validator sets) are served by package api for every node
// (api/chain.go); these names stay for the node's callers.
const (
	MethodRawBlock    = api.MethodRawBlock
	MethodBlockHashes = api.MethodBlockHashes
	MethodBurnProof   = api.MethodBurnProof
	MethodValidators  = api.MethodValidators
)

// RawBlock is accord_getRawBlock's answer (views.RawBlock).
type RawBlock = views.RawBlock

// BurnProofView is accord_getBurnProof's answer (views.BurnProof).
type BurnProofView = views.BurnProof

// nodeMethods are the node-level JSON-RPC methods beyond the API's own
// and the modules' queries: what only a running node knows.
func (n *Node) nodeMethods() map[string]api.Method {
	return map[string]api.Method{
		"accord_getEvidence": n.rpcEvidence,
	}
}
