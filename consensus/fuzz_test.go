package consensus

import (
	"testing"
)

func FuzzDecodeMessage(f *testing.F) {
	for _, m := range sampleMessages(&testing.T{}) {
		f.Add(m.Encode())
		f.Add(m.EncodeCompact())
	}
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := DecodeMessage(raw)
		if err != nil {
			return
		}
		// Anything that decodes is well formed, re-encodes and decodes again.
		if err := m.ValidateBasic(); err != nil {
			t.Fatalf("decoded message fails ValidateBasic: %v", err)
		}
		again, err := DecodeMessage(m.Encode())
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if string(again.Encode()) != string(m.Encode()) {
			t.Fatal("encoding is not stable")
		}
		_, _ = m.VerifySignature(testChain)
	})
}

func FuzzStep(f *testing.F) {
	for _, m := range sampleMessages(&testing.T{}) {
		f.Add(m.Encode())
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := DecodeMessage(raw)
		if err != nil {
			return
		}
		fx := newFixture(t, 4)
		_, _ = fx.eng.Step(m)
		_ = fx.eng.Tick()
	})
}

func FuzzDecodeWALRecord(f *testing.F) {
	msgs := sampleMessages(&testing.T{})
	f.Add(encodeWALRecord([]*walEntry{{Msg: msgs[1]}, {Msg: msgs[2], Block: msgs[0].Block}}))
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, _ = decodeWALRecord(raw)
		_, _, _ = scanFrames(raw)
	})
}
