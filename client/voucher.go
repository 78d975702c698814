package client

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"sync"

	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/types"
)

// Off-chain side of payment channels (contracts/channel): the payer
// issues vouchers, the payee's server verifies them at the speed of one
// signature recovery each, on every core, and redeems the best one when it
// likes. Nothing here talks to the chain except Track, which reads the
// channel once.

// VoucherIssuer is a payer's running tab on one channel: each Pay signs a
// voucher for the cumulative amount so far with the next nonce. It is
// safe for concurrent use; vouchers come out in nonce order.
type VoucherIssuer struct {
	key     *ecdsa.PrivateKey
	chainID string
	id      types.Hash

	mu            sync.Mutex
	amount, nonce uint64
}

// NewVoucherIssuer continues channel id on chainID from what was already
// promised: amount (cumulative micro-USDT) and nonce of the last voucher
// issued (0, 0 for a fresh channel; a channel.View's Redeemed and Nonce
// after a restart that lost the tab).
func NewVoucherIssuer(key *ecdsa.PrivateKey, chainID string, id types.Hash, amount, nonce uint64) *VoucherIssuer {
	return &VoucherIssuer{key: key, chainID: chainID, id: id, amount: amount, nonce: nonce}
}

// Pay signs a voucher worth delta more than the previous one. On error
// the tab is unchanged.
func (p *VoucherIssuer) Pay(delta uint64) (*channel.Voucher, error) {
	if delta == 0 {
		return nil, fmt.Errorf("voucher of channel %s: %w", p.id.Hex(), channel.ErrZeroAmount)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	amount, err := types.AddAmount(p.amount, delta)
	if err != nil {
		return nil, fmt.Errorf("voucher of channel %s: %w", p.id.Hex(), err)
	}
	v, err := channel.SignVoucher(p.chainID, p.id, amount, p.nonce+1, p.key)
	if err != nil {
		return nil, err
	}
	p.amount, p.nonce = amount, p.nonce+1
	return v, nil
}

// Promised is the cumulative amount and nonce of the last voucher issued.
func (p *VoucherIssuer) Promised() (amount, nonce uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.amount, p.nonce
}

// VoucherReceiver is a payee's book of the channels it serves
// (channel.Receiver): Accept verifies a voucher against the channel's
// payer, chain and deposit and returns what it adds; Best is the voucher
// to redeem. Safe for concurrent use: signatures are checked outside the
// lock.
type VoucherReceiver struct{ *channel.Receiver }

// NewVoucherReceiver returns an empty book for chainID.
func NewVoucherReceiver(chainID string) VoucherReceiver {
	return VoucherReceiver{channel.NewReceiver(chainID)}
}

// Track reads channel id from the node and starts (or refreshes)
// accepting its vouchers: payer, deposit, and what was already redeemed.
// It refuses a channel the book's payee does not receive (payee set) or
// that is settled.
func (r VoucherReceiver) Track(ctx context.Context, c *Client, id types.Hash, payee types.Address) (*channel.View, error) {
	v, err := c.Channel(ctx, id)
	if err != nil {
		return nil, err
	}
	if payee != (types.Address{}) && v.Payee != payee {
		return nil, fmt.Errorf("channel %s pays %s, not %s", id.Hex(), v.Payee.Hex(), payee.Hex())
	}
	if v.State == channel.StateSettled.String() {
		return nil, fmt.Errorf("channel %s is settled", id.Hex())
	}
	r.Receiver.Track(&channel.Channel{ID: v.ID, Payer: v.Payer, Payee: v.Payee, Deposit: v.Deposit,
		Redeemed: v.Redeemed, Nonce: v.Nonce})
	return v, nil
}
