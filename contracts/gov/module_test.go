package gov_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/ledger/valset"
	"github.com/accordnet/accord/types"
)

// Keys 0, 1, 2 are the admins (2 of 3); 3 and up are ordinary accounts.
const outsider = 3

func newEnv(t *testing.T) *govtest.Env {
	t.Helper()
	return govtest.New(t, govtest.Setup{Admins: []int{0, 1, 2}, Threshold: 2,
		Roles: []govtest.KeyRole{{Key: 5, Role: gov.RoleOracle}}})
}

func propose(actions ...gov.Action) *gov.MsgPropose { return &gov.MsgPropose{Actions: actions} }

func approve(id uint64) *gov.MsgApprove { return &gov.MsgApprove{ProposalID: id} }

func mustExec(t *testing.T, e *govtest.Env, key int, typ types.TxType, msg any) {
	t.Helper()
	if err := e.Exec(key, typ, msg); err != nil {
		t.Fatalf("key %d %#x: %v", key, typ, err)
	}
	e.CheckInvariants()
}

func TestProposalLifecycle(t *testing.T) {
	e := newEnv(t)
	target := e.Addr(4)
	mustExec(t, e, 0, gov.TypePropose, propose(gov.GrantRoleAction(target, gov.RoleKYCProvider)))
	if got := e.EventTypes(); !slices.Equal(got, []string{gov.EventProposed, gov.EventApproved}) {
		t.Fatalf("events %v", got)
	}
	p, ok := e.Gov.Proposal(e.St, 1)
	if !ok || len(p.Approvals) != 1 || p.Approvals[0] != e.Addr(0) || p.ExpiresAt != e.Now()+gov.DefaultProposalTTL {
		t.Fatalf("proposal %+v", p)
	}
	if e.Gov.HasRole(e.St, target, gov.RoleKYCProvider) {
		t.Fatal("granted with 1 of 2 approvals")
	}
	mustExec(t, e, 2, gov.TypeApprove, approve(1))
	if !e.Gov.HasRole(e.St, target, gov.RoleKYCProvider) {
		t.Fatal("not granted with 2 of 2 approvals")
	}
	if got := e.EventTypes(); !slices.Equal(got, []string{gov.EventApproved, gov.EventRoleGranted, gov.EventExecuted}) {
		t.Fatalf("events %v", got)
	}
	if ev, _ := e.Event(gov.EventRoleGranted); ev.Get("address") != target.Hex() || ev.Get("role") != "kyc_provider" || ev.Get("proposal") != "1" {
		t.Fatalf("event %+v", ev)
	}
	if _, ok := e.Gov.Proposal(e.St, 1); ok {
		t.Fatal("executed proposal still open")
	}
	if n := e.Gov.OpenCount(e.St, e.Addr(0)); n != 0 {
		t.Fatalf("open count %d", n)
	}
	// A late approval finds nothing.
	if err := e.Exec(1, gov.TypeApprove, approve(1)); !errors.Is(err, gov.ErrUnknownProposal) {
		t.Fatalf("late approval: %v", err)
	}
	// The next proposal gets the next id.
	mustExec(t, e, 1, gov.TypePropose, propose(gov.RevokeRoleAction(target, gov.RoleKYCProvider)))
	mustExec(t, e, 0, gov.TypeApprove, approve(2))
	if e.Gov.HasRole(e.St, target, gov.RoleKYCProvider) {
		t.Fatal("not revoked")
	}
	if ev, ok := e.Event(gov.EventRoleRevoked); !ok || ev.Get("proposal") != "2" {
		t.Fatalf("events %v", e.EventTypes())
	}
}

func TestThresholdOneExecutesOnPropose(t *testing.T) {
	e := govtest.New(t, govtest.Setup{Admins: []int{0, 1}, Threshold: 1})
	mustExec(t, e, 1, gov.TypePropose, propose(gov.GrantRoleAction(e.Addr(4), gov.RoleArbitrator)))
	if !e.Gov.HasRole(e.St, e.Addr(4), gov.RoleArbitrator) {
		t.Fatal("not executed")
	}
	if len(e.Gov.OpenProposals(e.St)) != 0 {
		t.Fatal("proposal left open")
	}
}

