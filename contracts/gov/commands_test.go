package gov_test

import (
	"bytes"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
)

func TestParseParam(t *testing.T) {
	for _, c := range []struct {
		in, module, key, value string
		ok                     bool
	}{
		{"order.payment_window_ms=60000", "order", "payment_window_ms", "60000", true},
		{"kyc.level_limit.2=5000000000", "kyc", "level_limit.2", "5000000000", true},
		{"order.fee_bps=", "order", "fee_bps", "", true},
		{"orderfee_bps=1", "", "", "", false},
		{"order.fee_bps", "", "", "", false},
		{"Order.fee_bps=1", "", "", "", false},
	} {
		m, k, v, err := gov.ParseParam(c.in)
		if (err == nil) != c.ok || (c.ok && (m != c.module || k != c.key || string(v) != c.value)) {
			t.Errorf("ParseParam(%q) = %q %q %q %v", c.in, m, k, v, err)
		}
	}
}

func TestProposeRemedyFlags(t *testing.T) {
	var propose core.Command
	for _, c := range (gov.Module{}).Commands() {
		if c.Use == "propose" {
			propose = c
		}
	}
	a1, a2 := "0x0000000000000000000000000000000000000001", "0x0000000000000000000000000000000000000002"
	for _, c := range []struct {
		name  string
		flags map[string]string
		lists map[string][]string
		want  []gov.Action
		err   bool
	}{
		{"pause", map[string]string{"bridge-pause": "true", "bridge-unpause": "false"}, nil,
			[]gov.Action{gov.SetBridgePausedAction(true)}, false},
		{"unpause", map[string]string{"bridge-pause": "false", "bridge-unpause": "true"}, nil,
			[]gov.Action{gov.SetBridgePausedAction(false)}, false},
		{"pause and unpause", map[string]string{"bridge-pause": "true", "bridge-unpause": "true"}, nil, nil, true},
		{"resume two chains", nil, map[string][]string{"checkpoint-resume": {"side-a", "side-b"}},
			[]gov.Action{gov.ResumeCheckpointsAction("side-a"), gov.ResumeCheckpointsAction("side-b")}, false},
		{"new set, then resume", nil, map[string][]string{"checkpoint-resume": {"side-a"}, "checkpoint-validators": {"side-a=" + a1 + "," + a2}},
			[]gov.Action{gov.ReplaceCheckpointSetAction("side-a", addrN(1), addrN(2)), gov.ResumeCheckpointsAction("side-a")}, false},
		{"set without chain", nil, map[string][]string{"checkpoint-validators": {a1}}, nil, true},
		{"set with a bad address", nil, map[string][]string{"checkpoint-validators": {"side-a=0x12"}}, nil, true},
		{"resume with a bad chain ID", nil, map[string][]string{"checkpoint-resume": {"side a"}}, nil, true},
		{"unfreeze", map[string]string{"lightclient-unfreeze": "accord-main"}, nil,
			[]gov.Action{gov.UnfreezeLightClientAction("accord-main")}, false},
	} {
		msg, err := propose.Msg(core.CommandInput{Flags: c.flags, Lists: c.lists})
		if c.err {
			if err == nil {
				t.Errorf("%s: accepted %+v", c.name, msg)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		got := msg.(*gov.MsgPropose).Actions
		if !bytes.Equal(core.Encode(got), core.Encode(c.want)) {
			t.Errorf("%s: actions %+v, want %+v", c.name, got, c.want)
		}
	}
}
