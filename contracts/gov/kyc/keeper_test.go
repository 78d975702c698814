package kyc_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/types"
)

// Key roles in these tests.
const (
	admin      = 0
	stranger   = 3
	provider   = 4
	provider2  = 5
	compliance = 6
	account    = 7
)

const day = 24 * 3600 * 1000

func newEnv(t *testing.T) *govtest.Env {
	t.Helper()
	return govtest.New(t, govtest.Setup{Roles: []govtest.KeyRole{
		{Key: provider, Role: gov.RoleKYCProvider}, {Key: provider2, Role: gov.RoleKYCProvider},
		{Key: compliance, Role: gov.RoleCompliance},
	}})
}

func attestMsg(e *govtest.Env, acc int) *kyc.MsgAttest {
	return &kyc.MsgAttest{Account: e.Addr(acc), Level: 2, ExpiresAt: e.Now() + 365*day, Country: "SG",
		RecordHash: types.Keccak([]byte("record"))}
}

func TestAttestAndValidity(t *testing.T) {
	e := newEnv(t)
	acc := e.Addr(account)
	if _, err := e.KYC.KYCValid(e.St, acc, e.Now()); !errors.Is(err, kyc.ErrNoKYC) {
		t.Fatalf("no attestation: %v", err)
	}
	m := attestMsg(e, account)
	if err := e.Exec(provider, kyc.TypeAttest, m); err != nil {
		t.Fatal(err)
	}
	ev, ok := e.Event(kyc.EventAttested)
	if !ok || ev.Get("account") != acc.Hex() || ev.Get("provider") != e.Addr(provider).Hex() || ev.Get("level") != "2" || ev.Get("country") != "SG" {
		t.Fatalf("event %+v", ev)
	}
	att, err := e.KYC.KYCValid(e.St, acc, e.Now())
	if err != nil {
		t.Fatal(err)
	}
	if att.Account != acc || att.Level != 2 || att.Provider != e.Addr(provider) || att.AttestedAt != e.Now() ||
		att.ExpiresAt != m.ExpiresAt || att.RecordHash != m.RecordHash || att.Revoked {
		t.Fatalf("attestation %+v", att)
	}
	// Valid until the instant before expiry; expired from it on.
	if _, err := e.KYC.KYCValid(e.St, acc, m.ExpiresAt-1); err != nil {
		t.Fatal(err)
	}
	if _, err := e.KYC.KYCValid(e.St, acc, m.ExpiresAt); !errors.Is(err, kyc.ErrKYCExpired) {
		t.Fatalf("at expiry: %v", err)
	}
	// Another provider re-attests at a higher level: it replaces the record.
	m2 := attestMsg(e, account)
	m2.Level = 3
	if err := e.Exec(provider2, kyc.TypeAttest, m2); err != nil {
		t.Fatal(err)
	}
	if att, _ := e.KYC.KYC(e.St, acc); att.Level != 3 || att.Provider != e.Addr(provider2) {
		t.Fatalf("replaced %+v", att)
	}
	e.CheckInvariants()
}

