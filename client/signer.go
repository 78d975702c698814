package client

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"sync"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Signer signs transactions for one key, tracking its next nonce.
type Signer struct {
	Key     *ecdsa.PrivateKey
	ChainID string
	Fee     uint64

	mu    sync.Mutex
	nonce uint64
	known bool
}

// NewSigner returns a signer; the nonce is fetched from the node on first use.
func NewSigner(key *ecdsa.PrivateKey, chainID string, fee uint64) *Signer {
	return &Signer{Key: key, ChainID: chainID, Fee: fee}
}

// Address is the signer's account.
func (s *Signer) Address() types.Address { return types.PubkeyAddress(s.Key) }

// SetNonce sets the next nonce explicitly.
func (s *Signer) SetNonce(n uint64) {
	s.mu.Lock()
	s.nonce, s.known = n, true
	s.mu.Unlock()
}

// Sign builds and signs a transaction of type t with payload, using (and
// advancing) the next nonce; c is asked for the pending nonce the first time.
func (s *Signer) Sign(ctx context.Context, c *Client, t types.TxType, payload any) (*types.Tx, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.known {
		acc, err := c.Account(ctx, s.Address())
		if err != nil {
			return nil, fmt.Errorf("fetch nonce: %w", err)
		}
		s.nonce, s.known = acc.PendingNonce, true
	}
	tx, err := types.SignTx(&types.Tx{ChainID: s.ChainID, Nonce: s.nonce, Type: t, Payload: core.Encode(payload), Fee: s.Fee}, s.Key)
	if err != nil {
		return nil, err
	}
	s.nonce++
	return tx, nil
}

// Transfer signs a bank transfer.
func (s *Signer) Transfer(ctx context.Context, c *Client, to types.Address, micro uint64) (*types.Tx, error) {
	return s.Sign(ctx, c, bank.TypeTransfer, &bank.MsgTransfer{To: to, Amount: micro})
}

// Submit signs and sends; on rejection the nonce is not consumed.
func (s *Signer) Submit(ctx context.Context, c *Client, t types.TxType, payload any) (*types.Tx, error) {
	tx, err := s.Sign(ctx, c, t, payload)
	if err != nil {
		return nil, err
	}
	if _, err := c.SendTx(ctx, tx); err != nil {
		s.mu.Lock()
		if s.nonce == tx.Nonce+1 {
			s.nonce--
		}
		s.mu.Unlock()
		return nil, err
	}
	return tx, nil
}
