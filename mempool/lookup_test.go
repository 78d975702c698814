package mempool

import (
	"testing"

	"github.com/accordnet/accord/types"
)

func TestGetManyFillsOnlyTheGaps(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	a, b := u.tx(t, 0, 1), u.tx(t, 1, 1)
	for _, tx := range []*types.Tx{a, b} {
		if err := e.pool.Add(tx); err != nil {
			t.Fatal(err)
		}
	}
	preset := u.tx(t, 5, 1) // not pooled: a body the caller already had
	hashes := []types.Hash{a.Hash(), {0x01}, preset.Hash(), b.Hash()}
	out := []*types.Tx{nil, nil, preset, nil}
	if n := e.pool.GetMany(hashes, out); n != 2 {
		t.Fatalf("filled %d, want 2", n)
	}
	if out[0] != a || out[1] != nil || out[2] != preset || out[3] != b {
		t.Fatalf("out = %v", out)
	}
	if n := e.pool.GetMany(hashes, out[:1]); n != 0 {
		t.Fatalf("short out: filled %d, want 0", n)
	}
}
