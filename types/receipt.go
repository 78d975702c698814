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
// Status is StatusFailed, (Codespace, Code) is the stable reason (the
// failing module's name and a number it registered for the error) and no
// other state changes. Error is the human message: it is stored with the
// receipt but not hashed, so rewording an error (or upgrading a library
// whose text it quotes) cannot change a block's ReceiptRoot.
type Receipt struct {
	TxHash    Hash
	Status    uint8
	Codespace string
	Code      uint32
	Fee       uint64
	Events    []Event
	Error     string
}

// hashedReceipt is the part of a receipt the Merkle leaf commits to.
type hashedReceipt struct {
	TxHash    Hash
	Status    uint8
	Codespace string
	Code      uint32
	Fee       uint64
	Events    []Event
}

// Hash is the receipt's Merkle leaf: every field but Error.
func (r *Receipt) Hash() Hash {
	_, h := r.EncodeAndHash()
	return h
}

// EncodeAndHash returns the receipt's stored encoding (RLP of every field,
// as EncodeReceipts stores it) and its Merkle leaf with one encoding pass:
// the hashed fields are a prefix of the stored ones, so the stored list is
// the hashed list's content followed by Error.
func (r *Receipt) EncodeAndHash() ([]byte, Hash) {
	hashed, err := rlp.EncodeToBytes(&hashedReceipt{TxHash: r.TxHash, Status: r.Status, Codespace: r.Codespace,
		Code: r.Code, Fee: r.Fee, Events: r.Events})
	if err != nil {
		panic(fmt.Sprintf("encode receipt: %v", err))
	}
	_, content, _, err := rlp.Split(hashed)
	if err != nil {
		panic(fmt.Sprintf("encode receipt: %v", err))
	}
	size := len(content) + rlpStringLen(r.Error)
	out := make([]byte, 0, size+9)
	out = appendRLPListHeader(out, size)
	out = appendRLPString(append(out, content...), r.Error)
	return out, Keccak(hashed)
}

func rlpStringLen(s string) int {
	switch {
	case len(s) == 1 && s[0] < 0x80:
		return 1
	case len(s) < 56:
		return 1 + len(s)
	}
	return 1 + beLen(len(s)) + len(s)
}

func appendRLPString(b []byte, s string) []byte {
	switch {
	case len(s) == 1 && s[0] < 0x80:
		return append(b, s[0])
	case len(s) < 56:
		return append(append(b, 0x80+byte(len(s))), s...)
	}
	return append(appendBE(append(b, 0xb7+byte(beLen(len(s)))), len(s)), s...)
}

func beLen(n int) int {
	l := 0
	for ; n > 0; n >>= 8 {
		l++
	}
	return l
}

func appendBE(b []byte, n int) []byte {
	for i := beLen(n) - 1; i >= 0; i-- {
		b = append(b, byte(n>>(8*i)))
	}
	return b
}

// appendRLPListHeader appends the RLP header of a list of size content bytes.
func appendRLPListHeader(b []byte, size int) []byte {
	if size < 56 {
		return append(b, 0xc0+byte(size))
	}
	return appendBE(append(b, 0xf7+byte(beLen(size))), size)
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