// TestRefusals: every refusal leaves gov state exactly as it was.
func TestRefusals(t *testing.T) {
	cases := []struct {
		name  string
		setup func(t *testing.T, e *govtest.Env) // runs before the refused message
		key   int
		typ   types.TxType
		msg   func(e *govtest.Env) any
		want  error
	}{
		{name: "propose by non-admin is refused", key: outsider, typ: gov.TypePropose,
			msg:  func(e *govtest.Env) any { return propose(gov.GrantRoleAction(e.Addr(4), gov.RoleOracle)) },
			want: gov.ErrNotAdmin},
		{name: "approve by non-admin is refused", key: outsider, typ: gov.TypeApprove,
			setup: proposeGrant(0), msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrNotAdmin},
		{name: "proposer approving again is refused", key: 0, typ: gov.TypeApprove,
			setup: proposeGrant(0), msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrAlreadyApproved},
		{name: "approve of an unknown proposal is refused", key: 1, typ: gov.TypeApprove,
			msg: func(*govtest.Env) any { return approve(7) }, want: gov.ErrUnknownProposal},
		{name: "approve of proposal 0 is refused", key: 1, typ: gov.TypeApprove,
			msg: func(*govtest.Env) any { return approve(0) }, want: gov.ErrUnknownProposal},
		{name: "approve at the expiry instant is refused", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				proposeGrant(0)(t, e)
				e.Block.Time += gov.DefaultProposalTTL // not Advance: BeginBlock would delete it
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrProposalExpired},
		{name: "unknown role is refused", key: 0, typ: gov.TypePropose,
			msg:  func(e *govtest.Env) any { return propose(gov.GrantRoleAction(e.Addr(4), gov.Role(9))) },
			want: gov.ErrUnknownRole},
		{name: "role 0 is refused", key: 0, typ: gov.TypePropose,
			msg:  func(e *govtest.Env) any { return propose(gov.RevokeRoleAction(e.Addr(4), 0)) },
			want: gov.ErrUnknownRole},
		{name: "grant to the zero address is refused", key: 0, typ: gov.TypePropose,
			msg:  func(e *govtest.Env) any { return propose(gov.GrantRoleAction(types.Address{}, gov.RoleOracle)) },
			want: gov.ErrZeroAddress},
		{name: "empty proposal is refused", key: 0, typ: gov.TypePropose,
			msg: func(*govtest.Env) any { return propose() }, want: gov.ErrNoActions},
		{name: "action with no change is refused", key: 0, typ: gov.TypePropose,
			msg: func(*govtest.Env) any { return propose(gov.Action{}) }, want: gov.ErrBadAction},
		{name: "action with two changes is refused", key: 0, typ: gov.TypePropose,
			msg: func(e *govtest.Env) any {
				a := gov.GrantRoleAction(e.Addr(4), gov.RoleOracle)
				a.SetThreshold = &gov.SetThreshold{Threshold: 1}
				return propose(a)
			}, want: gov.ErrBadAction},
		{name: "too many actions are refused", key: 0, typ: gov.TypePropose,
			msg: func(e *govtest.Env) any {
				as := make([]gov.Action, gov.MaxActions+1)
				for i := range as {
					as[i] = gov.SetUint64ParamAction("order", "x", uint64(i))
				}
				return propose(as...)
			}, want: gov.ErrTooManyActions},
		{name: "memo too long is refused", key: 0, typ: gov.TypePropose,
			msg: func(e *govtest.Env) any {
				m := propose(gov.GrantRoleAction(e.Addr(4), gov.RoleOracle))
				m.Memo = string(make([]byte, gov.MaxMemoLen+1))
				return m
			}, want: gov.ErrMemoTooLong},
		{name: "threshold 0 is refused", key: 0, typ: gov.TypePropose,
			msg: func(*govtest.Env) any { return propose(gov.SetThresholdAction(0)) }, want: gov.ErrBadThreshold},
		{name: "malformed param name is refused", key: 0, typ: gov.TypePropose,
			msg:  func(*govtest.Env) any { return propose(gov.SetParamAction("Order", "x", []byte("1"))) },
			want: gov.ErrBadParamName},
		{name: "param value of a declared param is checked at propose", key: 0, typ: gov.TypePropose,
			msg:  func(*govtest.Env) any { return propose(gov.SetParamAction("oracle", "max_rate_age_ms", []byte("10m"))) },
			want: gov.ErrBadParam},
		{name: "param below its declared minimum is refused", key: 0, typ: gov.TypePropose,
			msg:  func(*govtest.Env) any { return propose(gov.SetUint64ParamAction("gov", "proposal_ttl_ms", 5)) },
			want: gov.ErrBadParam},
		{name: "non-canonical uint64 param is refused", key: 0, typ: gov.TypePropose,
			msg:  func(*govtest.Env) any { return propose(gov.SetParamAction("oracle", "min_posts", []byte("03"))) },
			want: gov.ErrBadParam},
		{name: "misspelt param of a declared module is refused", key: 0, typ: gov.TypePropose,
			msg:  func(*govtest.Env) any { return propose(gov.SetUint64ParamAction("oracle", "max_rate_age", 60000)) },
			want: gov.ErrUnknownParam},
		{name: "oversized param value is refused", key: 0, typ: gov.TypePropose,
			msg: func(*govtest.Env) any {
				return propose(gov.SetParamAction("order", "x", make([]byte, gov.MaxParamValueLen+1)))
			},
			want: gov.ErrBadParam},
		{name: "granting a held role fails the executing approval", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				mustExec(t, e, 0, gov.TypePropose, propose(gov.GrantRoleAction(e.Addr(5), gov.RoleOracle)))
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrRoleAlreadyHeld},
		{name: "revoking a role not held fails the executing approval", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				mustExec(t, e, 0, gov.TypePropose, propose(gov.RevokeRoleAction(e.Addr(6), gov.RoleOracle)))
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrRoleNotHeld},
		{name: "a failing action undoes the earlier ones", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				mustExec(t, e, 0, gov.TypePropose, propose(
					gov.GrantRoleAction(e.Addr(6), gov.RoleArbitrator),
					gov.SetUint64ParamAction("order", "payment_window_ms", 1),
					gov.RevokeRoleAction(e.Addr(6), gov.RoleOracle)))
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrRoleNotHeld},
		{name: "adding an admin twice fails", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				mustExec(t, e, 0, gov.TypePropose, propose(gov.AddAdminAction(e.Addr(2))))
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrAlreadyAdmin},
		{name: "removing a non-admin fails", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				mustExec(t, e, 0, gov.TypePropose, propose(gov.RemoveAdminAction(e.Addr(4))))
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrNotAdmin},
		{name: "a threshold above the admin count fails", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				mustExec(t, e, 0, gov.TypePropose, propose(gov.SetThresholdAction(4)))
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrBadThreshold},
		{name: "removing admins below the threshold fails", key: 1, typ: gov.TypeApprove,
			setup: func(t *testing.T, e *govtest.Env) {
				mustExec(t, e, 0, gov.TypePropose, propose(gov.RemoveAdminAction(e.Addr(1)), gov.RemoveAdminAction(e.Addr(2))))
			},
			msg: func(*govtest.Env) any { return approve(1) }, want: gov.ErrBadThreshold},
		{name: "cancel by another admin is refused", key: 1, typ: gov.TypeCancel,
			setup: proposeGrant(0), msg: func(*govtest.Env) any { return &gov.MsgCancel{ProposalID: 1} }, want: gov.ErrNotProposer},
		{name: "cancel of an unknown proposal is refused", key: 0, typ: gov.TypeCancel,
			msg: func(*govtest.Env) any { return &gov.MsgCancel{ProposalID: 3} }, want: gov.ErrUnknownProposal},
		{name: "an admin's open proposals are capped", key: 0, typ: gov.TypePropose,
			setup: func(t *testing.T, e *govtest.Env) {
				for i := uint64(0); i < gov.DefaultMaxOpenProposals; i++ {
					mustExec(t, e, 0, gov.TypePropose, propose(gov.SetUint64ParamAction("order", "x", i)))
				}
			},
			msg:  func(*govtest.Env) any { return propose(gov.SetUint64ParamAction("order", "x", 99)) },
			want: gov.ErrTooManyProposals},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t)
			if c.setup != nil {
				c.setup(t, e)
			}
			before := e.Dump("gov/")
			err := e.Exec(c.key, c.typ, c.msg(e))
			if !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if after := e.Dump("gov/"); after != before {
				t.Fatalf("refused message changed gov state:\n%s\nvs\n%s", before, after)
			}
			if len(e.Events) != 0 {
				t.Fatalf("refused message left events %v", e.EventTypes())
			}
			e.CheckInvariants()
		})
	}
}

