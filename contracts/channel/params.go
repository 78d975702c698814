package channel

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
)

// ModuleName is the module's genesis key and its gov parameter module.
const ModuleName = "channel"

// Parameter keys, under gov module "channel". Amounts are micro-USDT,
// durations block-time ms.
const (
	ParamChallenge  = "challenge_period_ms" // redemption window after expiry or close; fixed per channel at open
	ParamMinDeposit = "min_deposit_micro"   // smallest deposit at open
	ParamMaxExpiry  = "max_expiry_ms"       // expiry at most this far after the block time
	ParamMaxOpen    = "max_open_per_payer"  // unsettled channels one payer may hold
)

// Params are the channel module's governable parameters.
type Params struct {
	Challenge  uint64
	MinDeposit uint64
	MaxExpiry  uint64
	MaxOpen    uint64
}

const (
	minute = 60 * 1000
	day    = 24 * 60 * minute
)

// DefaultParams are the values used for any parameter that is not set.
func DefaultParams() Params {
	return Params{Challenge: 60 * minute, MinDeposit: 10_000, MaxExpiry: 365 * day, MaxOpen: 1000}
}

var paramTable = core.ParamTable[Params]{Module: ModuleName, ErrBad: ErrBadParam, Fields: []core.ParamField[Params]{
	{Key: ParamChallenge, Min: minute, Max: 30 * day, Get: func(p *Params) *uint64 { return &p.Challenge }},
	{Key: ParamMinDeposit, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.MinDeposit }},
	{Key: ParamMaxExpiry, Min: minute, Max: 10 * 365 * day, Get: func(p *Params) *uint64 { return &p.MaxExpiry }},
	{Key: ParamMaxOpen, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.MaxOpen }},
}}

// ParamSpecs declares the module's parameters to gov (gov.Module.Specs).
func ParamSpecs() []gov.ParamSpec {
	out := make([]gov.ParamSpec, 0, len(paramTable.Fields))
	for _, b := range paramTable.Bounds() {
		out = append(out, gov.Uint64Spec(ModuleName, b.Key, b.Min, b.Max))
	}
	return out
}

// Validate checks each parameter's range.
func (p Params) Validate() error { return paramTable.CheckRanges(&p) }

// Params reads the current parameters (defaults for unset keys).
func (k Keeper) Params(st state.Store) Params {
	p := DefaultParams()
	paramTable.Read(st, k.params, &p)
	p.MaxOpen = max(p.MaxOpen, 1)
	p.MinDeposit = max(p.MinDeposit, 1)
	return p
}

// SetParams validates p and writes every parameter (genesis and tests).
func (k Keeper) SetParams(st state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return paramTable.Write(st, k.params, &p)
}
