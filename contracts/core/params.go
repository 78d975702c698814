package core

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"

	"github.com/accordnet/accord/ledger/state"
)

// ParamStore is the governed parameter store (gov's) as a module sees it.
type ParamStore interface {
	ParamUint64(st state.Store, module, key string, def uint64) uint64
	SetParam(st state.Store, module, key string, value []byte) error
}

// ParamField binds one uint64 field of a module's parameter struct P to its
// key in the parameter store and its allowed range.
type ParamField[P any] struct {
	Key      string
	Min, Max uint64
	Get      func(*P) *uint64
}

// ParamBound is the range one parameter may take; the wiring turns each
// into a gov.Uint64Spec so a proposal with a bad value is refused.
type ParamBound struct {
	Key      string
	Min, Max uint64
}

// ParamTable is a module's list of uint64 parameters: one table serves
// reading, writing, range checks, genesis overrides and gov specs.
type ParamTable[P any] struct {
	Module string
	Fields []ParamField[P]
	// ErrBad is the module's sentinel error for a bad parameter.
	ErrBad error
}

// Bounds lists every parameter with its range, in table order.
func (t ParamTable[P]) Bounds() []ParamBound {
	out := make([]ParamBound, len(t.Fields))
	for i, f := range t.Fields {
		out[i] = ParamBound{Key: f.Key, Min: f.Min, Max: f.Max}
	}
	return out
}

// Known reports whether key is one of the table's parameters.
func (t ParamTable[P]) Known(key string) bool {
	for _, f := range t.Fields {
		if f.Key == key {
			return true
		}
	}
	return false
}

// CheckRanges checks every field of p against its range.
func (t ParamTable[P]) CheckRanges(p *P) error {
	for _, f := range t.Fields {
		if v := *f.Get(p); v < f.Min || v > f.Max {
			return fmt.Errorf("%w: %s = %d outside [%d, %d]", t.ErrBad, f.Key, v, f.Min, f.Max)
		}
	}
	return nil
}

// Read overwrites each field of p (holding the defaults) with the stored
// value, if any. A nil store leaves the defaults.
func (t ParamTable[P]) Read(st state.Store, ps ParamStore, p *P) {
	if ps == nil {
		return
	}
	for _, f := range t.Fields {
		v := f.Get(p)
		*v = ps.ParamUint64(st, t.Module, f.Key, *v)
	}
}

// Write stores every field of p (genesis and tests; transactions change
// parameters through gov proposals). The caller validates p first.
func (t ParamTable[P]) Write(st state.Store, ps ParamStore, p *P) error {
	if ps == nil {
		return fmt.Errorf("%w: no parameter store wired", t.ErrBad)
	}
	for _, f := range t.Fields {
		if err := ps.SetParam(st, t.Module, f.Key, []byte(strconv.FormatUint(*f.Get(p), 10))); err != nil {
			return err
		}
	}
	return nil
}

// ParamsGenesis is the genesis section of a module whose only genesis state
// is parameter overrides by key.
type ParamsGenesis struct {
	Params map[string]uint64 `json:"params,omitempty"`
}

// ApplyGenesis decodes a ParamsGenesis section and sets the overridden
// fields of p (which holds the current values). It reports whether the
// section set anything; unknown keys are an error naming them, sorted.
func (t ParamTable[P]) ApplyGenesis(raw json.RawMessage, p *P) (bool, error) {
	var g ParamsGenesis
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &g); err != nil {
			return false, fmt.Errorf("%s genesis: %w", t.Module, err)
		}
	}
	if len(g.Params) == 0 {
		return false, nil
	}
	var unknown []string
	for key := range g.Params {
		if !t.Known(key) {
			unknown = append(unknown, key)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return false, fmt.Errorf("%s genesis: %w: unknown keys %v", t.Module, t.ErrBad, unknown)
	}
	for _, f := range t.Fields {
		if v, ok := g.Params[f.Key]; ok {
			*f.Get(p) = v
		}
	}
	return true, nil
}

// InitGenesis is a module's InitGenesis for its parameters: the current
// values (load) with the section's overrides applied are saved back; a
// section that sets nothing writes nothing.
func (t ParamTable[P]) InitGenesis(raw json.RawMessage, load func() P, save func(P) error) error {
	p := load()
	set, err := t.ApplyGenesis(raw, &p)
	if err != nil || !set {
		return err
	}
	if err := save(p); err != nil {
		return fmt.Errorf("%s genesis: %w", t.Module, err)
	}
	return nil
}

// Values renders every field of p by key (decimal), as a SetParam
// proposal would set them.
func (t ParamTable[P]) Values(p *P) map[string]string {
	out := make(map[string]string, len(t.Fields))
	for _, f := range t.Fields {
		out[f.Key] = strconv.FormatUint(*f.Get(p), 10)
	}
	return out
}
