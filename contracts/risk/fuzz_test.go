package risk_test

import (
	"bytes"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

// FuzzDecodeMsg: the decoder refuses the bytes or yields a valid message
// with a stable encoding, and Cost agrees.
func FuzzDecodeMsg(f *testing.F) {
	f.Add(uint16(risk.TypeUnfreeze), core.Encode(&risk.MsgUnfreeze{Account: types.Address{1}, Reason: types.Hash{2}}))
	f.Add(uint16(risk.TypeUnfreeze), []byte{0xc0})
	f.Fuzz(func(t *testing.T, typ uint16, payload []byte) {
		m, err := risk.DecodeMsg(types.TxType(typ), payload)
		if _, cerr := risk.Cost(&types.Tx{Type: types.TxType(typ), Payload: payload}); (cerr == nil) != (err == nil) {
			t.Fatalf("Cost and DecodeMsg disagree: %v / %v", cerr, err)
		}
		if err != nil {
			return
		}
		enc := core.Encode(m)
		m2, err := risk.DecodeMsg(types.TxType(typ), enc)
		if err != nil || !bytes.Equal(core.Encode(m2), enc) {
			t.Fatalf("unstable encoding: %v", err)
		}
	})
}
