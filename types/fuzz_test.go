package types

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

func FuzzDecodeTx(f *testing.F) {
	key, _ := crypto.GenerateKey()
	tx, _ := SignTx(&Tx{ChainID: "c", Nonce: 1, Type: 1, Payload: []byte("x"), Fee: 1}, key)
	f.Add(tx.Encode())
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		if err != nil {
			return
		}
		// A decoded tx re-encodes to exactly the input: one tx, one ID.
		if string(tx.Encode()) != string(b) {
			t.Fatal("decoded tx re-encodes differently")
		}
		_, _ = tx.Sender()
	})
}

func FuzzDecodeBlock(f *testing.F) {
	b := &Block{Header: Header{ChainID: "c", Height: 1, TxRoot: TxRoot(nil)}}
	f.Add(b.Encode())
	f.Fuzz(func(t *testing.T, raw []byte) {
		blk, err := DecodeBlock(raw)
		if err != nil {
			return
		}
		if err := blk.CheckStructure(); err != nil {
			t.Fatalf("decoded block fails structure: %v", err)
		}
		_ = blk.Hash()
	})
}

func FuzzDecodeCommitCert(f *testing.F) {
	f.Add((&CommitCert{Height: 1, Sigs: []CommitSig{{0, make([]byte, 65)}}}).Encode())
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := DecodeCommitCert(raw)
		if err != nil {
			return
		}
		_, vs := testKeys(1)
		_ = c.Verify("c", vs)
	})
}

func FuzzDecodeReceipts(f *testing.F) {
	f.Add(EncodeReceipts([]*Receipt{{Fee: 1, Events: []Event{{Type: "t"}}}}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		rs, err := DecodeReceipts(raw)
		if err != nil {
			return
		}
		_ = ReceiptRoot(rs)
	})
}

func FuzzParseUSDT(f *testing.F) {
	f.Add("12.5")
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseUSDT(s)
		if err != nil {
			return
		}
		if back, err := ParseUSDT(FormatUSDT(v)); err != nil || back != v {
			t.Fatalf("round trip %q -> %d -> %q", s, v, FormatUSDT(v))
		}
	})
}

func FuzzDecodeCompactBlock(f *testing.F) {
	b := &Block{Header: Header{ChainID: "c", Height: 1, TxRoot: TxRoot(nil)}}
	f.Add(b.Compact().Encode())
	f.Fuzz(func(t *testing.T, raw []byte) {
		c, err := DecodeCompactBlock(raw)
		if err != nil {
			return
		}
		if uint64(len(c.TxHashes)) != uint64(c.Header.TxCount) || MerkleRoot(c.TxHashes) != c.Header.TxRoot {
			t.Fatal("decoded compact block does not match its header")
		}
		_ = c.Hash()
	})
}
