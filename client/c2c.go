package client

import (
	"context"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/types"
)

// C2C queries (see api.RegisterC2C). A missing record is a *wire.Error
// with wire.CodeNotFound: wire.CodeOf(err) == wire.CodeNotFound.

// Order returns an order by ID.
func (c *Client) Order(ctx context.Context, id types.Hash) (*views.Order, error) {
	var v views.Order
	return &v, c.Call(ctx, "accord_getOrder", &v, id.Hex())
}

// Orders lists a merchant's or an acceptor's orders.
func (c *Client) Orders(ctx context.Context, f views.OrderFilter) (*views.OrderList, error) {
	var v views.OrderList
	return &v, c.Call(ctx, "accord_getOrders", &v, f)
}

// Acceptor returns an acceptor's record.
func (c *Client) Acceptor(ctx context.Context, a types.Address) (*views.Acceptor, error) {
	var v views.Acceptor
	return &v, c.Call(ctx, "accord_getAcceptor", &v, a.Hex())
}

// Acceptors lists acceptors with addresses above after (zero: from the
// start), at most limit (0: the node's default).
func (c *Client) Acceptors(ctx context.Context, after types.Address, limit int) (*views.AcceptorList, error) {
	var v views.AcceptorList
	a := ""
	if after != (types.Address{}) {
		a = after.Hex()
	}
	return &v, c.Call(ctx, "accord_getAcceptors", &v, a, limit)
}

// Rates returns every currency's rate at the current block time.
func (c *Client) Rates(ctx context.Context) (*views.Rates, error) {
	var v views.Rates
	return &v, c.Call(ctx, "accord_getRates", &v)
}

// KYC returns an account's attestation.
func (c *Client) KYC(ctx context.Context, a types.Address) (*views.KYC, error) {
	var v views.KYC
	return &v, c.Call(ctx, "accord_getKYC", &v, a.Hex())
}

// Roles returns an account's gov roles.
func (c *Client) Roles(ctx context.Context, a types.Address) (*views.Roles, error) {
	var v views.Roles
	return &v, c.Call(ctx, "accord_getRoles", &v, a.Hex())
}

// RoleMembers lists the holders of a role ("oracle", ..., or "admin").
func (c *Client) RoleMembers(ctx context.Context, role string) ([]string, error) {
	var v []string
	return v, c.Call(ctx, "accord_getRoleMembers", &v, role)
}

// Proposal returns an open proposal.
func (c *Client) Proposal(ctx context.Context, id uint64) (*views.Proposal, error) {
	var v views.Proposal
	return &v, c.Call(ctx, "accord_getProposal", &v, id)
}

// Proposals lists the open proposals.
func (c *Client) Proposals(ctx context.Context) ([]views.Proposal, error) {
	var v []views.Proposal
	return v, c.Call(ctx, "accord_getProposals", &v)
}

// Params returns a module's parameters in force.
func (c *Client) Params(ctx context.Context, module string) (*views.Params, error) {
	var v views.Params
	return &v, c.Call(ctx, "accord_getParams", &v, module)
}

// ParseFiat parses a decimal amount in a currency whose minor unit has
// the given number of decimals into minor units (oracle.ParseFiat).
func ParseFiat(s string, decimals uint8) (uint64, error) { return oracle.ParseFiat(s, decimals) }