func TestAttestRefusals(t *testing.T) {
	cases := []struct {
		name string
		key  int
		edit func(e *govtest.Env, m *kyc.MsgAttest)
		want error
	}{
		{"attest by a non-provider is refused", stranger, nil, kyc.ErrNotKYCProvider},
		{"attest by a compliance officer is refused", compliance, nil, kyc.ErrNotKYCProvider},
		{"attest by an admin is refused", admin, nil, kyc.ErrNotKYCProvider},
		{"self-attestation is refused", provider, func(e *govtest.Env, m *kyc.MsgAttest) { m.Account = e.Addr(provider) }, kyc.ErrSelfAttest},
		{"level 0 is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.Level = 0 }, kyc.ErrBadLevel},
		{"level above max_level is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.Level = 4 }, kyc.ErrBadLevel},
		{"expiry now is refused", provider, func(e *govtest.Env, m *kyc.MsgAttest) { m.ExpiresAt = e.Now() }, kyc.ErrBadExpiry},
		{"expiry in the past is refused", provider, func(e *govtest.Env, m *kyc.MsgAttest) { m.ExpiresAt = e.Now() - 1 }, kyc.ErrBadExpiry},
		{"expiry 0 is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.ExpiresAt = 0 }, kyc.ErrBadExpiry},
		{"expiry beyond max validity is refused", provider, func(e *govtest.Env, m *kyc.MsgAttest) {
			m.ExpiresAt = e.Now() + kyc.DefaultMaxValidity + 1
		}, kyc.ErrBadExpiry},
		{"lower-case country is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.Country = "sg" }, kyc.ErrBadCountry},
		{"alpha-3 country is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.Country = "SGP" }, kyc.ErrBadCountry},
		{"empty country is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.Country = "" }, kyc.ErrBadCountry},
		{"zero record hash is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.RecordHash = types.Hash{} }, kyc.ErrBadRecordHash},
		{"zero account is refused", provider, func(_ *govtest.Env, m *kyc.MsgAttest) { m.Account = types.Address{} }, kyc.ErrZeroAddress},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			m := attestMsg(e, account)
			if c.edit != nil {
				c.edit(e, m)
			}
			before := e.Dump("kyc/")
			if err := e.Exec(c.key, kyc.TypeAttest, m); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if e.Dump("kyc/") != before || len(e.Events) != 0 {
				t.Fatal("refused attestation changed state")
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	cases := []struct {
		name   string
		key    int
		attest bool // attest the account (by provider) first
		pre    func(t *testing.T, e *govtest.Env)
		reason string
		want   error
	}{
		{name: "its provider revokes", key: provider, attest: true},
		{name: "a compliance officer revokes any attestation", key: compliance, attest: true, reason: "fraud"},
		{name: "another provider is refused", key: provider2, attest: true, want: kyc.ErrNotAuthorized},
		{name: "a stranger is refused", key: stranger, attest: true, want: kyc.ErrNotAuthorized},
		{name: "an admin is refused", key: admin, attest: true, want: kyc.ErrNotAuthorized},
		{name: "revoking no attestation is refused", key: compliance, want: kyc.ErrNoKYC},
		{name: "revoking twice is refused", key: compliance, attest: true, pre: func(t *testing.T, e *govtest.Env) {
			if err := e.Exec(provider, kyc.TypeRevoke, &kyc.MsgRevoke{Account: e.Addr(account)}); err != nil {
				t.Fatal(err)
			}
		}, want: kyc.ErrKYCRevoked},
		{name: "a long reason is refused", key: compliance, attest: true, reason: strings.Repeat("x", kyc.MaxReasonLen+1), want: kyc.ErrReasonTooLong},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if c.attest {
				if err := e.Exec(provider, kyc.TypeAttest, attestMsg(e, account)); err != nil {
					t.Fatal(err)
				}
			}
			if c.pre != nil {
				c.pre(t, e)
			}
			e.Advance(1000)
			before := e.Dump("kyc/")
			err := e.Exec(c.key, kyc.TypeRevoke, &kyc.MsgRevoke{Account: e.Addr(account), Reason: c.reason})
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if c.want != nil {
				if e.Dump("kyc/") != before {
					t.Fatal("refused revocation changed state")
				}
				return
			}
			ev, ok := e.Event(kyc.EventRevoked)
			if !ok || ev.Get("by") != e.Addr(c.key).Hex() || ev.Get("reason") != c.reason {
				t.Fatalf("event %+v", ev)
			}
			att, err := e.KYC.KYCValid(e.St, e.Addr(account), e.Now())
			if !errors.Is(err, kyc.ErrKYCRevoked) || !att.Revoked || att.RevokedBy != e.Addr(c.key) || att.RevokedAt != e.Now() {
				t.Fatalf("after revocation: %v %+v", err, att)
			}
			e.CheckInvariants()
			// A new attestation replaces the revoked one.
			if err := e.Exec(provider2, kyc.TypeAttest, attestMsg(e, account)); err != nil {
				t.Fatal(err)
			}
			if _, err := e.KYC.KYCValid(e.St, e.Addr(account), e.Now()); err != nil {
				t.Fatalf("re-attested: %v", err)
			}
		})
	}
}

func TestProviderLosingRoleInvalidatesItsAttestations(t *testing.T) {
	e := newEnv(t)
	if err := e.Exec(provider, kyc.TypeAttest, attestMsg(e, account)); err != nil {
		t.Fatal(err)
	}
	if err := e.Exec(provider2, kyc.TypeAttest, attestMsg(e, stranger)); err != nil {
		t.Fatal(err)
	}
	if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.RevokeRoleAction(e.Addr(provider), gov.RoleKYCProvider)}}); err != nil {
		t.Fatal(err)
	}
	_, err := e.KYC.KYCValid(e.St, e.Addr(account), e.Now())
	if !errors.Is(err, kyc.ErrKYCRevoked) || !errors.Is(err, kyc.ErrKYCProviderRevoked) {
		t.Fatalf("attestation of a removed provider: %v", err)
	}
	if _, err := e.KYC.KYCValid(e.St, e.Addr(stranger), e.Now()); err != nil {
		t.Fatalf("other provider's attestation: %v", err)
	}
	// The former provider can neither attest nor revoke.
	if err := e.Exec(provider, kyc.TypeAttest, attestMsg(e, stranger)); !errors.Is(err, kyc.ErrNotKYCProvider) {
		t.Fatal(err)
	}
	if err := e.Exec(provider, kyc.TypeRevoke, &kyc.MsgRevoke{Account: e.Addr(account)}); !errors.Is(err, kyc.ErrNotAuthorized) {
		t.Fatal(err)
	}
}

func TestLevelLimits(t *testing.T) {
	e := newEnv(t)
	want := map[uint8]uint64{0: 0, 1: 1_000_000_000, 2: 10_000_000_000, 3: 100_000_000_000, 4: 0, 255: 0}
	for _, lvl := range []uint8{0, 1, 2, 3, 4, 255} {
		if got := e.KYC.LevelLimit(e.St, lvl); got != want[lvl] {
			t.Errorf("default level %d limit %d, want %d", lvl, got, want[lvl])
		}
	}
	e = govtest.New(t, govtest.Setup{KYC: &kyc.Genesis{MaxLevel: 5, LevelLimits: []kyc.GenesisLevelLimit{
		{Level: 5, Limit: "250000"}, {Level: 1, Limit: "500.5"}}}})
	if got := e.KYC.LevelLimit(e.St, 1); got != 500_500_000 {
		t.Fatalf("level 1 %d", got)
	}
	if got := e.KYC.LevelLimit(e.St, 2); got != 10_000_000_000 {
		t.Fatalf("level 2 keeps its default: %d", got)
	}
	if got := e.KYC.LevelLimit(e.St, 5); got != 250_000_000_000 {
		t.Fatalf("level 5 %d", got)
	}
	if got := e.KYC.LevelLimit(e.St, 0); got != 0 {
		t.Fatalf("level 0 %d", got)
	}
	if e.KYC.MaxLevel(e.St) != 5 {
		t.Fatal("max level")
	}
	// Level 4 is allowed by max_level but has no limit: attesting it is refused,
	// so a valid attestation never has limit 0.
	if err := e.Gov.GrantRole(e.St, e.Addr(provider), gov.RoleKYCProvider); err != nil {
		t.Fatal(err)
	}
	m := attestMsg(e, account)
	m.Level = 4
	if err := e.Exec(provider, kyc.TypeAttest, m); !errors.Is(err, kyc.ErrBadLevel) {
		t.Fatalf("level without a limit: %v", err)
	}
	m.Level = 5
	if err := e.Exec(provider, kyc.TypeAttest, m); err != nil {
		t.Fatal(err)
	}
	if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.SetUint64ParamAction("kyc", kyc.LevelLimitKey(5), 0)}}); !errors.Is(err, gov.ErrBadParam) {
		t.Fatalf("limit 0 by proposal: %v", err)
	}
}

func TestGenesis(t *testing.T) {
	ok := func(e func(g *kyc.GenesisAttestation)) *kyc.Genesis {
		k := govtest.New(t, govtest.Setup{})
		ga := kyc.GenesisAttestation{Account: k.Addr(account).Hex(), Provider: k.Addr(provider).Hex(), Level: 1,
			ExpiresAt: govtest.GenesisTime + 30*day, Country: "HK", RecordHash: types.Keccak([]byte("r")).Hex()}
		if e != nil {
			e(&ga)
		}
		return &kyc.Genesis{Attestations: []kyc.GenesisAttestation{ga}}
	}
	roles := []govtest.KeyRole{{Key: provider, Role: gov.RoleKYCProvider}}
	e := govtest.New(t, govtest.Setup{Roles: roles, KYC: ok(nil)})
	att, err := e.KYC.KYCValid(e.St, e.Addr(account), e.Now())
	if err != nil || att.Country != "HK" || att.AttestedAt != govtest.GenesisTime {
		t.Fatalf("genesis attestation: %v %+v", err, att)
	}
	e.CheckInvariants()

	cases := []struct {
		name string
		s    govtest.Setup
		want error
	}{
		{"provider without the role", govtest.Setup{KYC: ok(nil)}, kyc.ErrNotKYCProvider},
		{"expired attestation", govtest.Setup{Roles: roles, KYC: ok(func(g *kyc.GenesisAttestation) { g.ExpiresAt = govtest.GenesisTime })}, kyc.ErrBadExpiry},
		{"bad country", govtest.Setup{Roles: roles, KYC: ok(func(g *kyc.GenesisAttestation) { g.Country = "XXX" })}, kyc.ErrBadCountry},
		{"bad record hash", govtest.Setup{Roles: roles, KYC: ok(func(g *kyc.GenesisAttestation) { g.RecordHash = "0x12" })}, kyc.ErrBadGenesis},
		{"limit for level 0", govtest.Setup{KYC: &kyc.Genesis{LevelLimits: []kyc.GenesisLevelLimit{{Level: 0, Limit: "1"}}}}, kyc.ErrBadLevel},
		{"limit above max level", govtest.Setup{KYC: &kyc.Genesis{LevelLimits: []kyc.GenesisLevelLimit{{Level: 4, Limit: "1"}}}}, kyc.ErrBadLevel},
		{"zero limit", govtest.Setup{KYC: &kyc.Genesis{LevelLimits: []kyc.GenesisLevelLimit{{Level: 1, Limit: "0"}}}}, gov.ErrBadParam},
		{"max validity below its minimum", govtest.Setup{KYC: &kyc.Genesis{MaxValidityMs: 1000}}, gov.ErrBadParam},
		{"malformed limit", govtest.Setup{KYC: &kyc.Genesis{LevelLimits: []kyc.GenesisLevelLimit{{Level: 1, Limit: "-1"}}}}, types.ErrBadAmount},
		{"param set twice", govtest.Setup{Params: map[string]map[string]string{"kyc": {"max_level": "4"}},
			KYC: &kyc.Genesis{MaxLevel: 4}}, kyc.ErrBadGenesis},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := govtest.TryNew(t, c.s); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestParamsChangeThroughGov(t *testing.T) {
	e := newEnv(t)
	if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.SetUint64ParamAction("kyc", kyc.ParamMaxLevel, 4),
		gov.SetUint64ParamAction("kyc", kyc.LevelLimitKey(4), 1_000_000_000_000),
	}}); err != nil {
		t.Fatal(err)
	}
	m := attestMsg(e, account)
	m.Level = 4
	if err := e.Exec(provider, kyc.TypeAttest, m); err != nil {
		t.Fatal(err)
	}
	if got := e.KYC.LevelLimit(e.St, 4); got != 1_000_000_000_000 {
		t.Fatal(got)
	}
	if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.SetUint64ParamAction("kyc", kyc.ParamMaxLevel, 0)}}); !errors.Is(err, gov.ErrBadParam) {
		t.Fatalf("max_level 0: %v", err)
	}
	for _, key := range []string{"level_limit.0", "level_limit.01", "level_limit.256", "level_limit.x", "level_limit.", "level_limits"} {
		if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
			gov.SetUint64ParamAction("kyc", key, 1)}}); !errors.Is(err, gov.ErrUnknownParam) {
			t.Errorf("%s: %v", key, err)
		}
	}
}

