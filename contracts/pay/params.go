package pay

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
)

// ModuleName is the module's genesis key and its gov parameter module.
const ModuleName = "pay"

// Parameter keys, under gov module "pay". Amounts are micro-USDT,
// durations block-time ms.
const (
	ParamMinAmount   = "min_amount_micro"   // smallest payment
	ParamMaxDeadline = "max_deadline_ms"    // deadline at most this far after the block time
	ParamMaxOpen     = "max_open_per_payer" // LOCKED or DISPUTED payments one payer may have
)

// Params are the pay module's governable parameters.
type Params struct {
	MinAmount   uint64
	MaxDeadline uint64
	MaxOpen     uint64
}

const (
	minute = 60 * 1000
	day    = 24 * 60 * minute
)

// DefaultParams are the values used for any parameter that is not set.
func DefaultParams() Params {
	return Params{MinAmount: 10_000, MaxDeadline: 90 * day, MaxOpen: 1000}
}

var paramTable = core.ParamTable[Params]{Module: ModuleName, ErrBad: ErrBadParam, Fields: []core.ParamField[Params]{
	{Key: ParamMinAmount, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.MinAmount }},
	{Key: ParamMaxDeadline, Min: minute, Max: 10 * 365 * day, Get: func(p *Params) *uint64 { return &p.MaxDeadline }},
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
	p.MinAmount = max(p.MinAmount, 1)
	return p
}

// SetParams validates p and writes every parameter (genesis and tests).
func (k Keeper) SetParams(st state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return paramTable.Write(st, k.params, &p)
}