func proposeGrant(key int) func(t *testing.T, e *govtest.Env) {
	return func(t *testing.T, e *govtest.Env) {
		t.Helper()
		mustExec(t, e, key, gov.TypePropose, propose(gov.GrantRoleAction(e.Addr(4), gov.RoleOracle)))
	}
}

func TestFailedExecutionKeepsProposalOpen(t *testing.T) {
	e := newEnv(t)
	mustExec(t, e, 0, gov.TypePropose, propose(gov.RevokeRoleAction(e.Addr(6), gov.RoleOracle)))
	if err := e.Exec(1, gov.TypeApprove, approve(1)); !errors.Is(err, gov.ErrRoleNotHeld) {
		t.Fatal(err)
	}
	// The world changes; the same proposal can then execute.
	if err := e.Gov.GrantRole(e.St, e.Addr(6), gov.RoleOracle); err != nil {
		t.Fatal(err)
	}
	mustExec(t, e, 1, gov.TypeApprove, approve(1))
	if e.Gov.HasRole(e.St, e.Addr(6), gov.RoleOracle) {
		t.Fatal("not revoked")
	}
}

func TestExpiryInBeginBlock(t *testing.T) {
	e := newEnv(t)
	proposeGrant(0)(t, e)
	e.Advance(gov.DefaultProposalTTL - 1)
	if _, ok := e.Gov.Proposal(e.St, 1); !ok || len(e.Events) != 0 {
		t.Fatal("expired early")
	}
	e.Advance(1)
	if ev, ok := e.Event(gov.EventProposalExpired); !ok || ev.Get("id") != "1" {
		t.Fatalf("events %v", e.EventTypes())
	}
	if _, ok := e.Gov.Proposal(e.St, 1); ok {
		t.Fatal("expired proposal still open")
	}
	e.CheckInvariants()
	if err := e.Exec(1, gov.TypeApprove, approve(1)); !errors.Is(err, gov.ErrUnknownProposal) {
		t.Fatalf("approve after expiry: %v", err)
	}
}

