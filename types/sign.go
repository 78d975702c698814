package types

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"

	"github.com/ethereum/go-ethereum/crypto"
)

// SignTx signs tx in place with key and returns it. It clears any cached
// encoding, hash or sender, so a transaction may be re-signed.
func SignTx(tx *Tx, key *ecdsa.PrivateKey) (*Tx, error) {
	tx.Sig = nil
	h := tx.SigningHash()
	sig, err := crypto.Sign(h[:], key)
	if err != nil {
		return nil, fmt.Errorf("sign tx: %w", err)
	}
	tx.Sig = sig
	tx.cache.mu.Lock()
	tx.cache.enc, tx.cache.hasHash, tx.cache.hasFrom = nil, false, false
	tx.cache.mu.Unlock()
	return tx, nil
}

// Sender recovers (once) the address that signed tx. A malformed or invalid
// signature yields ErrBadSignature.
func (tx *Tx) Sender() (Address, error) {
	tx.cache.mu.Lock()
	if tx.cache.hasFrom {
		a, err := tx.cache.from, tx.cache.fromErr
		tx.cache.mu.Unlock()
		return a, err
	}
	tx.cache.mu.Unlock()
	a, err := RecoverAddress(tx.SigningHash(), tx.Sig)
	tx.SetSender(a, err)
	return a, err
}

// SetSender records an already verified sender, e.g. from a cache keyed by
// the transaction hash, so the signature is recovered once per node.
func (tx *Tx) SetSender(a Address, err error) {
	tx.cache.mu.Lock()
	tx.cache.from, tx.cache.fromErr, tx.cache.hasFrom = a, err, true
	tx.cache.mu.Unlock()
}

// RecoverAddress returns the address whose key produced sig over digest.
func RecoverAddress(digest Hash, sig []byte) (Address, error) {
	if len(sig) != SignatureLength {
		return Address{}, fmt.Errorf("%w: length %d", ErrBadSignature, len(sig))
	}
	if sig[64] > 1 {
		return Address{}, fmt.Errorf("%w: recovery id %d", ErrBadSignature, sig[64])
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])
	// Homestead rules: low-S only, so a signature (and the tx hash) cannot be malleated.
	if !crypto.ValidateSignatureValues(sig[64], r, s, true) {
		return Address{}, fmt.Errorf("%w: invalid r/s values", ErrBadSignature)
	}
	pub, err := crypto.Ecrecover(digest[:], sig)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	var a Address
	copy(a[:], crypto.Keccak256(pub[1:])[12:])
	return a, nil
}

// SignDigest signs a 32-byte digest with key; used for votes and attestations.
func SignDigest(digest Hash, key *ecdsa.PrivateKey) ([]byte, error) {
	return crypto.Sign(digest[:], key)
}

// PubkeyAddress returns the address of a private key.
func PubkeyAddress(key *ecdsa.PrivateKey) Address {
	return crypto.PubkeyToAddress(key.PublicKey)
}