func TestCost(t *testing.T) {
	e := newEnv(t)
	for _, c := range []struct {
		typ  types.TxType
		msg  any
		fail bool
	}{
		{kyc.TypeAttest, attestMsg(e, account), false},
		{kyc.TypeRevoke, &kyc.MsgRevoke{Account: e.Addr(account)}, false},
		{kyc.TypeAttest, &kyc.MsgAttest{}, true},
		{kyc.TypeRevoke + 7, &kyc.MsgRevoke{Account: e.Addr(account)}, true},
	} {
		n, err := kyc.Cost(&types.Tx{Type: c.typ, Payload: core.Encode(c.msg)})
		if n != 0 || (err != nil) != c.fail {
			t.Errorf("type %#x: %d %v", c.typ, n, err)
		}
	}
}

func TestThroughRouter(t *testing.T) {
	e := newEnv(t)
	if rc := e.Send(provider, kyc.TypeAttest, attestMsg(e, account)); rc.Status != 0 {
		t.Fatal(rc.Error)
	}
	rc := e.Send(stranger, kyc.TypeAttest, attestMsg(e, 2))
	if rc.Status == 0 || !strings.Contains(rc.Error, kyc.ErrNotKYCProvider.Error()) {
		t.Fatalf("stranger attest: %+v", rc)
	}
	if rc := e.Send(compliance, kyc.TypeRevoke, &kyc.MsgRevoke{Account: e.Addr(account), Reason: "sanctions"}); rc.Status != 0 {
		t.Fatal(rc.Error)
	}
	e.CheckInvariants()
}
