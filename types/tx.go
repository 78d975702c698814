package types

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ethereum/go-ethereum/rlp"
)

// TxType names the message a transaction carries. Each contract module owns
// a range of types (see contracts/core); the ledger routes by it.
type TxType uint16

// MaxTxSize bounds an encoded transaction; larger ones are refused before decoding.
const MaxTxSize = 64 * 1024

// SignatureLength is the length of a [R || S || V] secp256k1 signature.
const SignatureLength = 65

// Sentinel errors for transaction decoding and validation.
var (
	ErrTxTooLarge    = errors.New("transaction too large")
	ErrMalformedTx   = errors.New("malformed transaction")
	ErrBadSignature  = errors.New("bad signature")
	ErrWrongChainID  = errors.New("wrong chain ID")
	ErrUnsigned      = errors.New("transaction is not signed")
	ErrTrailingBytes = errors.New("trailing bytes after transaction")
)

// Tx is a signed transaction. From is never part of the encoding: it is
// recovered from the signature over the unsigned fields, which include the
// chain ID, so a transaction signed for one chain is invalid on another.
type Tx struct {
	ChainID string
	Nonce   uint64
	Type    TxType
	Payload []byte
	Fee     uint64 // micro-USDT offered; must be at least the chain's minimum fee
	Sig     []byte // 65 bytes [R || S || V], V in {0, 1}

	cache txCache
}

// txCache memoises derived values; it is not encoded (rlp skips unexported fields).
type txCache struct {
	mu      sync.Mutex
	enc     []byte
	hash    Hash
	hasHash bool
	from    Address
	fromErr error
	hasFrom bool
}

// unsignedTx is the payload a signature covers.
type unsignedTx struct {
	ChainID string
	Nonce   uint64
	Type    TxType
	Payload []byte
	Fee     uint64
}

// txFields is the encoded shape of Tx; Tx implements rlp.Encoder and
// rlp.Decoder through it so a block re-uses each transaction's cached bytes.
type txFields struct {
	ChainID string
	Nonce   uint64
	Type    TxType
	Payload []byte
	Fee     uint64
	Sig     []byte
}

// EncodeRLP implements rlp.Encoder using the cached encoding.
func (tx *Tx) EncodeRLP(w io.Writer) error {
	_, err := w.Write(tx.Encode())
	return err
}

// DecodeRLP implements rlp.Decoder.
func (tx *Tx) DecodeRLP(s *rlp.Stream) error {
	var f txFields
	if err := s.Decode(&f); err != nil {
		return err
	}
	tx.ChainID, tx.Nonce, tx.Type, tx.Payload, tx.Fee, tx.Sig = f.ChainID, f.Nonce, f.Type, f.Payload, f.Fee, f.Sig
	return nil
}

// SigningHash is the digest the sender signs: Keccak-256 of the RLP of all
// fields except the signature.
func (tx *Tx) SigningHash() Hash {
	b, err := rlp.EncodeToBytes(&unsignedTx{tx.ChainID, tx.Nonce, tx.Type, tx.Payload, tx.Fee})
	if err != nil {
		// Encoding plain strings, ints and bytes cannot fail.
		panic(fmt.Sprintf("encode unsigned tx: %v", err))
	}
	return Keccak(b)
}

// Encode returns the canonical RLP encoding of the signed transaction.
func (tx *Tx) Encode() []byte {
	tx.cache.mu.Lock()
	defer tx.cache.mu.Unlock()
	if tx.cache.enc == nil {
		b, err := rlp.EncodeToBytes(&txFields{tx.ChainID, tx.Nonce, tx.Type, tx.Payload, tx.Fee, tx.Sig})
		if err != nil {
			panic(fmt.Sprintf("encode tx: %v", err))
		}
		tx.cache.enc = b
	}
	return tx.cache.enc
}

// Hash is the transaction ID: Keccak-256 of the signed encoding.
func (tx *Tx) Hash() Hash {
	enc := tx.Encode()
	tx.cache.mu.Lock()
	defer tx.cache.mu.Unlock()
	if !tx.cache.hasHash {
		tx.cache.hash = Keccak(enc)
		tx.cache.hasHash = true
	}
	return tx.cache.hash
}

// Size is the length of the signed encoding in bytes.
func (tx *Tx) Size() int { return len(tx.Encode()) }

// DecodeTx decodes one signed transaction. It rejects oversized input,
// trailing bytes, and non-canonical RLP. It does not check the signature:
// call Sender (or a SenderCache) for that.
func DecodeTx(b []byte) (*Tx, error) {
	if len(b) > MaxTxSize {
		return nil, fmt.Errorf("%w: %d bytes > %d", ErrTxTooLarge, len(b), MaxTxSize)
	}
	tx := new(Tx)
	rest, err := decodeTxPrefix(b, tx)
	if err != nil {
		return nil, err
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("%w: %d", ErrTrailingBytes, len(rest))
	}
	return tx, nil
}

func decodeTxPrefix(b []byte, tx *Tx) ([]byte, error) {
	_, _, rest, err := rlp.Split(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedTx, err)
	}
	whole := b[:len(b)-len(rest)]
	if err := rlp.DecodeBytes(whole, tx); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedTx, err)
	}
	if len(tx.Sig) != SignatureLength {
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d", ErrMalformedTx, len(tx.Sig), SignatureLength)
	}
	// Keep the exact bytes so Hash is of what was received, and insist the
	// encoding is canonical so one transaction has exactly one ID.
	enc := bytes.Clone(whole)
	if re, _ := rlp.EncodeToBytes(&txFields{tx.ChainID, tx.Nonce, tx.Type, tx.Payload, tx.Fee, tx.Sig}); !bytes.Equal(re, enc) {
		return nil, fmt.Errorf("%w: non-canonical encoding", ErrMalformedTx)
	}
	tx.cache.enc = enc
	return rest, nil
}

// CheckChainID returns ErrWrongChainID unless the transaction names chainID.
func (tx *Tx) CheckChainID(chainID string) error {
	if tx.ChainID != chainID {
		return fmt.Errorf("%w: tx is for %q, this chain is %q", ErrWrongChainID, tx.ChainID, chainID)
	}
	return nil
}
