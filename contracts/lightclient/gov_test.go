package lightclient_test

import (
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/types"
)

// TestLearnsFromRealGovReceipt: the receipt gov itself produces for an
// executed SetValidators proposal is what the client parses.
func TestLearnsFromRealGovReceipt(t *testing.T) {
	g := govtest.New(t, govtest.Setup{Admins: []int{0}, Threshold: 1})
	next := []types.Address{g.Addr(5), g.Addr(6), g.Addr(7), g.Addr(4)}
	rc := g.Send(0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.SetValidatorsAction(next...)}})
	evIdx := slices.IndexFunc(rc.Events, func(e types.Event) bool { return e.Type == gov.EventValidatorsSet })
	if rc.Status != types.StatusOK || evIdx < 0 {
		t.Fatalf("gov receipt %+v", rc)
	}
	h := g.Block.Height
	a := lightclient.NewTestKeys(1, 4)
	e := lightclient.NewTestEnv(t, a)
	b := lightclient.MkTestBlock(h, a, lightclient.LockTestReceipt("1"), rc)
	p, err := proof.ProveReceipt(b.Receipts(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Update(b, lightclient.CertifyTest(t, &b, a), lightclient.ChangeProof{Receipt: *p, EventIndex: uint64(evIdx)}); err != nil {
		t.Fatal(err)
	}
	vs, err := e.SetAt(h + 2)
	if err != nil || !slices.Equal(vs.Validators, next) {
		t.Fatalf("set at %d: %v %v", h+2, vs, err)
	}
}
