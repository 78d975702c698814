package proof

import (
	"bytes"
	"testing"
)

// FuzzDecodeBurnProof: the decoder never panics, accepts only canonical
// encodings (decode → encode is the identity on accepted inputs), and the
// verifier never panics on anything it decoded; only the one real proof of
// each burn verifies against the span.
func FuzzDecodeBurnProof(f *testing.F) {
	c := newSideChain("side-a", 9, func(h uint64) int { return int(h % 4) })
	sp := c.span(2, 9)
	for h := uint64(2); h <= 9; h++ {
		for i := range c.receipts[h-1] {
			f.Add(c.burnProof(f, 2, 9, h, i).Encode())
		}
	}
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeBurnProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Encode(), b) {
			t.Fatalf("accepted a non-canonical encoding %x", b)
		}
		_, id, err := p.Verify(sp)
		if err != nil {
			return
		}
		// A verified proof must be one of the genuine ones.
		h, i := p.Header.Height, p.Receipt.Index
		if h < 2 || h > 9 || i >= uint64(len(c.receipts[h-1])) || p.Header != c.headers[h-1] ||
			p.Receipt.Receipt.Hash() != c.receipts[h-1][i].Hash() {
			t.Fatalf("forged proof verified: %+v", p)
		}
		if id != BurnID("side-a", h, i, p.EventIndex) {
			t.Fatal("burn id not bound to the proof")
		}
	})
}

// FuzzVerifyHeader: for a checkpoint over a range of blocks (span and
// root taken together, as from an anchored checkpoint), arbitrary heights,
// block hashes and paths never panic, and only a block's true hash at its
// true height verifies. (The root alone does not commit to the leaf count:
// the same path can verify under another span with the same root, which is
// why a verifier takes start and end from the anchored checkpoint, never
// from the proof.)
func FuzzVerifyHeader(f *testing.F) {
	c := newSideChain("side-a", 16, func(uint64) int { return 1 })
	f.Add(uint8(1), uint8(16), uint64(5), uint8(4), uint8(4), []byte{})
	f.Fuzz(func(t *testing.T, s, e uint8, height uint64, which, pathOf uint8, junk []byte) {
		start, end := uint64(s%16)+1, uint64(e%16)+1
		if end < start {
			return
		}
		hs := c.hashes(start, end)
		root := BlocksRoot(hs)
		n := int(end - start + 1)
		path, _ := HeaderPath(hs, int(pathOf)%n)
		for i := 0; i+32 <= len(junk) && len(path) > 0; i += 32 {
			copy(path[(i/32)%len(path)][:], junk[i:i+32])
		}
		blk := uint64(which%16) + 1
		err := VerifyHeader(root, start, end, height, c.headers[blk-1].Hash(), path)
		if err == nil && height != blk {
			t.Fatalf("verified block %d as height %d in [%d,%d]", blk, height, start, end)
		}
	})
}
