package proof

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accordnet/accord/types"
)

// sideChain is a run of blocks [1, n] whose receipts and headers are real
// enough for proofs: each block's ReceiptRoot is over its receipts.
type sideChain struct {
	id       string
	headers  []types.Header // headers[i] is height i+1
	receipts [][]*types.Receipt
}

func burnReceipt(height uint64, i int) *types.Receipt {
	return &types.Receipt{
		TxHash: types.Keccak([]byte(fmt.Sprintf("tx-%d-%d", height, i))),
		Events: []types.Event{
			{Type: "bank.transfer", Attrs: []types.Attr{{Key: "amount", Value: "1"}}},
			{Type: "bridge.burned", Attrs: []types.Attr{{Key: "amount", Value: fmt.Sprint(100 + i)}}},
		},
	}
}

func newSideChain(id string, n int, txs func(h uint64) int) *sideChain {
	c := &sideChain{id: id}
	var parent types.Hash
	for h := uint64(1); h <= uint64(n); h++ {
		k := txs(h)
		rs := make([]*types.Receipt, k)
		for i := range rs {
			rs[i] = burnReceipt(h, i)
		}
		hdr := types.Header{ChainID: id, Height: h, Time: 1000 * h, ParentHash: parent,
			ReceiptRoot: types.ReceiptRoot(rs), StateRoot: types.Keccak([]byte{byte(h)}), TxCount: uint32(k)}
		parent = hdr.Hash()
		c.headers = append(c.headers, hdr)
		c.receipts = append(c.receipts, rs)
	}
	return c
}

func (c *sideChain) span(start, end uint64) Span {
	return Span{ChainID: c.id, Start: start, End: end, BlocksRoot: BlocksRoot(c.hashes(start, end))}
}

func (c *sideChain) hashes(start, end uint64) []types.Hash {
	var hs []types.Hash
	for h := start; h <= end; h++ {
		hs = append(hs, c.headers[h-1].Hash())
	}
	return hs
}

func (c *sideChain) burnProof(t testing.TB, start, end, height uint64, rcpt int) *BurnProof {
	t.Helper()
	rp, err := ProveReceipt(c.receipts[height-1], rcpt)
	if err != nil {
		t.Fatal(err)
	}
	path, err := HeaderPath(c.hashes(start, end), int(height-start))
	if err != nil {
		t.Fatal(err)
	}
	return &BurnProof{Header: c.headers[height-1], Receipt: *rp, HeaderPath: path, EventIndex: 1}
}

func TestBurnProofVerifies(t *testing.T) {
	c := newSideChain("side-a", 40, func(h uint64) int { return int(h % 7) })
	for _, r := range []struct{ start, end uint64 }{{1, 1}, {1, 40}, {5, 37}, {17, 17}} {
		for h := r.start; h <= r.end; h++ {
			for i := range c.receipts[h-1] {
				p := c.burnProof(t, r.start, r.end, h, i)
				ev, id, err := p.Verify(c.span(r.start, r.end))
				if err != nil {
					t.Fatalf("[%d,%d] block %d receipt %d: %v", r.start, r.end, h, i, err)
				}
				if ev.Type != "bridge.burned" || ev.Get("amount") != fmt.Sprint(100+i) {
					t.Fatalf("proved event %+v", ev)
				}
				if id != BurnID("side-a", h, uint64(i), 1) {
					t.Fatalf("burn id %s", id.Hex())
				}
			}
		}
	}
}

