package acceptor

import (
	"bytes"
	"testing"
)

func TestHotRoundTrip(t *testing.T) {
	h := hot{Status: StatusPaused, RegisteredAt: 1, RegisteredHeight: 2, MinOrder: 3, MaxOrder: 4, Float: 5,
		Locked: 6, Margin: 7, Reputation: 8, Credited: 9, Volume: []VolumeBucket{{10, 11}, {12, 13}}}
	got, err := decodeHot(h.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.encode(), h.encode()) || got.Volume[1] != h.Volume[1] || got.Credited != 9 {
		t.Fatalf("round trip: %+v", got)
	}
}

// FuzzDecodeHot: the fixed-layout decoder refuses or round-trips exactly.
func FuzzDecodeHot(f *testing.F) {
	f.Add((&hot{Status: StatusActive, Volume: []VolumeBucket{{1, 2}}}).encode())
	f.Add([]byte{1, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := decodeHot(b)
		if err != nil {
			return
		}
		if !bytes.Equal(h.encode(), b) {
			t.Fatalf("%x decodes but re-encodes as %x", b, h.encode())
		}
	})
}
