package types

import (
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// Receipt status codes.
const (
	StatusOK     uint8 = 0
	StatusFailed uint8 = 1
)

// Attr is one key/value of an event. Values are strings so events are
// readable by any client without a schema.
type Attr struct {
	Key   string
	Value string
}

// Event is something a transaction (or the block's timer processing) did
// that clients may subscribe to, e.g. "order.locked".
type Event struct {
	Type  string
	Attrs []Attr
}

// Get returns the value of key, or "".
func (e Event) Get(key string) string {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value
		}
	}
	return ""
}

// Receipt is the outcome of one transaction. A transaction included in a
// block always consumes its nonce and pays its fee; if its message fails,
// Status is StatusFailed, Error says why and no other state changes.
type Receipt struct {
	TxHash Hash
	Status uint8
	Error  string
	Fee    uint64
	Events []Event
}

// Hash is the receipt's Merkle leaf.
func (r *Receipt) Hash() Hash {
	b, err := rlp.EncodeToBytes(r)
	if err != nil {
		panic(fmt.Sprintf("encode receipt: %v", err))
	}
	return Keccak(b)
}

// ReceiptRoot is the Merkle root of receipt hashes, in block order.
func ReceiptRoot(rs []*Receipt) Hash {
	leaves := make([]Hash, len(rs))
	for i, r := range rs {
		leaves[i] = r.Hash()
	}
	return MerkleRoot(leaves)
}

// EncodeReceipts encodes a block's receipts.
func EncodeReceipts(rs []*Receipt) []byte {
	b, err := rlp.EncodeToBytes(rs)
	if err != nil {
		panic(fmt.Sprintf("encode receipts: %v", err))
	}
	return b
}

// DecodeReceipts decodes what EncodeReceipts produced.
func DecodeReceipts(b []byte) ([]*Receipt, error) {
	var rs []*Receipt
	if err := rlp.DecodeBytes(b, &rs); err != nil {
		return nil, fmt.Errorf("decode receipts: %w", err)
	}
	return rs, nil
}