func TestBurnProofRefusals(t *testing.T) {
	c := newSideChain("side-a", 20, func(h uint64) int { return 5 })
	const start, end, height = 3, 18, 9
	good := func() (*BurnProof, Span) { return c.burnProof(t, start, end, height, 2), c.span(start, end) }
	cases := []struct {
		name   string
		mutate func(p *BurnProof, sp *Span)
		want   error
	}{
		{"another chain's header", func(p *BurnProof, sp *Span) { sp.ChainID = "side-b" }, ErrWrongChain},
		{"zero blocks root", func(p *BurnProof, sp *Span) { sp.BlocksRoot = types.Hash{} }, ErrZeroRoot},
		{"empty-tree blocks root", func(p *BurnProof, sp *Span) { sp.BlocksRoot = types.MerkleRoot(nil) }, ErrZeroRoot},
		{"forged blocks root", func(p *BurnProof, sp *Span) { sp.BlocksRoot[0] ^= 1 }, ErrBadPath},
		{"height before the range", func(p *BurnProof, sp *Span) { sp.Start, sp.End = 10, 18 }, ErrOutOfRange},
		{"height after the range", func(p *BurnProof, sp *Span) { sp.End = 8 }, ErrOutOfRange},
		{"range shifted by one", func(p *BurnProof, sp *Span) { sp.Start, sp.End = start+1, end+1 }, ErrBadPath},
		{"truncated header path", func(p *BurnProof, sp *Span) { p.HeaderPath = p.HeaderPath[:len(p.HeaderPath)-1] }, ErrBadPath},
		{"extra header sibling", func(p *BurnProof, sp *Span) { p.HeaderPath = append(p.HeaderPath, types.Hash{7}) }, ErrBadPath},
		{"truncated receipt path", func(p *BurnProof, sp *Span) { p.Receipt.Path = p.Receipt.Path[1:] }, ErrBadPath},
		{"wrong receipt index", func(p *BurnProof, sp *Span) { p.Receipt.Index = 3 }, ErrBadPath},
		{"receipt index past the block", func(p *BurnProof, sp *Span) { p.Receipt.Index = 5 }, ErrBadPath},
		{"tampered amount", func(p *BurnProof, sp *Span) {
			p.Receipt.Receipt.Events = []types.Event{{Type: "bank.transfer"}, {Type: "bridge.burned", Attrs: []types.Attr{{Key: "amount", Value: "999"}}}}
		}, ErrBadPath},
		{"header height changed", func(p *BurnProof, sp *Span) { p.Header.Height = 10 }, ErrBadPath},
		{"header tx count changed", func(p *BurnProof, sp *Span) { p.Header.TxCount = 6 }, ErrBadPath},
		{"event index past the receipt", func(p *BurnProof, sp *Span) { p.EventIndex = 2 }, ErrNoEvent},
		{"malformed range", func(p *BurnProof, sp *Span) { sp.Start, sp.End = 0, 18 }, ErrMalformed},
		{"over-long path", func(p *BurnProof, sp *Span) { p.HeaderPath = make([]types.Hash, MaxPath+1) }, ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p, sp := good()
			tc.mutate(p, &sp)
			if _, _, err := p.Verify(sp); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
}

func TestReceiptProofRefusesZeroRoots(t *testing.T) {
	rs := []*types.Receipt{burnReceipt(1, 0)}
	p, err := ProveReceipt(rs, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range []types.Hash{{}, types.MerkleRoot(nil)} {
		hdr := types.Header{ChainID: "s", Height: 1, ReceiptRoot: root, TxCount: 1}
		if err := p.Verify(&hdr); !errors.Is(err, ErrZeroRoot) {
			t.Errorf("root %s: got %v, want ErrZeroRoot", root.Hex(), err)
		}
	}
	hdr := types.Header{ChainID: "s", Height: 1, ReceiptRoot: types.ReceiptRoot(rs), TxCount: 1}
	if err := p.Verify(&hdr); err != nil {
		t.Fatal(err)
	}
}

func TestFailedReceiptProvesNothing(t *testing.T) {
	rs := []*types.Receipt{burnReceipt(1, 0), burnReceipt(1, 1)}
	rs[1].Status, rs[1].Error = types.StatusFailed, "bridge.burn: no funds"
	hdr := types.Header{ChainID: "s", Height: 1, ReceiptRoot: types.ReceiptRoot(rs), TxCount: 2}
	p, err := ProveReceipt(rs, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Verify(&hdr); err != nil {
		t.Fatalf("inclusion itself holds: %v", err)
	}
	if _, err := p.Event(0); !errors.Is(err, ErrFailedTx) {
		t.Fatalf("got %v, want ErrFailedTx", err)
	}
}

func TestDecodeStrict(t *testing.T) {
	c := newSideChain("side-a", 8, func(h uint64) int { return 3 })
	p := c.burnProof(t, 1, 8, 4, 1)
	enc := p.Encode()
	got, err := DecodeBurnProof(enc)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := got.Verify(c.span(1, 8)); err != nil {
		t.Fatalf("decoded proof: %v", err)
	}
	// A non-minimal integer: EventIndex 1 (0x01) written as the string
	// 0x81 0x01. The list header must grow by one byte in the content length.
	nonMinimal := nonCanonicalLastUint(t, enc)
	cases := map[string][]byte{
		"trailing byte":       append(append([]byte{}, enc...), 0),
		"truncated":           enc[:len(enc)-1],
		"empty":               nil,
		"non-minimal integer": nonMinimal,
		"too large":           make([]byte, MaxProofSize+1),
	}
	for name, b := range cases {
		if _, err := DecodeBurnProof(b); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: got %v, want ErrMalformed", name, err)
		}
	}
}

// nonCanonicalLastUint re-encodes a proof whose last field is the integer 1
// with that integer as a one-byte string (0x81 0x01) instead of 0x01.
func nonCanonicalLastUint(t *testing.T, enc []byte) []byte {
	t.Helper()
	if enc[len(enc)-1] != 0x01 || enc[0] < 0xf8 {
		t.Fatalf("unexpected encoding shape %x…%x", enc[:2], enc[len(enc)-1])
	}
	n := int(enc[0] - 0xf7)
	size := 0
	for _, b := range enc[1 : 1+n] {
		size = size<<8 | int(b)
	}
	size++
	out := []byte{enc[0]}
	sz := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		sz[i] = byte(size)
		size >>= 8
	}
	out = append(out, sz...)
	out = append(out, enc[1+n:len(enc)-1]...)
	return append(out, 0x81, 0x01)
}

// TestBurnIDIndependentOfProof: two different valid proofs of one burn
// (against two checkpoints' roots covering the block) give one ID, and the
// ID differs for every other burn.
func TestBurnIDIndependentOfProof(t *testing.T) {
	c := newSideChain("side-a", 30, func(h uint64) int { return 4 })
	_, id1, err := c.burnProof(t, 1, 30, 12, 2).Verify(c.span(1, 30))
	if err != nil {
		t.Fatal(err)
	}
	_, id2, err := c.burnProof(t, 10, 20, 12, 2).Verify(c.span(10, 20))
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 {
		t.Fatalf("one burn, two ids: %s %s", id1.Hex(), id2.Hex())
	}
	seen := map[types.Hash]string{}
	for _, in := range []struct {
		c       string
		h, r, e uint64
	}{{"side-a", 12, 2, 1}, {"side-b", 12, 2, 1}, {"side-a", 13, 2, 1}, {"side-a", 12, 3, 1}, {"side-a", 12, 2, 0}} {
		id := BurnID(in.c, in.h, in.r, in.e)
		if prev, dup := seen[id]; dup {
			t.Fatalf("%v collides with %s", in, prev)
		}
		seen[id] = fmt.Sprint(in)
	}
}
