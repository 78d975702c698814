package gov_test

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/types"
)

func TestCost(t *testing.T) {
	var a types.Address
	a[0] = 1
	for _, c := range []struct {
		name string
		typ  types.TxType
		msg  any
		want error
	}{
		{"propose", gov.TypePropose, propose(gov.GrantRoleAction(a, gov.RoleOracle)), nil},
		{"approve", gov.TypeApprove, approve(1), nil},
		{"cancel", gov.TypeCancel, &gov.MsgCancel{ProposalID: 1}, nil},
		{"invalid propose", gov.TypePropose, propose(), gov.ErrNoActions},
		{"approve of 0", gov.TypeApprove, approve(0), gov.ErrUnknownProposal},
		{"unknown type", gov.TypeCancel + 1, approve(1), core.ErrUnknownType},
		{"garbage", gov.TypeApprove, []byte("not rlp of a list"), core.ErrBadPayload},
	} {
		n, err := gov.Cost(&types.Tx{Type: c.typ, Payload: core.Encode(c.msg)})
		if n != 0 || !errors.Is(err, c.want) {
			t.Errorf("%s: %d, %v; want %v", c.name, n, err, c.want)
		}
	}
}

func TestRoleNames(t *testing.T) {
	for _, r := range gov.AllRoles() {
		got, err := gov.ParseRole(r.String())
		if err != nil || got != r {
			t.Errorf("%d: %q -> %d %v", r, r.String(), got, err)
		}
	}
	for _, s := range []string{"", "admin", "Oracle", "role(3)"} {
		if _, err := gov.ParseRole(s); !errors.Is(err, gov.ErrUnknownRole) {
			t.Errorf("%q: %v", s, err)
		}
	}
	if gov.Role(0).Valid() || gov.Role(6).Valid() || gov.Role(6).String() != "role(6)" {
		t.Error("invalid roles")
	}
}

func TestParamSpecs(t *testing.T) {
	m := gov.Module{Specs: []gov.ParamSpec{
		gov.Uint64Spec("x", "n", 1, 10),
		{Module: "x", Key: "free.*"},
		{Module: "x", Key: "blob"},
	}}
	for _, c := range []struct {
		module, key, value string
		want               error
	}{
		{"x", "n", "10", nil},
		{"x", "n", "11", gov.ErrBadParam},
		{"x", "n", "", gov.ErrBadParam},
		{"x", "n", "+1", gov.ErrBadParam},
		{"x", "n", "18446744073709551616", gov.ErrBadParam},
		{"x", "free.a.b", "anything", nil},
		{"x", "free.", "anything", gov.ErrUnknownParam},
		{"x", "blob", "\x00\x01", nil},
		{"x", "other", "1", gov.ErrUnknownParam},
		{"y", "anything", "1", nil},
		{"y", "UPPER", "1", gov.ErrBadParamName},
		{"y/z", "k", "1", gov.ErrBadParamName},
		{"", "k", "1", gov.ErrBadParamName},
		{"gov", "proposal_ttl_ms", "59999", gov.ErrBadParam},
		{"gov", "max_open_proposals", "1", nil},
	} {
		if err := m.CheckParam(c.module, c.key, []byte(c.value)); !errors.Is(err, c.want) {
			t.Errorf("%s/%s=%q: %v, want %v", c.module, c.key, c.value, err, c.want)
		}
	}
	if got := gov.ParamValueString([]byte("900000")); got != "900000" {
		t.Error(got)
	}
	if got := gov.ParamValueString([]byte{0, 1}); got != "0x0001" {
		t.Error(got)
	}
}

func TestResolveDisputeValidateBasic(t *testing.T) {
	id := types.Hash{1}
	for _, c := range []struct {
		name string
		r    gov.ResolveDispute
		want error
	}{
		{"a split won by side A", gov.ResolveDispute{Dispute: id, Winner: 1, Reason: 2, ToA: 60, ToB: 40}, nil},
		{"all to side B", gov.ResolveDispute{Dispute: id, Winner: 2, Reason: 7, ToB: 100}, nil},
		{"no dispute", gov.ResolveDispute{Winner: 1, Reason: 2, ToA: 1}, gov.ErrBadDecision},
		{"winner 0", gov.ResolveDispute{Dispute: id, Reason: 2, ToA: 1}, gov.ErrBadDecision},
		{"winner 3", gov.ResolveDispute{Dispute: id, Winner: 3, Reason: 2, ToA: 1}, gov.ErrBadDecision},
		{"no reason", gov.ResolveDispute{Dispute: id, Winner: 1, ToA: 1}, gov.ErrBadDecision},
		{"the winner gets nothing", gov.ResolveDispute{Dispute: id, Winner: 2, Reason: 1, ToA: 100}, gov.ErrBadDecision},
		{"payouts overflow", gov.ResolveDispute{Dispute: id, Winner: 1, Reason: 1, ToA: 1 << 63, ToB: 1 << 63}, gov.ErrBadDecision},
	} {
		a := gov.Action{ResolveDispute: &c.r}
		if err := a.ValidateBasic(); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}

// TestActionEncoding: every action kind survives the round trip alone
// (the optional fields before it decode as absent), and a trailing empty
// list for an absent optional field is refused as non-canonical.
func TestActionEncoding(t *testing.T) {
	for _, a := range seedActions() {
		m := &gov.MsgPropose{Actions: []gov.Action{a}}
		got, err := gov.DecodePropose(core.Encode(m))
		if err != nil || got.Actions[0].Kind() != a.Kind() {
			t.Fatalf("%s: %v, kind %q", a.Kind(), err, got.Actions[0].Kind())
		}
	}
	// [[GrantRole, nil×5, SetValidators = nil spelt 0xc0]], memo "".
	grant := core.Encode(gov.GrantRoleAction(types.Address{9}, gov.RoleOracle))
	padded := append(append([]byte{}, grant[1:]...), 0xc0) // strip the list header, append an empty list
	action := append([]byte{0xc0 + byte(len(padded))}, padded...)
	body := append([]byte{0xc0 + byte(len(action))}, action...)
	payload := append([]byte{0xc0 + byte(len(body)+1)}, append(body, 0x80)...)
	if _, err := gov.DecodePropose(payload); !errors.Is(err, core.ErrBadPayload) {
		t.Fatalf("non-canonical proposal: %v", err)
	}
}
