package checkpoint

import (
	"testing"

	"github.com/accordnet/accord/contracts/core"
)

// FuzzSubmit: any payload either is refused with state unchanged or is
// the canonical encoding of a message the keeper accepted; the invariants
// hold either way (the env checks them after every accepted message).
func FuzzSubmit(f *testing.F) {
	a := newKeys(1, 4)
	f.Add(core.Encode(signed(f, mkCP(1, 1, 100, a, a), a)))
	f.Add(core.Encode(signed(f, mkCP(1, 1, 100, a, a), a, 0, 1)))
	f.Add(core.Encode(signed(f, mkCP(2, 1, 100, a, a), a)))
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		e := newEnv(t, a)
		before := e.dump()
		if err := e.submitRaw(b); err != nil {
			if e.dump() != before {
				t.Fatalf("refused payload changed state: %v", err)
			}
			return
		}
		if m, err := DecodeSubmit(b); err != nil || string(core.Encode(m)) != string(b) {
			t.Fatalf("accepted a non-canonical payload: %v", err)
		}
	})
}
