package consensus

import (
	"fmt"
	"sync"

	"github.com/accordnet/accord/types"
)

// SigCache remembers signatures that recovered successfully, so a vote seen
// directly, then again inside a certificate or a justification, is recovered
// once. It may be shared between engines and with a gossip validator; it is
// safe for concurrent use. Only successes are cached, so a cache can never
// make an invalid signature pass.
type SigCache struct {
	mu   sync.Mutex
	max  int
	sigs map[[32]byte]types.Address
}

// NewSigCache returns a cache of at most size entries (it is emptied when
// full; a miss only costs one recovery).
func NewSigCache(size int) *SigCache {
	if size <= 0 {
		size = 1
	}
	return &SigCache{max: size, sigs: make(map[[32]byte]types.Address)}
}

// Recover returns the address that signed digest, like types.RecoverAddress.
func (c *SigCache) Recover(digest types.Hash, sig []byte) (types.Address, error) {
	key := types.Keccak(digest[:], sig)
	c.mu.Lock()
	a, ok := c.sigs[key]
	c.mu.Unlock()
	if ok {
		return a, nil
	}
	a, err := types.RecoverAddress(digest, sig)
	if err != nil {
		return a, err
	}
	c.mu.Lock()
	if len(c.sigs) >= c.max {
		clear(c.sigs)
	}
	c.sigs[key] = a
	c.mu.Unlock()
	return a, nil
}

// VerifyMessage is Message.VerifySignature through the cache: a gossip
// validator that shares the engine's cache (Config.SigCache) saves the
// engine from recovering the same signature again.
func (c *SigCache) VerifyMessage(m *Message, chainID string) (types.Address, error) {
	if err := m.ValidateBasic(); err != nil {
		return types.Address{}, err
	}
	a, err := c.Recover(m.Digest(chainID), m.Sig)
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %w", ErrBadSignature, err)
	}
	if a != m.From {
		return types.Address{}, fmt.Errorf("%w: signed by %s, claims %s", ErrBadSignature, a.Hex(), m.From.Hex())
	}
	return a, nil
}
