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

// OpenDisputes lists unresolved disputes in ID order, at most limit (0:
// the node's default, 100; at most core.MaxListLimit).
func (c *Client) OpenDisputes(ctx context.Context, limit int) ([]arbitration.View, error) {
	return c.disputes(ctx, arbitration.OpenMethod, limit)
}

// EscalatedDisputes lists the disputes waiting for a governance decision.
func (c *Client) EscalatedDisputes(ctx context.Context, limit int) ([]arbitration.View, error) {
	return c.disputes(ctx, arbitration.EscalatedMethod, limit)
}

func (c *Client) disputes(ctx context.Context, method string, limit int) ([]arbitration.View, error) {
	var v []arbitration.View
	if limit > 0 {
		return v, c.Call(ctx, method, &v, limit)
	}
	return v, c.Call(ctx, method, &v)
}

// Arbitrator returns an arbitrator's accuracy and response time.
func (c *Client) Arbitrator(ctx context.Context, a types.Address) (*arbitration.ArbitratorView, error) {
	var v arbitration.ArbitratorView
	return &v, c.Call(ctx, arbitration.ArbitratorMethod, &v, a.Hex())
}

// FrozenAccounts lists frozen accounts with the freeze holding each, at
// most limit (0: the node's default, 100; at most core.MaxListLimit).
func (c *Client) FrozenAccounts(ctx context.Context, limit int) ([]risk.FrozenView, error) {
	var v []risk.FrozenView
	if limit > 0 {
		return v, c.Call(ctx, risk.FrozenMethod, &v, limit)
	}
	return v, c.Call(ctx, risk.FrozenMethod, &v)
}
