package kyc

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ModuleName is kyc's key in the genesis document and its parameter module.
const ModuleName = "kyc"

// Parameters (module "kyc", read through gov).
const (
	ParamMaxLevel       = "max_level"       // highest level a provider may attest
	ParamMaxValidity    = "max_validity_ms" // longest attestation, block-time ms from now
	ParamLevelLimitPref = "level_limit."    // + level: micro-USDT per order at that level

	DefaultMaxLevel    uint64 = 3
	DefaultMaxValidity uint64 = 2 * 365 * 24 * 3600 * 1000 // two years
)

// DefaultLevelLimits are the per-order limits, in micro-USDT, when neither
// the genesis nor a proposal set level_limit.N: 1 000, 10 000 and 100 000
// USDT for levels 1..3; other levels 0.
var DefaultLevelLimits = [...]uint64{0, 1_000 * types.MicroPerUSDT, 10_000 * types.MicroPerUSDT, 100_000 * types.MicroPerUSDT}

// ParamSpecs declares kyc's parameters to gov (gov.Module.Specs).
func ParamSpecs() []gov.ParamSpec {
	return []gov.ParamSpec{
		gov.Uint64Spec(ModuleName, ParamMaxLevel, 1, math.MaxUint8),
		gov.Uint64Spec(ModuleName, ParamMaxValidity, 24*3600*1000, 20*365*24*3600*1000),
		levelLimitSpec(),
	}
}

func levelLimitSpec() gov.ParamSpec {
	s := gov.Uint64Spec(ModuleName, ParamLevelLimitPref+"*", 1, math.MaxUint64)
	s.CheckKey = func(key string) error {
		n, err := strconv.ParseUint(strings.TrimPrefix(key, ParamLevelLimitPref), 10, 8)
		if err != nil || n == 0 || LevelLimitKey(uint8(n)) != key {
			return fmt.Errorf("%q: want %s1 .. %s255", key, ParamLevelLimitPref, ParamLevelLimitPref)
		}
		return nil
	}
	return s
}

// LevelLimitKey is the parameter key of a level's per-order limit.
func LevelLimitKey(level uint8) string { return ParamLevelLimitPref + strconv.Itoa(int(level)) }

var prefixAttestation = []byte("kyc/att/") // + account -> RLP Attestation

// Attestation is an account's KYC record. Only its hash is on chain.
type Attestation struct {
	Account    types.Address `rlp:"-"` // the key; filled on read
	Level      uint8
	ExpiresAt  uint64 // block time, ms: invalid from this instant on
	Country    string // ISO 3166-1 alpha-2
	RecordHash types.Hash
	Provider   types.Address
	AttestedAt uint64
	Revoked    bool
	RevokedBy  types.Address
	RevokedAt  uint64
	Reason     string
}

// Keeper reads and writes KYC attestations. Gov defaults to gov.Keeper{},
// so the zero value is ready to use.
type Keeper struct {
	Gov Gov
}

func (k Keeper) gov() Gov {
	if k.Gov == nil {
		return gov.Keeper{}
	}
	return k.Gov
}

func attKey(a types.Address) []byte {
	return append(append(make([]byte, 0, len(prefixAttestation)+len(a)), prefixAttestation...), a[:]...)
}

// KYC returns a's attestation as stored, valid or not.
func (Keeper) KYC(st state.Store, a types.Address) (Attestation, bool) {
	v, ok := st.Get(attKey(a))
	if !ok {
		return Attestation{}, false
	}
	var att Attestation
	if err := core.Decode(v, &att); err != nil {
		return Attestation{}, false
	}
	att.Account = a
	return att, true
}

// KYCValid returns a's attestation if it is valid at nowMs (block time):
// present (else ErrNoKYC), not revoked and its provider still a KYC
// provider (else ErrKYCRevoked, possibly as ErrKYCProviderRevoked), and
// nowMs < ExpiresAt (else ErrKYCExpired). On error the attestation, if any,
// is still returned for context.
func (k Keeper) KYCValid(st state.Store, a types.Address, nowMs uint64) (Attestation, error) {
	att, ok := k.KYC(st, a)
	switch {
	case !ok:
		return att, fmt.Errorf("%s: %w", a.Hex(), ErrNoKYC)
	case att.Revoked:
		return att, fmt.Errorf("%s (revoked by %s at %d): %w", a.Hex(), att.RevokedBy.Hex(), att.RevokedAt, ErrKYCRevoked)
	case !k.gov().HasRole(st, att.Provider, gov.RoleKYCProvider):
		return att, fmt.Errorf("%s (provider %s): %w", a.Hex(), att.Provider.Hex(), ErrKYCProviderRevoked)
	case nowMs >= att.ExpiresAt:
		return att, fmt.Errorf("%s expired at %d, now %d: %w", a.Hex(), att.ExpiresAt, nowMs, ErrKYCExpired)
	}
	return att, nil
}

