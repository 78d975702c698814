package types

import (
	"testing"

	"github.com/ethereum/go-ethereum/crypto"
)

// benchTransfer is a signed transaction the size of a bank transfer.
func benchTransfer(b *testing.B) []byte {
	key, _ := crypto.GenerateKey()
	tx, err := SignTx(&Tx{ChainID: "accord-local", Nonce: 12345, Type: 0x0101, Payload: make([]byte, 34), Fee: 1000}, key)
	if err != nil {
		b.Fatal(err)
	}
	return tx.Encode()
}

// BenchmarkDecodeTx is the per-transaction decode every admission and
// every block decode pays: DecodeTx, then the signing hash and the ID.
// "reflective" is the rlp-reflection decoder with a canonical re-encode
// that DecodeTx replaced, for the ratio on the same machine.
func BenchmarkDecodeTx(b *testing.B) {
	raw := benchTransfer(b)
	b.Run("DecodeTx+hashes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tx, err := DecodeTx(raw)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = tx.SigningHash(), tx.Hash()
		}
	})
	b.Run("reflective+hashes", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			tx, err := referenceDecodeTx(raw)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = referenceSigningHash(tx), Keccak(raw)
		}
	})
}