func TestExpiryIsBoundedPerBlock(t *testing.T) {
	e := govtest.New(t, govtest.Setup{Admins: []int{0, 1}, Threshold: 2,
		Params: map[string]map[string]string{"gov": {"max_open_proposals": "100"}}})
	const n = gov.MaxExpiriesPerBlock + 6
	for i := uint64(0); i < n; i++ {
		mustExec(t, e, 0, gov.TypePropose, propose(gov.SetUint64ParamAction("order", "x", i)))
	}
	e.Advance(gov.DefaultProposalTTL)
	if len(e.Events) != gov.MaxExpiriesPerBlock {
		t.Fatalf("%d expired in one block", len(e.Events))
	}
	if e.Events[0].Get("id") != "1" {
		t.Fatalf("oldest not first: %v", e.Events[0])
	}
	e.CheckInvariants()
	e.Advance(1)
	if len(e.Events) != 6 || len(e.Gov.OpenProposals(e.St)) != 0 {
		t.Fatalf("second block expired %d, %d left", len(e.Events), len(e.Gov.OpenProposals(e.St)))
	}
	e.CheckInvariants()
}

func TestCancelByProposer(t *testing.T) {
	e := newEnv(t)
	proposeGrant(0)(t, e)
	mustExec(t, e, 0, gov.TypeCancel, &gov.MsgCancel{ProposalID: 1})
	if ev, ok := e.Event(gov.EventProposalCancelled); !ok || ev.Get("reason") != "withdrawn by proposer" {
		t.Fatalf("events %v", e.EventTypes())
	}
	if err := e.Exec(1, gov.TypeApprove, approve(1)); !errors.Is(err, gov.ErrUnknownProposal) {
		t.Fatal(err)
	}
}

