package views

// JSON shapes of the C2C queries (orders, acceptors, rates, KYC, roles,
// proposals, parameters). USDT amounts come twice, as a decimal string
// ("12.5") and as integer micro-USDT (…_micro); times are block-time unix
// milliseconds (…_ms); hashes and addresses are 0x-hex.

import (
	"strconv"
	"strings"

	"github.com/accordnet/accord/contracts/oracle"
)

// Order is one C2C order.
type Order struct {
	ID          string `json:"id"`
	Seq         uint64 `json:"seq"`
	State       string `json:"state"` // LOCKED, PAID, COMPLETED, REJECTED, EXPIRED, CANCELLED, DISPUTED, RESOLVED_RELEASE, RESOLVED_REFUND
	Merchant    string `json:"merchant"`
	Acceptor    string `json:"acceptor,omitempty"` // empty when REJECTED
	MerchantRef string `json:"merchant_ref"`
	Currency    string `json:"currency"`
	FiatAmount  string `json:"fiat_amount"`       // decimal in the currency ("123.45", JPY "1500")
	FiatMinor   uint64 `json:"fiat_amount_minor"` // in the currency's minor unit
	Amount      string `json:"amount"`            // USDT in escrow, converted at creation
	AmountMicro uint64 `json:"amount_micro"`
	// CommissionBps and FeeBps were fixed at creation.
	CommissionBps uint64 `json:"commission_bps"`
	FeeBps        uint64 `json:"fee_bps"`
	Method        string `json:"method,omitempty"` // hash of the acceptor's payment details to pay to
	CreatedAtMs   uint64 `json:"created_at_ms"`
	CreatedHeight uint64 `json:"created_height"`
	// DeadlineMs is the pending timer: the payment deadline while LOCKED,
	// the release deadline while PAID; 0 otherwise.
	DeadlineMs uint64 `json:"deadline_ms,omitempty"`
	Extended   bool   `json:"extended,omitempty"`
	PaidAtMs   uint64 `json:"paid_at_ms,omitempty"`
	PaymentRef string `json:"payment_ref,omitempty"`
	ClosedAtMs uint64 `json:"closed_at_ms,omitempty"`
}

// OrderList is a page of a merchant's or an acceptor's orders in creation
// order. Next, when set, is the "after" of the next page.
type OrderList struct {
	Orders []Order `json:"orders"`
	Next   uint64  `json:"next,omitempty"`
}

// OrderFilter is accord_getOrders' parameter: exactly one of Merchant or
// Acceptor; State (a state name) optional; orders with Seq above After;
// at most Limit (default 100, max 1000).
type OrderFilter struct {
	Merchant string `json:"merchant,omitempty"`
	Acceptor string `json:"acceptor,omitempty"`
	State    string `json:"state,omitempty"`
	After    uint64 `json:"after,omitempty"`
	Limit    int    `json:"limit,omitempty"`
}

// PaymentMethod is an acceptor's way to receive fiat (a hash of the account
// details; the details reach the merchant off-chain).
type PaymentMethod struct {
	Currency    string `json:"currency"`
	Kind        string `json:"kind"`
	DetailsHash string `json:"details_hash"`
}

// AcceptorStats are the counters reputation is computed from.
type AcceptorStats struct {
	Completed      uint64   `json:"completed"`
	Credited       uint64   `json:"credited"`
	Counterparties uint64   `json:"counterparties"`
	Expired        uint64   `json:"expired"`
	DisputesWon    uint64   `json:"disputes_won"`
	DisputesLost   uint64   `json:"disputes_lost"`
	OpenDisputes   uint64   `json:"open_disputes"`
	ReleaseTimesMs []uint64 `json:"release_times_ms"`
}

// AcceptorLimits are an acceptor's limits at the current block time.
type AcceptorLimits struct {
	Order          string `json:"order"` // largest single order
	OrderMicro     uint64 `json:"order_micro"`
	Daily          string `json:"daily"` // trailing-24h assigned volume allowed
	DailyMicro     uint64 `json:"daily_micro"`
	Volume24h      string `json:"volume_24h"` // trailing-24h assigned volume so far
	Volume24hMicro uint64 `json:"volume_24h_micro"`
	MarginRequired string `json:"margin_required"` // margin the trailing-24h volume requires
	MarginReqMicro uint64 `json:"margin_required_micro"`
}

