package order

import (
	"github.com/accordnet/accord/contracts/core"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's genesis key and its gov parameter module.
const ModuleName = "order"

// Parameter keys, under gov module "order". Values are canonical decimal
// uint64 strings; amounts are micro-USDT, durations block-time ms.
const (
	ParamPaymentWindow    = "payment_window_ms"      // LOCKED → EXPIRED after this
	ParamReleaseWindow    = "release_window_ms"      // PAID → DISPUTED after this
	ParamExtendThreshold  = "extend_threshold_ms"    // the acceptor may extend only when less remains
	ParamExtendBy         = "extend_by_ms"           // how much one extension adds
	ParamCommissionBps    = "commission_bps"         // acceptor's commission on completion
	ParamFeeBps           = "fee_bps"                // platform fee to the treasury
	ParamMaxCancelsPerDay = "max_cancels_per_day"    // per merchant, per UTC day of block time
	ParamMaxTimeouts      = "max_timeouts_per_block" // timeouts processed per block
	ParamMinOrder         = "min_order_micro"        // smallest order after conversion
	ParamMerchantKYCLevel = "merchant_kyc_level"     // KYC level a merchant needs
	ParamDisputeSlashBps  = "dispute_slash_bps"      // share of the order slashed from a losing acceptor's margin
)

// Params are the order module's governable parameters.
type Params struct {
	PaymentWindow    uint64
	ReleaseWindow    uint64
	ExtendThreshold  uint64
	ExtendBy         uint64
	CommissionBps    uint64
	FeeBps           uint64
	MaxCancelsPerDay uint64
	MaxTimeouts      uint64
	MinOrder         uint64
	MerchantKYCLevel uint64
	DisputeSlashBps  uint64
}

const (
	minute = 60 * 1000
	day    = 24 * 60 * minute
)

// DefaultParams are the values used for any parameter that is not set.
func DefaultParams() Params {
	return Params{
		PaymentWindow:    15 * minute,
		ReleaseWindow:    30 * minute,
		ExtendThreshold:  5 * minute,
		ExtendBy:         10 * minute,
		CommissionBps:    50,
		FeeBps:           10,
		MaxCancelsPerDay: 3,
		MaxTimeouts:      1000,
		MinOrder:         1 * types.MicroPerUSDT,
		MerchantKYCLevel: 1,
		DisputeSlashBps:  1000,
	}
}

// paramTable binds each Params field to its key and range.
var paramTable = core.ParamTable[Params]{Module: ModuleName, ErrBad: ErrBadParam, Fields: []core.ParamField[Params]{
	{Key: ParamPaymentWindow, Min: minute, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.PaymentWindow }},
	{Key: ParamReleaseWindow, Min: minute, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.ReleaseWindow }},
	{Key: ParamExtendThreshold, Min: 0, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.ExtendThreshold }},
	{Key: ParamExtendBy, Min: 0, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.ExtendBy }},
	{Key: ParamCommissionBps, Min: 0, Max: 5000, Get: func(p *Params) *uint64 { return &p.CommissionBps }},
	{Key: ParamFeeBps, Min: 0, Max: 5000, Get: func(p *Params) *uint64 { return &p.FeeBps }},
	{Key: ParamMaxCancelsPerDay, Min: 0, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.MaxCancelsPerDay }},
	{Key: ParamMaxTimeouts, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.MaxTimeouts }},
	{Key: ParamMinOrder, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.MinOrder }},
	{Key: ParamMerchantKYCLevel, Min: 1, Max: 255, Get: func(p *Params) *uint64 { return &p.MerchantKYCLevel }},
	{Key: ParamDisputeSlashBps, Min: 0, Max: 10_000, Get: func(p *Params) *uint64 { return &p.DisputeSlashBps }},
}}

// ParamBound is the range a single parameter may take; the wiring turns
// each into a gov.Uint64Spec.
type ParamBound = core.ParamBound

// ParamBounds lists every parameter with its allowed range.
func ParamBounds() []ParamBound { return paramTable.Bounds() }

// Validate checks each parameter's range. Commission and fee are each at
// most 50%, so together they never exceed the order amount.
func (p Params) Validate() error {
	if err := paramTable.CheckRanges(&p); err != nil {
		return err
	}
	return nil
}

// Params reads the current parameters (defaults for unset keys).
func (k Keeper) Params(st state.Store) Params {
	p := DefaultParams()
	paramTable.Read(st, k.params, &p)
	// Stored values passed gov's range check; clamp anyway so a missing
	// spec can never make a payout exceed its escrow.
	p.CommissionBps, p.FeeBps = min(p.CommissionBps, 5000), min(p.FeeBps, 5000)
	p.MaxTimeouts = max(p.MaxTimeouts, 1)
	return p
}

// SetParams validates p and writes every parameter (genesis and tests).
func (k Keeper) SetParams(st state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return paramTable.Write(st, k.params, &p)
}
