package risk

import (
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is the module's genesis key and its gov parameter module.
const ModuleName = "risk"

// Parameter keys, under gov module "risk". Each rule has its thresholds
// and a "<rule>_freeze" flag (0 or 1): whether a hit freezes the account.
// Amounts are micro-USDT, ratios basis points, durations block-time ms.
const (
	ParamVelocityMax      = "velocity_max_per_hour"    // orders a merchant may have locked in one hour
	ParamVelocityFreeze   = "velocity_freeze"          //
	ParamVolumeMax        = "volume_max_micro_per_day" // USDT an acceptor may have locked in one UTC day
	ParamVolumeFreeze     = "volume_freeze"            //
	ParamWindow           = "window_orders"            // N of the ratio rules (1–64)
	ParamExpiryMaxBps     = "expiry_max_bps"           // share of a merchant's last N orders that expired
	ParamExpiryFreeze     = "expiry_freeze"            //
	ParamLossMaxBps       = "dispute_loss_max_bps"     // share of an account's last N orders whose dispute it lost
	ParamLossFreeze       = "dispute_loss_freeze"      //
	ParamNewAge           = "new_account_age_ms"       // an account first seen less than this ago is new
	ParamNewLarge         = "new_account_large_micro"  // a new account's order of at least this is a hit
	ParamNewFreeze        = "new_account_freeze"       //
	ParamPairMax          = "pair_max_per_day"         // orders one merchant–acceptor pair may have in one UTC day
	ParamPairFreeze       = "pair_freeze"              //
	ParamReportThreshold  = "report_threshold_micro"   // the reporting threshold structurers stay under
	ParamStructBandBps    = "structuring_band_bps"     // "just under": within this share below the threshold
	ParamStructMax        = "structuring_max_per_day"  // such orders a merchant may have in one UTC day
	ParamStructFreeze     = "structuring_freeze"       //
	ParamMaxEventsAccount = "max_events_per_account"   // stored risk events per account (oldest dropped)
)

// Params are the risk module's governable thresholds.
type Params struct {
	VelocityMax, VelocityFreeze uint64
	VolumeMax, VolumeFreeze     uint64
	Window                      uint64
	ExpiryMaxBps, ExpiryFreeze  uint64
	LossMaxBps, LossFreeze      uint64
	NewAge, NewLarge, NewFreeze uint64
	PairMax, PairFreeze         uint64
	ReportThreshold             uint64
	StructBandBps               uint64
	StructMax, StructFreeze     uint64
	MaxEventsAccount            uint64
}

const (
	minute = 60 * 1000
	hour   = 60 * minute
	day    = 24 * hour
)

// DefaultParams are the values used for any parameter that is not set.
func DefaultParams() Params {
	return Params{
		VelocityMax: 30, VelocityFreeze: 1,
		VolumeMax: 1_000_000 * types.MicroPerUSDT, VolumeFreeze: 0,
		Window:       20,
		ExpiryMaxBps: 5000, ExpiryFreeze: 0,
		LossMaxBps: 3000, LossFreeze: 1,
		NewAge: 7 * day, NewLarge: 5_000 * types.MicroPerUSDT, NewFreeze: 0,
		PairMax: 10, PairFreeze: 0,
		ReportThreshold: 10_000 * types.MicroPerUSDT, StructBandBps: 1000, StructMax: 3, StructFreeze: 1,
		MaxEventsAccount: 256,
	}
}

func flag(key string, get func(p *Params) *uint64) core.ParamField[Params] {
	return core.ParamField[Params]{Key: key, Min: 0, Max: 1, Get: get}
}

var paramTable = core.ParamTable[Params]{Module: ModuleName, ErrBad: ErrBadParam, Fields: []core.ParamField[Params]{
	{Key: ParamVelocityMax, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.VelocityMax }},
	flag(ParamVelocityFreeze, func(p *Params) *uint64 { return &p.VelocityFreeze }),
	{Key: ParamVolumeMax, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.VolumeMax }},
	flag(ParamVolumeFreeze, func(p *Params) *uint64 { return &p.VolumeFreeze }),
	{Key: ParamWindow, Min: 1, Max: 64, Get: func(p *Params) *uint64 { return &p.Window }},
	{Key: ParamExpiryMaxBps, Min: 0, Max: 10_000, Get: func(p *Params) *uint64 { return &p.ExpiryMaxBps }},
	flag(ParamExpiryFreeze, func(p *Params) *uint64 { return &p.ExpiryFreeze }),
	{Key: ParamLossMaxBps, Min: 0, Max: 10_000, Get: func(p *Params) *uint64 { return &p.LossMaxBps }},
	flag(ParamLossFreeze, func(p *Params) *uint64 { return &p.LossFreeze }),
	{Key: ParamNewAge, Min: 0, Max: 365 * day, Get: func(p *Params) *uint64 { return &p.NewAge }},
	{Key: ParamNewLarge, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.NewLarge }},
	flag(ParamNewFreeze, func(p *Params) *uint64 { return &p.NewFreeze }),
	{Key: ParamPairMax, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.PairMax }},
	flag(ParamPairFreeze, func(p *Params) *uint64 { return &p.PairFreeze }),
	{Key: ParamReportThreshold, Min: 1, Max: 1 << 62, Get: func(p *Params) *uint64 { return &p.ReportThreshold }},
	{Key: ParamStructBandBps, Min: 0, Max: 10_000, Get: func(p *Params) *uint64 { return &p.StructBandBps }},
	{Key: ParamStructMax, Min: 1, Max: 1_000_000, Get: func(p *Params) *uint64 { return &p.StructMax }},
	flag(ParamStructFreeze, func(p *Params) *uint64 { return &p.StructFreeze }),
	{Key: ParamMaxEventsAccount, Min: 1, Max: 100_000, Get: func(p *Params) *uint64 { return &p.MaxEventsAccount }},
}}

// ParamBound is the range one parameter may take.
type ParamBound = core.ParamBound

// ParamBounds lists every parameter with its allowed range.
func ParamBounds() []ParamBound { return paramTable.Bounds() }

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
	p.Window = min(max(p.Window, 1), 64)
	p.MaxEventsAccount = max(p.MaxEventsAccount, 1)
	return p
}

// SetParams validates p and writes every parameter (genesis and tests).
func (k Keeper) SetParams(st state.Store, p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	return paramTable.Write(st, k.params, &p)
}