// Acceptor is an acceptor's record: funds, profile, reputation and limits.
type Acceptor struct {
	Address          string          `json:"address"`
	Status           string          `json:"status"` // active or paused
	Identity         string          `json:"identity"`
	KYCValid         bool            `json:"kyc_valid"`
	RegisteredAtMs   uint64          `json:"registered_at_ms"`
	RegisteredHeight uint64          `json:"registered_height"`
	Currencies       []string        `json:"currencies"`
	Methods          []PaymentMethod `json:"methods"`
	MinOrder         string          `json:"min_order"`
	MinOrderMicro    uint64          `json:"min_order_micro"`
	MaxOrder         string          `json:"max_order"` // "0": only the module's limits apply
	MaxOrderMicro    uint64          `json:"max_order_micro"`
	Float            string          `json:"float"` // free float
	FloatMicro       uint64          `json:"float_micro"`
	Locked           string          `json:"locked"` // float in open orders' escrow
	LockedMicro      uint64          `json:"locked_micro"`
	Margin           string          `json:"margin"`
	MarginMicro      uint64          `json:"margin_micro"`
	Reputation       uint64          `json:"reputation"` // 0–1000
	Stats            AcceptorStats   `json:"stats"`
	Limits           AcceptorLimits  `json:"limits"`
}

// AcceptorList is a page of acceptors in address order; Next, when set, is
// the "after" of the next page.
type AcceptorList struct {
	Acceptors []Acceptor `json:"acceptors"`
	Next      string     `json:"next,omitempty"`
}

// Rate and Rates are the oracle module's views (its accord_getRates
// query, declared in its descriptor).
type (
	Rate  = oracle.RateView
	Rates = oracle.RatesView
)

// KYC is an account's attestation and whether it is valid now.
type KYC struct {
	Account string `json:"account"`
	// Status is "valid", "revoked", "provider_revoked" (the attesting
	// provider lost its role) or "expired".
	Status          string `json:"status"`
	Valid           bool   `json:"valid"`
	Level           uint8  `json:"level"`
	Country         string `json:"country"`
	RecordHash      string `json:"record_hash"`
	Provider        string `json:"provider"`
	AttestedAtMs    uint64 `json:"attested_at_ms"`
	ExpiresAtMs     uint64 `json:"expires_at_ms"`
	OrderLimit      string `json:"order_limit"` // largest order at this level
	OrderLimitMicro uint64 `json:"order_limit_micro"`
	RevokedBy       string `json:"revoked_by,omitempty"`
	RevokedAtMs     uint64 `json:"revoked_at_ms,omitempty"`
	Reason          string `json:"reason,omitempty"`
}

// Roles are an account's gov roles and admin membership.
type Roles struct {
	Address string   `json:"address"`
	Admin   bool     `json:"admin"`
	Roles   []string `json:"roles"`
}

// ProposalAction is one change a proposal makes; Kind says which fields
// are set.
type ProposalAction struct {
	Kind      string `json:"kind"` // grant_role, revoke_role, set_param, add_admin, remove_admin, set_threshold, set_validators
	Address   string `json:"address,omitempty"`
	Role      string `json:"role,omitempty"`
	Module    string `json:"module,omitempty"`
	Key       string `json:"key,omitempty"`
	Value     string `json:"value,omitempty"`
	Threshold uint64 `json:"threshold,omitempty"`
	// Validators is the whole new set of a set_validators action.
	Validators []string `json:"validators,omitempty"`
}

// Proposal is an open gov proposal (executed, cancelled and expired ones
// are gone from state; their history is in the events).
type Proposal struct {
	ID          uint64           `json:"id"`
	Proposer    string           `json:"proposer"`
	Actions     []ProposalAction `json:"actions"`
	Memo        string           `json:"memo,omitempty"`
	CreatedAtMs uint64           `json:"created_at_ms"`
	ExpiresAtMs uint64           `json:"expires_at_ms"`
	Approvals   []string         `json:"approvals"`
	Threshold   uint64           `json:"threshold"` // approvals needed now
}

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
func FormatFiat(minor uint64, decimals uint8) string {
	s := strconv.FormatUint(minor, 10)
	if decimals == 0 {
		return s
	}
	d := int(decimals)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	return s[:len(s)-d] + "." + s[len(s)-d:]
}
