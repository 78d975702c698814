package bridge

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's genesis key and its gov parameter module.
const ModuleName = "bridge"

// Parameter keys, under gov module "bridge".
const (
	ParamThreshold     = "attest_threshold"       // signers needed for a deposit or a payout
	ParamPayoutTimeout = "payout_timeout_ms"      // PENDING → REFUNDED after this
	ParamDailyCap      = "withdraw_cap_per_day"   // micro-USDT withdrawn per UTC day of block time
	ParamMaxTimeouts   = "max_timeouts_per_block" // refunds processed per block
)

// Params are the bridge's governable parameters.
type Params struct {
	Threshold     uint64
	PayoutTimeout uint64
	DailyCap      uint64
	MaxTimeouts   uint64
}

const (
	hour = 60 * 60 * 1000
	day  = 24 * hour
)

// DefaultParams are used for unset parameters.
func DefaultParams() Params {
	return Params{Threshold: 2, PayoutTimeout: day, DailyCap: 1_000_000 * types.MicroPerUSDT, MaxTimeouts: 1000}
}

var paramTable = core.ParamTable[Params]{Module: ModuleName, ErrBad: ErrBadParam, Fields: []core.ParamField[Params]{
	{Key: ParamThreshold, Min: 1, Max: 100, Get: func(p *Params) *uint64 { return &p.Threshold }},
	{Key: ParamPayoutTimeout, Min: 10 * 60 * 1000, Max: 30 * day, Get: func(p *Params) *uint64 { return &p.PayoutTimeout }},
	{Key: ParamDailyCap, Min: 0, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.DailyCap }},
	{Key: ParamMaxTimeouts, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.MaxTimeouts }},
}}

// ParamBounds lists every parameter with its range, for gov's specs.
func ParamBounds() []core.ParamBound { return paramTable.Bounds() }

// Params reads the current parameters.
func (k Keeper) Params(st state.Store) Params {
	p := DefaultParams()
	paramTable.Read(st, k.params, &p)
	p.Threshold, p.MaxTimeouts = max(p.Threshold, 1), max(p.MaxTimeouts, 1)
	return p
}

// SetParams validates and writes p (genesis and tests).
func (k Keeper) SetParams(st state.Store, p Params) error {
	if err := paramTable.CheckRanges(&p); err != nil {
		return err
	}
	return paramTable.Write(st, k.params, &p)
}
