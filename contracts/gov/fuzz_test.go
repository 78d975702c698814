package gov_test

import (
	"bytes"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/types"
)

// fuzzDecoder checks that decode never panics, that what it accepts
// re-encodes to the same bytes (one message, one encoding), and that the
// handler of an accepted message neither panics nor breaks an invariant.
func fuzzDecoder[T any](f *testing.F, typ types.TxType, decode func([]byte) (*T, error), seeds ...any) {
	for _, s := range seeds {
		f.Add(core.Encode(s))
	}
	f.Add([]byte{})
	f.Add([]byte{0xc0})
	f.Add([]byte{0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := decode(b)
		if err != nil {
			return
		}
		if re := core.Encode(m); !bytes.Equal(re, b) {
			t.Fatalf("accepted %x re-encodes as %x", b, re)
		}
		e := govtest.New(t, govtest.Setup{Admins: []int{0, 1}, Threshold: 1})
		_ = e.Exec(0, typ, m)
		e.CheckInvariants()
	})
}

func seedActions() []gov.Action {
	var a types.Address
	a[19] = 9
	return []gov.Action{
		gov.GrantRoleAction(a, gov.RoleOracle), gov.RevokeRoleAction(a, gov.RoleArbitrator),
		gov.SetUint64ParamAction("order", "payment_window_ms", 900000), gov.AddAdminAction(a),
		gov.RemoveAdminAction(a), gov.SetThresholdAction(2), gov.SetValidatorsAction(a),
		gov.ResolveDisputeAction(types.Hash{1}, 1, 7, 60, 40),
		gov.SetBridgePausedAction(true), gov.SetBridgePausedAction(false),
		gov.ResumeCheckpointsAction("accord-side-1"), gov.ReplaceCheckpointSetAction("accord-side-1", a),
		gov.UnfreezeLightClientAction("accord-main"),
	}
}

func FuzzDecodePropose(f *testing.F) {
	fuzzDecoder(f, gov.TypePropose, gov.DecodePropose,
		&gov.MsgPropose{Actions: seedActions(), Memo: "all kinds"},
		&gov.MsgPropose{Actions: seedActions()[:1]},
		&gov.MsgPropose{Actions: []gov.Action{gov.SetParamAction("gov", "proposal_ttl_ms", []byte("60000"))}})
}

func FuzzDecodeApprove(f *testing.F) {
	fuzzDecoder(f, gov.TypeApprove, gov.DecodeApprove, &gov.MsgApprove{ProposalID: 1}, &gov.MsgApprove{ProposalID: 1 << 63})
}

func FuzzDecodeCancel(f *testing.F) {
	fuzzDecoder(f, gov.TypeCancel, gov.DecodeCancel, &gov.MsgCancel{ProposalID: 1})
}
