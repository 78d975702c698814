package types

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
	"sync/atomic"

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
	// Encoded from the fields every time, never from cached bytes, so the
	// digest always covers what the executor will read. By hand: rlp's
	// reflective encoder costs more than the hashing.
	bp := encBufs.Get().(*[]byte)
	content := tx.appendFields((*bp)[:0], false)
	var hdr [9]byte
	h := Keccak(listHeader(hdr[:0], len(content)), content)
	if cap(content) <= maxPooledEncBuf {
		*bp = content
		encBufs.Put(bp)
	}
	return h
}

// encBufs holds scratch buffers for SigningHash: the hasher makes its input
// escape, so a stack buffer would be a heap allocation per call.
var encBufs = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// maxPooledEncBuf keeps a rare large payload's buffer out of the pool.
const maxPooledEncBuf = 8 << 10

// appendFields appends the RLP of tx's fields (the content of its list),
// with or without the signature.
func (tx *Tx) appendFields(b []byte, withSig bool) []byte {
	b = appendString(b, []byte(tx.ChainID))
	b = appendUint(b, tx.Nonce)
	b = appendUint(b, uint64(tx.Type))
	b = appendString(b, tx.Payload)
	b = appendUint(b, tx.Fee)
	if withSig {
		b = appendString(b, tx.Sig)
	}
	return b
}

func appendUint(b []byte, x uint64) []byte { return rlp.AppendUint64(b, x) }

// appendString appends the RLP of a byte string.
func appendString(b, s []byte) []byte {
	switch {
	case len(s) == 1 && s[0] < 0x80:
		return append(b, s[0])
	case len(s) < 56:
		b = append(b, 0x80+byte(len(s)))
	default:
		b = appendLongSize(b, 0xB7, len(s))
	}
	return append(b, s...)
}

// listHeader appends the RLP header of a list whose content is n bytes.
func listHeader(b []byte, n int) []byte {
	if n < 56 {
		return append(b, 0xC0+byte(n))
	}
	return appendLongSize(b, 0xF7, n)
}

// appendLongSize appends the header of a string (base 0xB7) or list (base
// 0xF7) of n >= 56 bytes: base+len(size), then size big-endian.
func appendLongSize(b []byte, base byte, n int) []byte {
	var be [8]byte
	binary.BigEndian.PutUint64(be[:], uint64(n))
	i := 0
	for be[i] == 0 {
		i++
	}
	return append(append(b, base+byte(8-i)), be[i:]...)
}

// Encode returns the canonical RLP encoding of the signed transaction.
func (tx *Tx) Encode() []byte {
	tx.cache.mu.Lock()
	defer tx.cache.mu.Unlock()
	if tx.cache.enc == nil {
		var buf [256]byte
		content := tx.appendFields(buf[:0], true)
		var hdr [9]byte
		h := listHeader(hdr[:0], len(content))
		tx.cache.enc = append(append(make([]byte, 0, len(h)+len(content)), h...), content...)
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

// decodeTxPrefix decodes the transaction at the start of b into tx and
// returns the bytes after it. It walks the RLP once, without reflection and
// without re-encoding: rlp's Split functions refuse non-canonical sizes,
// single bytes encoded as strings and integers with leading zeros, and the
// list must hold exactly the six fields, so the accepted encodings are
// exactly the canonical ones (FuzzDecodeTx holds it to re-encoding to its
// input). The transaction keeps one copy of its bytes, and Payload and Sig
// are slices of it: a decoded transaction must not be modified in place
// (its cached encoding and hash would no longer match it anyway).
func decodeTxPrefix(b []byte, tx *Tx) ([]byte, error) {
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformedTx, err)
	}
	enc := bytes.Clone(b[:len(b)-len(rest)])
	head := len(enc) - len(content)
	content = enc[head:]
	field := func(name string, err error) error {
		return fmt.Errorf("%w: %s: %v", ErrMalformedTx, name, err)
	}
	chainID, r, err := rlp.SplitString(content)
	if err != nil {
		return nil, field("chain ID", err)
	}
	nonce, r, err := rlp.SplitUint64(r)
	if err != nil {
		return nil, field("nonce", err)
	}
	typ, r, err := rlp.SplitUint64(r)
	if err != nil {
		return nil, field("type", err)
	}
	if typ > math.MaxUint16 {
		return nil, fmt.Errorf("%w: type %d overflows uint16", ErrMalformedTx, typ)
	}
	payload, r, err := rlp.SplitString(r)
	if err != nil {
		return nil, field("payload", err)
	}
	fee, r, err := rlp.SplitUint64(r)
	if err != nil {
		return nil, field("fee", err)
	}
	sig, r, err := rlp.SplitString(r)
	if err != nil {
		return nil, field("signature", err)
	}
	if len(r) != 0 {
		return nil, fmt.Errorf("%w: more than six fields", ErrMalformedTx)
	}
	if len(sig) != SignatureLength {
		return nil, fmt.Errorf("%w: signature is %d bytes, want %d", ErrMalformedTx, len(sig), SignatureLength)
	}
	tx.ChainID, tx.Nonce, tx.Type, tx.Fee = internChainID(chainID), nonce, TxType(typ), fee
	// Capacity-capped, so an append by a caller reallocates instead of
	// writing over the next field.
	tx.Payload = payload[:len(payload):len(payload)]
	tx.Sig = sig[:len(sig):len(sig)]
	tx.cache.enc = enc
	return rest, nil
}

// lastChainID is the chain ID the last decoded transaction named: a node
// decodes its own chain's ID almost every time, and sharing the string saves
// an allocation per transaction.
var lastChainID atomic.Pointer[string]

func internChainID(b []byte) string {
	if p := lastChainID.Load(); p != nil && *p == string(b) {
		return *p
	}
	s := string(b)
	lastChainID.Store(&s)
	return s
}

// CheckChainID returns ErrWrongChainID unless the transaction names chainID.
func (tx *Tx) CheckChainID(chainID string) error {
	if tx.ChainID != chainID {
		return fmt.Errorf("%w: tx is for %q, this chain is %q", ErrWrongChainID, tx.ChainID, chainID)
	}
	return nil
}
