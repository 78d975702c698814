package client

import (
	"context"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

// Queries of the arbitration, risk, channel and pay modules, in the
// modules' own view types. A missing record is a *wire.Error with
// wire.CodeNotFound, as for the C2C queries.

// Dispute returns a dispute with its panel, votes, evidence and deadlines.
func (c *Client) Dispute(ctx context.Context, id types.Hash) (*arbitration.View, error) {
	var v arbitration.View
	return &v, c.Call(ctx, arbitration.QueryMethod, &v, id.Hex())
}

// RiskAccount returns an account's frozen status and its risk events
// (oldest first, at most risk.MaxQueryEvents).
func (c *Client) RiskAccount(ctx context.Context, a types.Address) (*risk.AccountView, error) {
	var v risk.AccountView
	return &v, c.Call(ctx, risk.QueryMethod, &v, a.Hex())
}

// Channel returns a payment channel.
func (c *Client) Channel(ctx context.Context, id types.Hash) (*channel.View, error) {
	var v channel.View
	return &v, c.Call(ctx, channel.QueryMethod, &v, id.Hex())
}

// Payment returns a conditional payment.
func (c *Client) Payment(ctx context.Context, id types.Hash) (*pay.View, error) {
	var v pay.View
	return &v, c.Call(ctx, pay.QueryMethod, &v, id.Hex())
}
