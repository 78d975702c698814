package types

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
)

// Hash is a Keccak-256 digest.
type Hash = common.Hash

// Address is an Ethereum-style account address: the last 20 bytes of the
// Keccak-256 of the uncompressed public key.
type Address = common.Address

// ErrBadAddress is returned for a string that is not a 0x-prefixed 20-byte hex address.
var ErrBadAddress = errors.New("malformed address")

// Keccak returns the Keccak-256 digest of the concatenated inputs.
func Keccak(data ...[]byte) Hash {
	return crypto.Keccak256Hash(data...)
}

// ParseAddresses parses each of ss with ParseAddress, stopping at the
// first that fails.
func ParseAddresses(ss []string) ([]Address, error) {
	out := make([]Address, 0, len(ss))
	for _, s := range ss {
		a, err := ParseAddress(s)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// ParseAddress parses a hex address, with or without 0x, strictly: exactly
// 40 hex digits. Unlike common.HexToAddress it never silently truncates.
func ParseAddress(s string) (Address, error) {
	s = strings.TrimSpace(s)
	raw := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(raw) != 2*common.AddressLength {
		return Address{}, fmt.Errorf("%w: %q (want 40 hex digits)", ErrBadAddress, s)
	}
	b, err := hex.DecodeString(raw)
	if err != nil {
		return Address{}, fmt.Errorf("%w: %q: %v", ErrBadAddress, s, err)
	}
	a := common.BytesToAddress(b)
	// Mixed case means an EIP-55 checksum: a wrong one is a typo.
	if strings.ToLower(raw) != raw && strings.ToUpper(raw) != raw && a.Hex()[2:] != raw {
		return Address{}, fmt.Errorf("%w: %q fails its EIP-55 checksum", ErrBadAddress, s)
	}
	return a, nil
}

// ParseHash parses a 0x-prefixed 32-byte hex hash strictly.
func ParseHash(s string) (Hash, error) {
	s = strings.TrimSpace(s)
	raw := strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(raw) != 2*common.HashLength {
		return Hash{}, fmt.Errorf("malformed hash %q (want 64 hex digits)", s)
	}
	b, err := hex.DecodeString(raw)
	if err != nil {
		return Hash{}, fmt.Errorf("malformed hash %q: %v", s, err)
	}
	return common.BytesToHash(b), nil
}

// NewKeccakState returns a streaming Keccak-256 hasher (Read yields the digest).
func NewKeccakState() crypto.KeccakState { return crypto.NewKeccakState() }
