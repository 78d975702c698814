package types

import (
	"crypto/ecdsa"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func testKeys(n int) ([]*ecdsa.PrivateKey, *ValidatorSet) {
	keys := make([]*ecdsa.PrivateKey, n)
	addrs := make([]Address, n)
	for i := range keys {
		keys[i], _ = crypto.GenerateKey()
		addrs[i] = PubkeyAddress(keys[i])
	}
	vs, _ := NewValidatorSet(addrs)
	return keys, vs
}

func signedCert(t testing.TB, chain string, keys []*ecdsa.PrivateKey, h, v uint64, bh Hash, idx ...int) *CommitCert {
	c := &CommitCert{Height: h, View: v, BlockHash: bh}
	d := CommitDigest(chain, h, v, bh)
	for _, i := range idx {
		sig, err := SignDigest(d, keys[i])
		if err != nil {
			t.Fatal(err)
		}
		c.Sigs = append(c.Sigs, CommitSig{Index: uint32(i), Sig: sig})
	}
	return c
}

func TestCommitCertVerify(t *testing.T) {
	keys, vs := testKeys(4)
	bh := Keccak([]byte("block"))
	good := signedCert(t, "c", keys, 5, 0, bh, 0, 1, 3)
	if err := good.Verify("c", vs); err != nil {
		t.Fatal(err)
	}
	dup := signedCert(t, "c", keys, 5, 0, bh, 0, 1, 1)
	wrongSigner := signedCert(t, "c", keys, 5, 0, bh, 0, 1, 2)
	wrongSigner.Sigs[2].Index = 3
	cases := []struct {
		name  string
		cert  *CommitCert
		chain string
		want  error
	}{
		{"too few signatures", signedCert(t, "c", keys, 5, 0, bh, 0, 1), "c", ErrNoQuorum},
		{"duplicate signer", dup, "c", ErrBadCert},
		{"signature under another index", wrongSigner, "c", ErrBadCert},
		{"other chain", good, "other", ErrBadCert},
		{"index out of range", &CommitCert{Height: 5, BlockHash: bh, Sigs: []CommitSig{{0, good.Sigs[0].Sig}, {1, good.Sigs[1].Sig}, {9, good.Sigs[2].Sig}}}, "c", ErrNotValidator},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cert.Verify(c.chain, vs); !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
		})
	}
	dec, err := DecodeCommitCert(good.Encode())
	if err != nil || dec.Hash() != good.Hash() {
		t.Fatalf("cert round trip: %v", err)
	}
}

func TestBlockRoundTripAndStructure(t *testing.T) {
	keys, vs := testKeys(4)
	var txs []*Tx
	for i := 0; i < 5; i++ {
		tx, _ := SignTx(&Tx{ChainID: "c", Nonce: uint64(i), Type: 1, Payload: []byte{byte(i)}, Fee: 1}, keys[0])
		txs = append(txs, tx)
	}
	parent := Keccak([]byte("parent"))
	cert := signedCert(t, "c", keys, 1, 0, parent, 0, 1, 2)
	b := &Block{Header: Header{ChainID: "c", Height: 2, Time: 1000, ParentHash: parent, LastCertHash: cert.Hash(),
		TxRoot: TxRoot(txs), ValidatorsHash: vs.Hash(), TxCount: 5}, Txs: txs, LastCert: cert}
	dec, err := DecodeBlock(b.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if dec.Hash() != b.Hash() || len(dec.Txs) != 5 || dec.LastCert.Hash() != cert.Hash() {
		t.Fatal("block changed across round trip")
	}
	for i := range txs {
		if dec.Txs[i].Hash() != txs[i].Hash() {
			t.Fatalf("tx %d hash changed", i)
		}
	}
	genesisLike := &Block{Header: Header{ChainID: "c", Height: 1, TxRoot: TxRoot(nil)}}
	if _, err := DecodeBlock(genesisLike.Encode()); err != nil {
		t.Fatalf("height 1 without cert: %v", err)
	}

	mutations := []struct {
		name   string
		mutate func(*Block)
	}{
		{"tx count mismatch", func(b *Block) { b.Header.TxCount = 4 }},
		{"tx root mismatch", func(b *Block) { b.Txs = b.Txs[:4]; b.Header.TxCount = 4 }},
		{"missing parent cert", func(b *Block) { b.LastCert = nil }},
		{"cert for another parent", func(b *Block) { b.Header.ParentHash = Keccak([]byte("x")) }},
		{"cert hash mismatch", func(b *Block) { b.Header.LastCertHash = Hash{} }},
	}
	for _, m := range mutations {
		t.Run(m.name, func(t *testing.T) {
			cp := *b
			cp.Txs = append([]*Tx(nil), b.Txs...)
			m.mutate(&cp)
			if _, err := DecodeBlock(cp.Encode()); !errors.Is(err, ErrMalformedBlock) {
				t.Fatalf("err = %v, want ErrMalformedBlock", err)
			}
		})
	}
}

func TestReceiptsRoundTrip(t *testing.T) {
	rs := []*Receipt{{TxHash: Keccak([]byte("a")), Fee: 3, Events: []Event{{Type: "bank.transfer", Attrs: []Attr{{"from", "x"}}}}},
		{TxHash: Keccak([]byte("b")), Status: StatusFailed, Error: "insufficient funds"}}
	dec, err := DecodeReceipts(EncodeReceipts(rs))
	if err != nil || ReceiptRoot(dec) != ReceiptRoot(rs) {
		t.Fatalf("receipts changed: %v", err)
	}
	if dec[0].Events[0].Get("from") != "x" {
		t.Fatal("event attribute lost")
	}
}
