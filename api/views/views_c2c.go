package views

// JSON shapes of the C2C queries (orders, acceptors, rates, KYC, roles,
// proposals, parameters). USDT amounts come twice, as a decimal string
// ("12.5") and as integer micro-USDT (…_micro); times are block-time unix
// milliseconds (…_ms); hashes and addresses are 0x-hex.

import (
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
)

// The views of the modules' queries, declared by each module beside its
// query (core.Querier); the names here are the ones the SDK and the CLI
// have always used.
type (
	Order          = order.View
	OrderList      = order.ListView
	OrderFilter    = order.Filter
	PaymentMethod  = acceptor.PaymentMethodView
	AcceptorStats  = acceptor.StatsView
	AcceptorLimits = acceptor.LimitsView
	Acceptor       = acceptor.View
	AcceptorList   = acceptor.ListView
	Rate           = oracle.RateView
	Rates          = oracle.RatesView
	KYC            = kyc.View
	Roles          = gov.RolesView
	ProposalAction = gov.ProposalActionView
	Proposal       = gov.ProposalView
)

// Params are a module's parameters in force (defaults included) as
// strings; for gov also the admin multisig, for bank the fee settings.
type Params struct {
	Module    string            `json:"module"`
	Params    map[string]string `json:"params"`
	Admins    []string          `json:"admins,omitempty"`
	Threshold uint64            `json:"threshold,omitempty"`
}

// FormatFiat renders an amount in a currency's minor unit as a decimal in
// the currency ("12.34" for 1234 USD cents, "1500" for 1500 JPY).
func FormatFiat(minor uint64, decimals uint8) string { return oracle.FormatFiat(minor, decimals) }
