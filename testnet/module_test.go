package testnet

import (
	"testing"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/core/coretest"
)

// TestPanickingModuleKeepsFourValidatorsInAgreement: a module whose
// handler panics cannot halt or fork a network. The panicking transaction
// gets a failed receipt with the frame's stable code on every validator,
// its writes are rolled back, the next transaction of the same sender
// runs, and all four nodes hold the same blocks.
func TestPanickingModuleKeepsFourValidatorsInAgreement(t *testing.T) {
	reg := app.WithModuleFuncs(func(k *app.Keepers) core.Module { return coretest.New(k.Gov) })
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, App: []app.Option{reg}, CheckInvariants: true})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	key, err := client.Keyring{Dir: c.Layout.Home(0).KeysDir()}.Load("dev", "dev")
	if err != nil {
		t.Fatal(err)
	}
	cl := c.Client(0)
	st, err := cl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := client.NewSigner(key, st.ChainID, st.MinFeeMicro)
	boom, err := s.Submit(ctx, cl, coretest.TypePanic, &coretest.MsgPanic{Note: "boom"})
	if err != nil {
		t.Fatal(err)
	}
	ping, err := s.Submit(ctx, cl, coretest.TypePing, &coretest.MsgPing{Add: 4})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		rb, err := c.Client(i).WaitReceipt(ctx, boom.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if rb.Status != "failed" || rb.Codespace != core.Codespace || rb.Code != core.CodePanic {
			t.Fatalf("node%d: panic receipt %+v", i, rb)
		}
		rp, err := c.Client(i).WaitReceipt(ctx, ping.Hash())
		if err != nil {
			t.Fatal(err)
		}
		if rp.Status != "ok" {
			t.Fatalf("node%d: ping after the panic %+v", i, rp)
		}
	}
	h := c.Height(0)
	if err := c.WaitAll(ctx, h); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
	if err := c.InvariantError(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 4; i++ {
		st := c.Node(i).Ledger().ReadState()
		if coretest.Panicked(st) || coretest.Counter(st) != 4 {
			t.Fatalf("node%d: panicked write kept %v, counter %d", i, coretest.Panicked(st), coretest.Counter(st))
		}
	}
}
