package views

import (
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/common/hexutil"
)

// RawBlock is accord_getRawBlock's answer: what a light client or a
// relayer re-verifies, in canonical RLP (types.Header, types.CommitCert,
// one types.Receipt each). It lives here rather than in package node so
// the SDK can decode it without importing the node.
type RawBlock struct {
	Height   uint64          `json:"height"`
	Hash     types.Hash      `json:"hash"`
	Header   hexutil.Bytes   `json:"header"`
	Cert     hexutil.Bytes   `json:"cert"`
	Receipts []hexutil.Bytes `json:"receipts"`
}

// BurnProof is accord_getBurnProof's answer. Proof (the RLP of a
// proof.BurnProof, MsgRelease's Proof) is set when the range of the
// checkpoint covering Height was given; without it the rest says where
// the burn is, so a caller can ask main for the covering checkpoint
// (accord_getCheckpointCovering) and then for the proof.
type BurnProof struct {
	ChainID      string        `json:"chain_id"`
	Tx           types.Hash    `json:"tx"`
	Height       uint64        `json:"height"`
	ReceiptIndex uint64        `json:"receipt_index"`
	EventIndex   uint64        `json:"event_index"`
	BurnID       types.Hash    `json:"burn_id"` // what main records as released
	Recipient    types.Address `json:"recipient"`
	Amount       uint64        `json:"amount"`
	Start        uint64        `json:"start,omitempty"`
	End          uint64        `json:"end,omitempty"`
	BlocksRoot   *types.Hash   `json:"blocks_root,omitempty"` // the root the proof verifies against, to compare with main's checkpoint
	Proof        hexutil.Bytes `json:"proof,omitempty"`
}

// Validators is accord_getValidators' answer: the validator set that
// finalizes block Height, in index order (a commit certificate's
// signature indexes point into it), and its hash (types.ValidatorSet.Hash,
// the header's ValidatorsHash).
type Validators struct {
	Height     uint64          `json:"height"`
	Hash       types.Hash      `json:"hash"`
	Validators []types.Address `json:"validators"`
}
