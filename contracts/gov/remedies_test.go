package gov_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// fakeRemedies records the calls of gov's bridge, checkpoint and
// light-client actions and refuses with fail when it is set.
type fakeRemedies struct {
	calls []string
	fail  error
}

func (f *fakeRemedies) call(s string) error {
	if f.fail != nil {
		return f.fail
	}
	f.calls = append(f.calls, s)
	return nil
}

func (f *fakeRemedies) Pause(*core.Context) error   { return f.call("pause") }
func (f *fakeRemedies) Unpause(*core.Context) error { return f.call("unpause") }
func (f *fakeRemedies) Resume(_ *core.Context, chain string) error {
	return f.call("resume " + chain)
}
func (f *fakeRemedies) ReplaceValidators(_ *core.Context, chain string, vals []types.Address) error {
	return f.call(fmt.Sprintf("replace %s %d", chain, len(vals)))
}
func (f *fakeRemedies) Unfreeze(_ *core.Context, chain string) error {
	return f.call("unfreeze " + chain)
}

func addrN(n byte) types.Address {
	var a types.Address
	a[19] = n
	return a
}

func TestRemedyValidateBasic(t *testing.T) {
	long := strings.Repeat("c", gov.MaxChainIDLen+1)
	for _, c := range []struct {
		name string
		a    gov.Action
		want error
	}{
		{"pause", gov.SetBridgePausedAction(true), nil},
		{"unpause", gov.SetBridgePausedAction(false), nil},
		{"resume", gov.ResumeCheckpointsAction("accord-side-1"), nil},
		{"resume without chain", gov.ResumeCheckpointsAction(""), gov.ErrBadChain},
		{"resume, chain too long", gov.ResumeCheckpointsAction(long), gov.ErrBadChain},
		{"resume, space in chain", gov.ResumeCheckpointsAction("side 1"), gov.ErrBadChain},
		{"replace", gov.ReplaceCheckpointSetAction("s", addrN(1), addrN(2)), nil},
		{"replace without chain", gov.ReplaceCheckpointSetAction("", addrN(1)), gov.ErrBadChain},
		{"replace with empty set", gov.ReplaceCheckpointSetAction("s"), gov.ErrBadValidators},
		{"replace with a zero address", gov.ReplaceCheckpointSetAction("s", addrN(1), types.Address{}), gov.ErrZeroAddress},
		{"replace with a duplicate", gov.ReplaceCheckpointSetAction("s", addrN(1), addrN(1)), gov.ErrBadValidators},
		{"unfreeze", gov.UnfreezeLightClientAction("accord-main"), nil},
		{"unfreeze without chain", gov.UnfreezeLightClientAction(""), gov.ErrBadChain},
		{"two changes in one action", gov.Action{SetBridgePaused: &gov.SetBridgePaused{}, ResumeCheckpoints: &gov.ResumeCheckpoints{Chain: "s"}}, gov.ErrBadAction},
	} {
		err := c.a.ValidateBasic()
		if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Every kind survives the canonical decoder (no kind encodes like an
	// absent field).
	for _, a := range []gov.Action{gov.SetBridgePausedAction(false), gov.SetBridgePausedAction(true),
		gov.ResumeCheckpointsAction("s"), gov.ReplaceCheckpointSetAction("s", addrN(1)), gov.UnfreezeLightClientAction("m")} {
		m, err := gov.DecodePropose(core.Encode(propose(a)))
		if err != nil || m.Actions[0].Kind() != a.Kind() {
			t.Errorf("%s: decoded %+v %v", a.Kind(), m, err)
		}
	}
}

// remedyChain is gov alone over an overlay, with f as every remedy
// keeper (nil f: none wired); key addrN(1) is the one admin (k = 1).
func remedyChain(t *testing.T, f *fakeRemedies) (gov.Module, *state.Overlay) {
	t.Helper()
	m := gov.Module{}
	if f != nil {
		m.Bridge, m.Checkpoints, m.LightClient = f, f, f
	}
	st := state.NewOverlay(nil)
	g, _ := json.Marshal(gov.Genesis{Admins: []string{addrN(1).Hex()}, Threshold: 1})
	if err := m.InitGenesis(core.NewContext(core.Block{Height: 1}, st), g); err != nil {
		t.Fatal(err)
	}
	return m, st
}

func runPropose(m gov.Module, st *state.Overlay, from types.Address, a gov.Action) error {
	ctx := core.NewContext(core.Block{Height: 2, Time: govtest.GenesisTime}, st)
	ctx.Sender = from
	mark := st.Snapshot()
	err := m.Routes()[0].Handler(ctx, core.Encode(propose(a)))
	if err != nil {
		st.RevertTo(mark)
	}
	return err
}

func TestRemediesCallTheirKeepers(t *testing.T) {
	refused := errors.New("refused by the module")
	for _, c := range []struct {
		name  string
		from  byte
		wired bool
		fail  error
		a     gov.Action
		want  error
		call  string
	}{
		{"pause", 1, true, nil, gov.SetBridgePausedAction(true), nil, "pause"},
		{"unpause", 1, true, nil, gov.SetBridgePausedAction(false), nil, "unpause"},
		{"resume", 1, true, nil, gov.ResumeCheckpointsAction("side-a"), nil, "resume side-a"},
		{"replace", 1, true, nil, gov.ReplaceCheckpointSetAction("side-a", addrN(7), addrN(8)), nil, "replace side-a 2"},
		{"unfreeze", 1, true, nil, gov.UnfreezeLightClientAction("main-1"), nil, "unfreeze main-1"},
		{"pause by a non-admin", 2, true, nil, gov.SetBridgePausedAction(true), gov.ErrNotAdmin, ""},
		{"resume by a non-admin", 2, true, nil, gov.ResumeCheckpointsAction("side-a"), gov.ErrNotAdmin, ""},
		{"unfreeze by a non-admin", 2, true, nil, gov.UnfreezeLightClientAction("main-1"), gov.ErrNotAdmin, ""},
		{"module refuses the pause", 1, true, refused, gov.SetBridgePausedAction(true), refused, ""},
		{"module refuses the resume", 1, true, refused, gov.ResumeCheckpointsAction("side-a"), refused, ""},
		{"module refuses the unfreeze", 1, true, refused, gov.UnfreezeLightClientAction("main-1"), refused, ""},
		{"no bridge on this chain", 1, false, nil, gov.SetBridgePausedAction(true), gov.ErrNotWired, ""},
		{"no checkpoints on this chain", 1, false, nil, gov.ReplaceCheckpointSetAction("s", addrN(7)), gov.ErrNotWired, ""},
		{"no light client on this chain", 1, false, nil, gov.UnfreezeLightClientAction("m"), gov.ErrNotWired, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeRemedies{fail: c.fail}
			var wired *fakeRemedies
			if c.wired {
				wired = f
			}
			m, st := remedyChain(t, wired)
			before := fmt.Sprint(st.WriteSet())
			err := runPropose(m, st, addrN(c.from), c.a)
			if (c.want == nil) != (err == nil) || (c.want != nil && !errors.Is(err, c.want)) {
				t.Fatalf("err %v, want %v", err, c.want)
			}
			var want []string
			if c.call != "" {
				want = []string{c.call}
			}
			if !slices.Equal(f.calls, want) {
				t.Fatalf("calls %q, want %q", f.calls, want)
			}
			if c.want != nil {
				if len(m.OpenProposals(st)) != 0 || fmt.Sprint(st.WriteSet()) != before {
					t.Fatal("a refused proposal left state behind")
				}
			}
		})
	}
}

// TestRemediesOnMainProfile: on the main profile the actions reach the
// real bridge and checkpoint keepers; a proposal whose action does not
// fit the module's state fails at execution and stays open (k = 2).
func TestRemediesOnMainProfile(t *testing.T) {
	e := newEnv(t)
	var b bridge.Keeper
	step := func(id uint64, a gov.Action, want error) {
		t.Helper()
		mustExec(t, e, 0, gov.TypePropose, propose(a))
		err := e.Exec(1, gov.TypeApprove, approve(id))
		if (want == nil) != (err == nil) || (want != nil && !errors.Is(err, want)) {
			t.Fatalf("proposal %d (%s): %v, want %v", id, a.Kind(), err, want)
		}
		if _, open := e.Gov.Proposal(e.St, id); open != (want != nil) {
			t.Fatalf("proposal %d open %v after %v", id, open, err)
		}
	}
	step(1, gov.SetBridgePausedAction(false), bridge.ErrNotPaused)
	mustExec(t, e, 0, gov.TypeCancel, &gov.MsgCancel{ProposalID: 1})
	step(2, gov.SetBridgePausedAction(true), nil)
	if !b.Paused(e.St) {
		t.Fatal("bridge not paused")
	}
	if ev, ok := e.Event(bridge.EventPaused); !ok || ev.Get("by") != e.Addr(1).Hex() {
		t.Fatalf("paused event %+v %v", ev, ok)
	}
	step(3, gov.SetBridgePausedAction(true), bridge.ErrPaused)
	mustExec(t, e, 0, gov.TypeCancel, &gov.MsgCancel{ProposalID: 3})
	step(4, gov.SetBridgePausedAction(false), nil)
	if b.Paused(e.St) {
		t.Fatal("bridge still paused")
	}
	step(5, gov.ResumeCheckpointsAction("accord-side-none"), checkpoint.ErrUnknownChain)
	mustExec(t, e, 0, gov.TypeCancel, &gov.MsgCancel{ProposalID: 5})
	step(6, gov.UnfreezeLightClientAction("accord-main"), gov.ErrNotWired)
}
