package arbitration

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
)

// ModuleName is the module's genesis key and its gov parameter module.
const ModuleName = "arbitration"

// Parameter keys, under gov module "arbitration"; durations block-time ms.
const (
	ParamPanelSize         = "panel_size"             // m
	ParamPanelThreshold    = "panel_threshold"        // k of m
	ParamEvidenceWindow    = "evidence_window_ms"     // evidence accepted this long after opening
	ParamPanelDeadline     = "panel_deadline_ms"      // the panel decides within this, else the committee takes over
	ParamCommitteeDeadline = "committee_deadline_ms"  // the committee decides within this, else governance
	ParamMaxEvidence       = "max_evidence_per_party" // evidence hashes per party per dispute
	ParamMaxTimeouts       = "max_timeouts_per_block" // deadlines processed per block
)

// Params are the arbitration module's governable parameters.
type Params struct {
	PanelSize         uint64
	PanelThreshold    uint64
	EvidenceWindow    uint64
	PanelDeadline     uint64
	CommitteeDeadline uint64
	MaxEvidence       uint64
	MaxTimeouts       uint64
}

const (
	minute = 60 * 1000
	hour   = 60 * minute
	day    = 24 * hour
)

// DefaultParams are the values used for any parameter that is not set.
func DefaultParams() Params {
	return Params{PanelSize: 3, PanelThreshold: 2, EvidenceWindow: 2 * hour, PanelDeadline: 4 * hour,
		CommitteeDeadline: 4 * hour, MaxEvidence: 16, MaxTimeouts: 100}
}

var paramTable = core.ParamTable[Params]{Module: ModuleName, ErrBad: ErrBadParam, Fields: []core.ParamField[Params]{
	{Key: ParamPanelSize, Min: 1, Max: 15, Get: func(p *Params) *uint64 { return &p.PanelSize }},
	{Key: ParamPanelThreshold, Min: 1, Max: 15, Get: func(p *Params) *uint64 { return &p.PanelThreshold }},
	{Key: ParamEvidenceWindow, Min: minute, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.EvidenceWindow }},
	{Key: ParamPanelDeadline, Min: minute, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.PanelDeadline }},
	{Key: ParamCommitteeDeadline, Min: minute, Max: 7 * day, Get: func(p *Params) *uint64 { return &p.CommitteeDeadline }},
	{Key: ParamMaxEvidence, Min: 1, Max: 256, Get: func(p *Params) *uint64 { return &p.MaxEvidence }},
	{Key: ParamMaxTimeouts, Min: 1, Max: 100_000, Get: func(p *Params) *uint64 { return &p.MaxTimeouts }},
}}

// ParamSpecs declares the module's parameters to gov (gov.Module.Specs).
func ParamSpecs() []gov.ParamSpec {
	out := make([]gov.ParamSpec, 0, len(paramTable.Fields))
	for _, b := range paramTable.Bounds() {
		out = append(out, gov.Uint64Spec(ModuleName, b.Key, b.Min, b.Max))
	}
	return out
}

// Validate checks each parameter's range and k ≤ m.
func (p Params) Validate() error {
	if err := paramTable.CheckRanges(&p); err != nil {
		return err
	}
	if p.PanelThreshold > p.PanelSize {
		return fmt.Errorf("%w: panel_threshold %d > panel_size %d", ErrBadParam, p.PanelThreshold, p.PanelSize)
	}
	return nil
}

// Params reads the current parameters (defaults for unset keys). Gov checks
// each key alone, so k ≤ m is enforced here by clamping.
func (k Keeper) Params(st state.Store) Params {
	p := DefaultParams()
	paramTable.Read(st, k.params, &p)
	p.PanelSize = max(p.PanelSize, 1)
	p.PanelThreshold = min(max(p.PanelThreshold, 1), p.PanelSize)
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