func TestAdminSetChanges(t *testing.T) {
	e := newEnv(t)
	newAdmin := e.Addr(4)
	// Another proposal is open while the admin set changes.
	proposeGrant(1)(t, e)
	mustExec(t, e, 0, gov.TypePropose, propose(gov.AddAdminAction(newAdmin), gov.SetThresholdAction(3)))
	mustExec(t, e, 2, gov.TypeApprove, approve(2))
	if !e.Gov.IsAdmin(e.St, newAdmin) || e.Gov.Threshold(e.St) != 3 || len(e.Gov.Admins(e.St)) != 4 {
		t.Fatalf("admins %v threshold %d", e.Gov.Admins(e.St), e.Gov.Threshold(e.St))
	}
	want := []string{gov.EventApproved, gov.EventAdminAdded, gov.EventThresholdSet, gov.EventExecuted, gov.EventProposalCancelled}
	if got := e.EventTypes(); !slices.Equal(got, want) {
		t.Fatalf("events %v", got)
	}
	if _, ok := e.Gov.Proposal(e.St, 1); ok {
		t.Fatal("proposal made under the old admin set survived")
	}
	// Now 3 of 4: the new admin's approval counts.
	mustExec(t, e, 4, gov.TypePropose, propose(gov.RemoveAdminAction(e.Addr(2)), gov.SetThresholdAction(2)))
	mustExec(t, e, 0, gov.TypeApprove, approve(3))
	if e.Gov.Threshold(e.St) != 3 {
		t.Fatal("executed with 2 of 3")
	}
	mustExec(t, e, 1, gov.TypeApprove, approve(3))
	if e.Gov.IsAdmin(e.St, e.Addr(2)) || e.Gov.Threshold(e.St) != 2 {
		t.Fatal("not executed with 3 of 3")
	}
	// The removed admin is refused.
	if err := e.Exec(2, gov.TypePropose, propose(gov.SetThresholdAction(1))); !errors.Is(err, gov.ErrNotAdmin) {
		t.Fatal(err)
	}
}

func TestParamsThroughProposals(t *testing.T) {
	e := newEnv(t)
	if got := e.Gov.ParamUint64(e.St, "order", "payment_window_ms", 900_000); got != 900_000 {
		t.Fatalf("default %d", got)
	}
	mustExec(t, e, 0, gov.TypePropose, propose(
		gov.SetUint64ParamAction("order", "payment_window_ms", 600_000),
		gov.SetParamAction("order", "note", []byte{0xff, 0x00}),
		gov.SetUint64ParamAction("oracle", "max_rate_age_ms", 300_000),
		gov.SetUint64ParamAction("kyc", "level_limit.4", 5_000_000_000),
	))
	mustExec(t, e, 1, gov.TypeApprove, approve(1))
	if got := e.Gov.ParamUint64(e.St, "order", "payment_window_ms", 900_000); got != 600_000 {
		t.Fatalf("payment window %d", got)
	}
	if v, ok := e.Gov.Param(e.St, "order", "note"); !ok || string(v) != "\xff\x00" {
		t.Fatalf("bytes param %x %v", v, ok)
	}
	if got := e.Oracle.MaxRateAge(e.St); got != 300_000 {
		t.Fatalf("oracle max age %d", got)
	}
	if got := e.KYC.LevelLimit(e.St, 4); got != 5_000_000_000 {
		t.Fatalf("level 4 limit %d", got)
	}
	var vals []string
	for _, ev := range e.Events {
		if ev.Type == gov.EventParamSet {
			vals = append(vals, ev.Get("module")+"/"+ev.Get("key")+"="+ev.Get("value"))
		}
	}
	want := []string{"order/payment_window_ms=600000", "order/note=0xff00", "oracle/max_rate_age_ms=300000", "kyc/level_limit.4=5000000000"}
	if !slices.Equal(vals, want) {
		t.Fatalf("param events %v", vals)
	}
	// A malformed stored value reads as the default (only undeclared modules can hold one).
	mustExec(t, e, 0, gov.TypePropose, propose(gov.SetParamAction("order", "payment_window_ms", []byte("soon"))))
	mustExec(t, e, 1, gov.TypeApprove, approve(2))
	if got := e.Gov.ParamUint64(e.St, "order", "payment_window_ms", 900_000); got != 900_000 {
		t.Fatalf("malformed value read as %d", got)
	}
}