// LevelLimit is the largest order, in micro-USDT, an account of that KYC
// level may take part in. 0 means no orders at all: level 0 (no KYC) and
// levels with no configured limit. It is never "unlimited": the limit
// parameters are at least 1, and an attestation is refused at a level
// whose limit is 0, so every valid attestation has a positive limit.
func (k Keeper) LevelLimit(st state.Store, level uint8) uint64 {
	if level == 0 {
		return 0
	}
	def := uint64(0)
	if int(level) < len(DefaultLevelLimits) {
		def = DefaultLevelLimits[level]
	}
	return k.gov().ParamUint64(st, ModuleName, LevelLimitKey(level), def)
}

// MaxLevel is the highest level a provider may attest.
func (k Keeper) MaxLevel(st state.Store) uint8 {
	n := k.gov().ParamUint64(st, ModuleName, ParamMaxLevel, DefaultMaxLevel)
	if n > math.MaxUint8 {
		return math.MaxUint8
	}
	return uint8(n)
}

// SetAttestation writes an attestation (genesis and tests; transactions go
// through MsgAttest).
func (Keeper) SetAttestation(st state.Store, att Attestation) {
	st.Set(attKey(att.Account), core.Encode(&att))
}

// checkAttest applies the stateful rules of an attestation by provider at now.
func (k Keeper) checkAttest(st state.Store, provider types.Address, m *MsgAttest, now uint64) error {
	if !k.gov().HasRole(st, provider, gov.RoleKYCProvider) {
		return fmt.Errorf("attest by %s: %w", provider.Hex(), ErrNotKYCProvider)
	}
	if m.Account == provider {
		return fmt.Errorf("%s: %w", provider.Hex(), ErrSelfAttest)
	}
	if max := k.MaxLevel(st); m.Level > max {
		return fmt.Errorf("%w: level %d above max_level %d", ErrBadLevel, m.Level, max)
	}
	// A valid attestation always has a positive limit, so no caller can
	// mistake 0 ("no orders") for "unlimited".
	if k.LevelLimit(st, m.Level) == 0 {
		return fmt.Errorf("%w: level %d has no order limit (set %s)", ErrBadLevel, m.Level, LevelLimitKey(m.Level))
	}
	if m.ExpiresAt <= now {
		return fmt.Errorf("%w: expires at %d, now %d", ErrBadExpiry, m.ExpiresAt, now)
	}
	if maxV := k.gov().ParamUint64(st, ModuleName, ParamMaxValidity, DefaultMaxValidity); m.ExpiresAt-now > maxV {
		return fmt.Errorf("%w: valid for %d ms, max_validity_ms %d", ErrBadExpiry, m.ExpiresAt-now, maxV)
	}
	return nil
}

// Module is kyc as a contract module. Register it after gov.
type Module struct{ Keeper }

// Name implements core.Module.
func (Module) Name() string { return ModuleName }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{
		{Type: TypeAttest, Name: "kyc.attest", Handler: core.HandleDecoded(DecodeAttest, m.handleAttest)},
		{Type: TypeRevoke, Name: "kyc.revoke", Handler: core.HandleDecoded(DecodeRevoke, m.handleRevoke)},
	}
}

func (m Module) handleAttest(ctx *core.Context, msg *MsgAttest) error {
	if err := m.checkAttest(ctx.Store, ctx.Sender, msg, ctx.Block.Time); err != nil {
		return err
	}
	m.SetAttestation(ctx.Store, Attestation{Account: msg.Account, Level: msg.Level, ExpiresAt: msg.ExpiresAt,
		Country: msg.Country, RecordHash: msg.RecordHash, Provider: ctx.Sender, AttestedAt: ctx.Block.Time})
	ctx.EmitEvent(AttestedEvent{Account: msg.Account, Provider: ctx.Sender, Level: msg.Level, ExpiresAt: msg.ExpiresAt,
		Country: msg.Country, RecordHash: msg.RecordHash})
	return nil
}

func (m Module) handleRevoke(ctx *core.Context, msg *MsgRevoke) error {
	st, from := ctx.Store, ctx.Sender
	g := m.gov()
	compliance := g.HasRole(st, from, gov.RoleCompliance)
	if !compliance && !g.HasRole(st, from, gov.RoleKYCProvider) {
		return fmt.Errorf("revoke by %s: %w", from.Hex(), ErrNotAuthorized)
	}
	att, ok := m.KYC(st, msg.Account)
	if !ok {
		return fmt.Errorf("%s: %w", msg.Account.Hex(), ErrNoKYC)
	}
	if !compliance && att.Provider != from {
		return fmt.Errorf("revoke by %s of %s attested by %s: %w", from.Hex(), msg.Account.Hex(), att.Provider.Hex(), ErrNotAuthorized)
	}
	if att.Revoked {
		return fmt.Errorf("%s: already: %w", msg.Account.Hex(), ErrKYCRevoked)
	}
	att.Revoked, att.RevokedBy, att.RevokedAt, att.Reason = true, from, ctx.Block.Time, msg.Reason
	m.SetAttestation(st, att)
	ctx.EmitEvent(RevokedEvent{Account: msg.Account, By: from, Reason: msg.Reason})
	return nil
}

