package testkit

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

func TestRun(t *testing.T) {
	errNo := errors.New("no")
	for _, tc := range []struct {
		name     string
		fail     bool
		wantDump string
		wantEvs  int
	}{
		{"success keeps writes and events", false, "782f61=01\n782f62=02\n", 1},
		{"failure rolls back", true, "782f61=01\n", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := state.NewOverlay(nil)
			st.Set([]byte("x/a"), []byte{1})
			ctx := core.NewContext(core.Block{}, st)
			evs, err := Run(st, ctx, func(ctx *core.Context, _ []byte) error {
				ctx.Store.Set([]byte("x/b"), []byte{2})
				ctx.Emit("t.done")
				if tc.fail {
					return errNo
				}
				return nil
			}, nil)
			if (err != nil) != tc.fail || len(evs) != tc.wantEvs {
				t.Fatalf("err %v, %d events", err, len(evs))
			}
			if got := Dump(st, []byte("x/")); got != tc.wantDump {
				t.Fatalf("state %q, want %q", got, tc.wantDump)
			}
		})
	}
}

func TestValKeys(t *testing.T) {
	a, b := NewValKeys(100, 3), NewValKeys(100, 3)
	if a.Hash() != b.Hash() || a.QuotedAddrs() != b.QuotedAddrs() {
		t.Fatal("same numbers gave different sets")
	}
	c := NewValKeys(101, 3)
	if c.Addrs()[0] != a.Addrs()[1] || c.Hash() == a.Hash() {
		t.Fatal("sets are not numbered key by key")
	}
	if want := `"` + a.Addrs()[0].Hex() + `","` + a.Addrs()[1].Hex() + `","` + a.Addrs()[2].Hex() + `"`; a.QuotedAddrs() != want {
		t.Fatalf("QuotedAddrs = %s, want %s", a.QuotedAddrs(), want)
	}
}

func TestFindEvent(t *testing.T) {
	evs := []types.Event{{Type: "a"}, {Type: "b", Attrs: []types.Attr{{Key: "n", Value: "1"}}}, {Type: "b"}}
	if e, ok := FindEvent(evs, "b"); !ok || len(e.Attrs) != 1 {
		t.Fatalf("FindEvent(b) = %v, %v; want the first b", e, ok)
	}
	if _, ok := FindEvent(evs, "c"); ok {
		t.Fatal("found an absent event")
	}
}