func TestMembersAreSortedAndRolesIndependent(t *testing.T) {
	e := govtest.New(t, govtest.Setup{Keys: 10, Roles: []govtest.KeyRole{
		{Key: 7, Role: gov.RoleArbitrator}, {Key: 2, Role: gov.RoleArbitrator}, {Key: 9, Role: gov.RoleArbitrator},
		{Key: 2, Role: gov.RoleCompliance}, {Key: 4, Role: gov.RoleBridgeSigner},
	}})
	arb := e.Gov.Members(e.St, gov.RoleArbitrator)
	if len(arb) != 3 || !slices.IsSortedFunc(arb, func(a, b types.Address) int { return a.Cmp(b) }) {
		t.Fatalf("arbitrators %v", arb)
	}
	if got := e.Gov.RolesOf(e.St, e.Addr(2)); !slices.Equal(got, []gov.Role{gov.RoleCompliance, gov.RoleArbitrator}) {
		t.Fatalf("roles of key 2: %v", got)
	}
	if e.Gov.HasRole(e.St, e.Addr(4), gov.RoleArbitrator) || !e.Gov.HasRole(e.St, e.Addr(4), gov.RoleBridgeSigner) {
		t.Fatal("roles leak")
	}
	if e.Gov.Members(e.St, gov.Role(0)) != nil || e.Gov.HasRole(e.St, e.Addr(2), gov.Role(200)) {
		t.Fatal("invalid role has members")
	}
	if len(e.Gov.Members(e.St, gov.RoleOracle)) != 0 {
		t.Fatal("oracles from nowhere")
	}
}