// Genesis is kyc's section of the genesis document. Parameters given here
// must not also be in gov's "params" section.
type Genesis struct {
	MaxLevel      uint8                `json:"max_level,omitempty"`
	MaxValidityMs uint64               `json:"max_validity_ms,omitempty"`
	LevelLimits   []GenesisLevelLimit  `json:"level_limits,omitempty"`
	Attestations  []GenesisAttestation `json:"attestations,omitempty"`
}

// GenesisLevelLimit is a level's per-order limit.
type GenesisLevelLimit struct {
	Level uint8  `json:"level"`
	Limit string `json:"limit"` // USDT decimal, e.g. "1000"
}

// GenesisAttestation is an initial attestation by a provider that holds the
// role in gov's genesis. It counts as attested at genesis time.
type GenesisAttestation struct {
	Account    string `json:"account"`
	Provider   string `json:"provider"`
	Level      uint8  `json:"level"`
	ExpiresAt  uint64 `json:"expires_at"` // unix ms
	Country    string `json:"country"`
	RecordHash string `json:"record_hash"`
}

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
	}
	st, gk := ctx.Store, m.gov()
	set := func(key string, v uint64) error {
		if _, dup := gk.Param(st, ModuleName, key); dup {
			return fmt.Errorf("%w: %s set both here and in gov params", ErrBadGenesis, key)
		}
		if err := (gov.Module{Specs: ParamSpecs()}).CheckParam(ModuleName, key, gov.FormatUint64Param(v)); err != nil {
			return fmt.Errorf("%w: %w", ErrBadGenesis, err)
		}
		return gk.SetParam(st, ModuleName, key, gov.FormatUint64Param(v))
	}
	if g.MaxLevel != 0 {
		if err := set(ParamMaxLevel, uint64(g.MaxLevel)); err != nil {
			return err
		}
	}
	if g.MaxValidityMs != 0 {
		if err := set(ParamMaxValidity, g.MaxValidityMs); err != nil {
			return err
		}
	}
	limits := append([]GenesisLevelLimit(nil), g.LevelLimits...)
	sort.SliceStable(limits, func(i, j int) bool { return limits[i].Level < limits[j].Level })
	for _, l := range limits {
		if l.Level == 0 || l.Level > m.MaxLevel(st) {
			return fmt.Errorf("%w: level_limits: %w %d", ErrBadGenesis, ErrBadLevel, l.Level)
		}
		amt, err := types.ParseUSDT(l.Limit)
		if err != nil {
			return fmt.Errorf("%w: level %d limit: %w", ErrBadGenesis, l.Level, err)
		}
		if err := set(LevelLimitKey(l.Level), amt); err != nil {
			return err
		}
	}
	for _, ga := range g.Attestations {
		acc, err := types.ParseAddress(ga.Account)
		if err != nil {
			return fmt.Errorf("%w: attestation account: %w", ErrBadGenesis, err)
		}
		prov, err := types.ParseAddress(ga.Provider)
		if err != nil {
			return fmt.Errorf("%w: attestation provider: %w", ErrBadGenesis, err)
		}
		rh, err := types.ParseHash(ga.RecordHash)
		if err != nil {
			return fmt.Errorf("%w: attestation %s: %w", ErrBadGenesis, ga.Account, err)
		}
		msg := &MsgAttest{Account: acc, Level: ga.Level, ExpiresAt: ga.ExpiresAt, Country: ga.Country, RecordHash: rh}
		if err := msg.ValidateBasic(); err != nil {
			return fmt.Errorf("%w: attestation %s: %w", ErrBadGenesis, ga.Account, err)
		}
		if err := m.checkAttest(st, prov, msg, ctx.Block.Time); err != nil {
			return fmt.Errorf("%w: attestation %s: %w", ErrBadGenesis, ga.Account, err)
		}
		if _, dup := m.KYC(st, acc); dup {
			return fmt.Errorf("%w: attestation %s listed twice", ErrBadGenesis, ga.Account)
		}
		m.SetAttestation(st, Attestation{Account: acc, Level: msg.Level, ExpiresAt: msg.ExpiresAt,
			Country: msg.Country, RecordHash: rh, Provider: prov, AttestedAt: ctx.Block.Time})
	}
	return nil
}
