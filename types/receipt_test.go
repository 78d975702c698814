package types

import (
	"testing"

	"github.com/ethereum/go-ethereum/rlp"
)

func TestReceiptHashOmitsTheMessage(t *testing.T) {
	a := &Receipt{TxHash: Keccak([]byte("t")), Status: StatusFailed, Codespace: "order", Code: 4, Fee: 1, Error: "wrong state"}
	b := *a
	b.Error = "the order is in the wrong state (reworded)"
	if a.Hash() != b.Hash() {
		t.Fatal("rewording the message changed the receipt hash")
	}
	for _, change := range []func(r *Receipt){
		func(r *Receipt) { r.Code = 5 },
		func(r *Receipt) { r.Codespace = "bank" },
		func(r *Receipt) { r.Status = StatusOK },
		func(r *Receipt) { r.Events = []Event{{Type: "x"}} },
	} {
		c := *a
		change(&c)
		if c.Hash() == a.Hash() {
			t.Fatalf("a hashed field changed but the hash did not: %+v", c)
		}
	}
	// One pass yields exactly the stored encoding and the leaf, short and
	// long (list header of more than 55 bytes) alike.
	long := b
	long.Error = string(make([]byte, 300))
	one, empty := b, b
	one.Error, empty.Error = "x", ""
	mid := b
	mid.Error = string(make([]byte, 60))
	for _, r := range []*Receipt{a, &b, &long, &one, &empty, &mid} {
		enc, leaf := r.EncodeAndHash()
		want, err := rlp.EncodeToBytes(r)
		if err != nil || string(enc) != string(want) || leaf != r.Hash() {
			t.Fatalf("EncodeAndHash of %q: %x, want %x", r.Error, enc, want)
		}
	}
	// The message is stored.
	rs, err := DecodeReceipts(EncodeReceipts([]*Receipt{&b}))
	if err != nil || len(rs) != 1 || rs[0].Error != b.Error || rs[0].Code != 4 || rs[0].Codespace != "order" {
		t.Fatalf("round trip: %+v %v", rs, err)
	}
}