func TestGenesisRefusals(t *testing.T) {
	cases := []struct {
		name string
		s    govtest.Setup
		want error
	}{
		{"threshold above the admins", govtest.Setup{Admins: []int{0, 1}, Threshold: 3}, gov.ErrBadThreshold},
		{"admin listed twice", govtest.Setup{Admins: []int{0, 0}, Threshold: 1}, gov.ErrBadGenesis},
		{"role granted twice", govtest.Setup{Roles: []govtest.KeyRole{{Key: 1, Role: gov.RoleOracle}, {Key: 1, Role: gov.RoleOracle}}}, gov.ErrRoleAlreadyHeld},
		{"unknown role", govtest.Setup{Roles: []govtest.KeyRole{{Key: 1, Role: gov.Role(77)}}}, gov.ErrUnknownRole},
		{"bad declared param", govtest.Setup{Params: map[string]map[string]string{"oracle": {"min_posts": "0"}}}, gov.ErrBadParam},
		{"misspelt declared param", govtest.Setup{Params: map[string]map[string]string{"gov": {"proposal_ttl": "1"}}}, gov.ErrUnknownParam},
		{"bad param name", govtest.Setup{Params: map[string]map[string]string{"order": {"Payment": "1"}}}, gov.ErrBadParamName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, err := govtest.TryNew(t, c.s); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	t.Run("no admins", func(t *testing.T) {
		ctx := core.NewContext(core.Block{}, state.NewOverlay(nil))
		err := gov.Module{}.InitGenesis(ctx, []byte(`{"admins": [], "threshold": 1}`))
		if !errors.Is(err, gov.ErrBadGenesis) {
			t.Fatalf("got %v", err)
		}
	})
}

// TestThroughRouter runs gov messages with the real ante: a refused
// message still pays its fee and consumes its nonce, and changes nothing else.
func TestThroughRouter(t *testing.T) {
	e := newEnv(t)
	before := e.Dump("gov/")
	rc := e.Send(outsider, gov.TypePropose, propose(gov.GrantRoleAction(e.Addr(outsider), gov.RoleOracle)))
	if rc.Status == 0 || rc.Error == "" {
		t.Fatalf("non-admin proposal succeeded: %+v", rc)
	}
	if e.Dump("gov/") != before {
		t.Fatal("failed tx changed gov state")
	}
	if n := e.Bank.GetAccount(e.St, e.Addr(outsider)).Nonce; n != 1 {
		t.Fatalf("nonce %d", n)
	}
	if rc := e.Send(0, gov.TypePropose, propose(gov.GrantRoleAction(e.Addr(outsider), gov.RoleOracle))); rc.Status != 0 {
		t.Fatal(rc.Error)
	}
	if rc := e.Send(1, gov.TypeApprove, approve(1)); rc.Status != 0 {
		t.Fatal(rc.Error)
	}
	if !e.Gov.HasRole(e.St, e.Addr(outsider), gov.RoleOracle) {
		t.Fatal("not granted")
	}
	// A malformed payload fails the message, not the block.
	tx := e.Sign(0, gov.TypeApprove, approve(1))
	tx.Payload = []byte{0xff}
	signed, _ := types.SignTx(tx, e.Keys[0])
	rc, err := e.Router.ApplyTx(e.Block, e.St, signed)
	if err != nil || rc.Status == 0 {
		t.Fatalf("malformed payload: %v %+v", err, rc)
	}
	e.CheckInvariants()
}

func ExampleKeeper_ParamUint64() {
	// Modules read their parameters through gov with a default:
	//   window := govKeeper.ParamUint64(st, "order", "payment_window_ms", 15*60*1000)
	fmt.Println(string(gov.FormatUint64Param(900000)))
	// Output: 900000
}

func TestSetValidatorsSchedulesTwoHeightsAhead(t *testing.T) {
	e := govtest.New(t, govtest.Setup{Admins: []int{0}, Threshold: 1})
	vals := []types.Address{e.Addr(5), e.Addr(6), e.Addr(7), e.Addr(4)}
	h := e.Block.Height
	mustExec(t, e, 0, gov.TypePropose, propose(gov.SetValidatorsAction(vals...)))
	ev, ok := e.Event(gov.EventValidatorsSet)
	if !ok || ev.Get("effective_height") != fmt.Sprint(h+valset.Delay) || ev.Get("proposal") != "1" ||
		ev.Get("validators") != vals[0].Hex()+","+vals[1].Hex()+","+vals[2].Hex()+","+vals[3].Hex() {
		t.Fatalf("event %+v (events %v)", ev, e.EventTypes())
	}
	if _, err := valset.At(e.St, h+valset.Delay-1); err == nil {
		t.Fatal("a set is in force before the effective height (govtest has no genesis set)")
	}
	got, err := valset.At(e.St, h+valset.Delay+5)
	if err != nil || !slices.Equal(got.Validators, vals) {
		t.Fatalf("set in force later: %v, %v", got, err)
	}
}

func TestSetValidatorsRefusals(t *testing.T) {
	e := govtest.New(t, govtest.Setup{Admins: []int{0}, Threshold: 1})
	a := e.Addr(4)
	many := make([]types.Address, gov.MaxValidators+1)
	for i := range many {
		many[i] = types.Address{byte(i), byte(i >> 8), 1}
	}
	cases := []struct {
		name string
		vals []types.Address
		want error
	}{
		{"empty set", nil, gov.ErrBadValidators},
		{"duplicate", []types.Address{a, a}, gov.ErrBadValidators},
		{"zero address", []types.Address{a, {}}, gov.ErrZeroAddress},
		{"too many", many, gov.ErrBadValidators},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := e.Dump("")
			err := e.Exec(0, gov.TypePropose, propose(gov.SetValidatorsAction(c.vals...)))
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if after := e.Dump(""); after != before {
				t.Fatal("a refused proposal changed state")
			}
		})
	}
	// An outsider cannot propose one.
	if err := e.Exec(outsider, gov.TypePropose, propose(gov.SetValidatorsAction(a))); !errors.Is(err, gov.ErrNotAdmin) {
		t.Fatalf("outsider: %v", err)
	}
}

// TestResolveDisputeWithoutResolver: with no arbitration module wired the
// action fails at execution, changing nothing, and the proposal stays open.
func TestResolveDisputeWithoutResolver(t *testing.T) {
	e := newEnv(t)
	mustExec(t, e, 0, gov.TypePropose, propose(gov.ResolveDisputeAction(types.Hash{7}, 1, 7, 100, 0)))
	before := e.Dump("")
	if err := e.Exec(1, gov.TypeApprove, approve(1)); !errors.Is(err, gov.ErrNoResolver) {
		t.Fatalf("err = %v, want ErrNoResolver", err)
	}
	if e.Dump("") != before {
		t.Fatal("a failed execution changed state")
	}
	if _, ok := e.Gov.Proposal(e.St, 1); !ok {
		t.Fatal("proposal closed by a failed execution")
	}
}
