package acceptor

import (
	"fmt"
	"github.com/accordnet/accord/contracts/core"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's genesis key and its gov parameter module.
const ModuleName = "acceptor"

// Parameter keys, under gov module "acceptor". Values are canonical decimal
// uint64 strings; amounts are micro-USDT, durations block-time ms.
const (
	ParamMarginBps          = "margin_bps"              // margin ≥ this share of trailing-24h volume
	ParamMinKYCLevel        = "min_kyc_level"           // KYC level an acceptor needs
	ParamNewOrderLimit      = "new_order_limit_micro"   // per-order limit of a brand-new acceptor
	ParamMaxOrderLimit      = "max_order_limit_micro"   // per-order limit once ramped up
	ParamNewDailyLimit      = "new_daily_limit_micro"   // trailing-24h limit of a brand-new acceptor
	ParamMaxDailyLimit      = "max_daily_limit_micro"   // trailing-24h limit once ramped up
	ParamRampAge            = "ramp_age_ms"             // account age at which the age ramp is complete
	ParamRampOrders         = "ramp_orders"             // credited completions at which the order ramp is complete
	ParamRepHalfParties     = "rep_half_counterparties" // distinct counterparties giving half the volume score
	ParamRepCounterpartyCap = "rep_counterparty_cap"    // completions one counterparty identity can credit
	ParamRepFastRelease     = "rep_fast_release_ms"     // median release at or below this scores full speed
	ParamRepSlowRelease     = "rep_slow_release_ms"     // median release at or above this scores zero speed
	ParamWeightFloor        = "weight_floor"            // added to reputation in the draw weight
	ParamRepFullLimit       = "rep_full_limit"          // reputation from which the per-order limit is not reduced
)

// Params are the acceptor module's governable parameters.
type Params struct {
	MarginBps          uint64
	MinKYCLevel        uint64
	NewOrderLimit      uint64
	MaxOrderLimit      uint64
	NewDailyLimit      uint64
	MaxDailyLimit      uint64
	RampAge            uint64
	RampOrders         uint64
	RepHalfParties     uint64
	RepCounterpartyCap uint64
	RepFastRelease     uint64
	RepSlowRelease     uint64
	WeightFloor        uint64
	RepFullLimit       uint64
}

const (
	minute = 60 * 1000
	hour   = 60 * minute
	day    = 24 * hour
	usdt   = types.MicroPerUSDT
)

// DefaultParams are the values used for any parameter that is not set.
func DefaultParams() Params {
	return Params{
		MarginBps:          2000,
		MinKYCLevel:        1,
		NewOrderLimit:      500 * usdt,
		MaxOrderLimit:      50_000 * usdt,
		NewDailyLimit:      2_000 * usdt,
		MaxDailyLimit:      1_000_000 * usdt,
		RampAge:            30 * day,
		RampOrders:         100,
		RepHalfParties:     20,
		RepCounterpartyCap: 100,
		RepFastRelease:     2 * minute,
		RepSlowRelease:     30 * minute,
		WeightFloor:        100,
		RepFullLimit:       300,
	}
}

// ParamBound is the range a single parameter may take; the wiring turns
// each into a gov.Uint64Spec so a proposal with a bad value is refused.
type ParamBound = core.ParamBound

// field pairs a key with its Params field, so loading, storing, bounds and
// genesis share one table.
// paramTable binds each Params field to its key and range.
var paramTable = core.ParamTable[Params]{Module: ModuleName, ErrBad: ErrBadParam, Fields: []core.ParamField[Params]{
	{Key: ParamMarginBps, Min: 0, Max: 100_000, Get: func(p *Params) *uint64 { return &p.MarginBps }},
	{Key: ParamMinKYCLevel, Min: 1, Max: 255, Get: func(p *Params) *uint64 { return &p.MinKYCLevel }},
	{Key: ParamNewOrderLimit, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.NewOrderLimit }},
	{Key: ParamMaxOrderLimit, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.MaxOrderLimit }},
	{Key: ParamNewDailyLimit, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.NewDailyLimit }},
	{Key: ParamMaxDailyLimit, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.MaxDailyLimit }},
	{Key: ParamRampAge, Min: 0, Max: 10 * 365 * day, Get: func(p *Params) *uint64 { return &p.RampAge }},
	{Key: ParamRampOrders, Min: 0, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.RampOrders }},
	{Key: ParamRepHalfParties, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.RepHalfParties }},
	{Key: ParamRepCounterpartyCap, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.RepCounterpartyCap }},
	{Key: ParamRepFastRelease, Min: 0, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.RepFastRelease }},
	{Key: ParamRepSlowRelease, Min: 1, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.RepSlowRelease }},
	{Key: ParamWeightFloor, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.WeightFloor }},
	{Key: ParamRepFullLimit, Min: 0, Max: MaxReputation, Get: func(p *Params) *uint64 { return &p.RepFullLimit }},
}}

// ParamBounds lists every parameter with its allowed range.
func ParamBounds() []ParamBound { return paramTable.Bounds() }

// Validate checks each parameter's range and the relations between them.
func (p Params) Validate() error {
	if err := paramTable.CheckRanges(&p); err != nil {
		return err
	}
	if p.NewOrderLimit > p.MaxOrderLimit {
		return fmt.Errorf("%w: %s above %s", ErrBadParam, ParamNewOrderLimit, ParamMaxOrderLimit)
	}
	if p.NewDailyLimit > p.MaxDailyLimit {
		return fmt.Errorf("%w: %s above %s", ErrBadParam, ParamNewDailyLimit, ParamMaxDailyLimit)
	}
	if p.RepFastRelease >= p.RepSlowRelease {
		return fmt.Errorf("%w: %s must be below %s", ErrBadParam, ParamRepFastRelease, ParamRepSlowRelease)
	}
	return nil
}

// sanitize makes parameters that gov changed one at a time consistent
// again, so a half-applied change can never halt execution: a "new" limit
// above the ramped-up one is clamped to it, and an inverted release range
// falls back to the defaults.
func (p Params) sanitize() Params {
	p.NewOrderLimit = min(p.NewOrderLimit, p.MaxOrderLimit)
	p.NewDailyLimit = min(p.NewDailyLimit, p.MaxDailyLimit)
	if p.RepFastRelease >= p.RepSlowRelease {
		d := DefaultParams()
		p.RepFastRelease, p.RepSlowRelease = d.RepFastRelease, d.RepSlowRelease
	}
	if p.RepHalfParties == 0 {
		p.RepHalfParties = 1
	}
	if p.RepCounterpartyCap == 0 {
		p.RepCounterpartyCap = 1
	}
	return p
}

// Params reads the current parameters (defaults for unset keys).
func (k Keeper) Params(st state.Store) Params {
	p := DefaultParams()
	paramTable.Read(st, k.params, &p)
	return p.sanitize()
}

// SetParams validates p and writes every parameter (genesis and tests;
// transactions change parameters through gov proposals).
func (k Keeper) SetParams(st state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return paramTable.Write(st, k.params, &p)
}
