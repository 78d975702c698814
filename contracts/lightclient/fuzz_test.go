package lightclient

import (
	"testing"

	"github.com/accordnet/accord/contracts/core"
)

// FuzzUpdate: any payload is refused with state unchanged, or is the
// canonical encoding of an update the client accepted.
func FuzzUpdate(f *testing.F) {
	a, b := newKeys(1, 4), newKeys(2, 4)
	b1 := mkBlock(1, a, govChange(1, b))
	f.Add(core.Encode(&MsgUpdate{Header: b1.hdr, Cert: certify(f, &b1.hdr, a), Changes: []ChangeProof{changeProof(f, b1, 0)}}))
	f.Add(core.Encode(&MsgUpdate{Header: b1.hdr, Cert: certify(f, &b1.hdr, a, 0, 1)}))
	f.Fuzz(func(t *testing.T, p []byte) {
		e := newEnv(t, a)
		before := e.dump()
		if err := e.updateRaw(p); err != nil {
			if e.dump() != before {
				t.Fatalf("refused update changed state: %v", err)
			}
			return
		}
		if m, err := DecodeUpdate(p); err != nil || string(core.Encode(m)) != string(p) {
			t.Fatalf("accepted a non-canonical payload: %v", err)
		}
	})
}
