package types

import (
	"bytes"
	"errors"
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

func FuzzDecodeTx(f *testing.F) {
	key, _ := crypto.GenerateKey()
	tx, _ := SignTx(&Tx{ChainID: "c", Nonce: 1, Type: 1, Payload: []byte("x"), Fee: 1}, key)
	f.Add(tx.Encode())
	f.Add([]byte{0xc0})
	long, _ := SignTx(&Tx{ChainID: "accord-local", Nonce: 1 << 40, Type: 0xffff, Payload: bytes.Repeat([]byte{7}, 300), Fee: 1}, key)
	f.Add(long.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := DecodeTx(b)
		ref, refErr := referenceDecodeTx(b)
		if (err == nil) != (refErr == nil) {
			t.Fatalf("DecodeTx err %v, reflective decoder err %v", err, refErr)
		}
		if err != nil {
			if !errors.Is(err, ErrMalformedTx) && !errors.Is(err, ErrTxTooLarge) && !errors.Is(err, ErrTrailingBytes) {
				t.Fatalf("error %v is not a decoding sentinel", err)
			}
			return
		}
		if tx.ChainID != ref.ChainID || tx.Nonce != ref.Nonce || tx.Type != ref.Type || !bytes.Equal(tx.Payload, ref.Payload) ||
			tx.Fee != ref.Fee || !bytes.Equal(tx.Sig, ref.Sig) {
			t.Fatalf("decoded %+v, reflective decoder %+v", tx, ref)
		}
		if tx.SigningHash() != referenceSigningHash(ref) {
			t.Fatal("signing hash differs from rlp's encoding of the unsigned fields")
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

// referenceDecodeTx is the decoder DecodeTx replaced: rlp's reflective
// decoder, then a re-encode to insist on canonical bytes. The fuzz target
// holds the two to the same verdicts and fields.
func referenceDecodeTx(b []byte) (*Tx, error) {
	if len(b) > MaxTxSize {
		return nil, ErrTxTooLarge
	}
	var f txFields
	if err := rlp.DecodeBytes(b, &f); err != nil {
		return nil, err
	}
	if len(f.Sig) != SignatureLength {
		return nil, errors.New("signature length")
	}
	if re, _ := rlp.EncodeToBytes(&f); !bytes.Equal(re, b) {
		return nil, errors.New("non-canonical")
	}
	return &Tx{ChainID: f.ChainID, Nonce: f.Nonce, Type: f.Type, Payload: f.Payload, Fee: f.Fee, Sig: f.Sig}, nil
}

// referenceSigningHash is SigningHash through rlp's encoder.
func referenceSigningHash(tx *Tx) Hash {
	b, err := rlp.EncodeToBytes(&unsignedTx{tx.ChainID, tx.Nonce, tx.Type, tx.Payload, tx.Fee})
	if err != nil {
		panic(err)
	}
	return Keccak(b)
}
