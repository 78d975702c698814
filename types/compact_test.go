package types

import (
	"errors"
	"testing"
)

func compactFixture(t *testing.T, ntx int) *Block {
	t.Helper()
	keys, vs := testKeys(4)
	var txs []*Tx
	for i := range ntx {
		tx, err := SignTx(&Tx{ChainID: "c", Nonce: uint64(i), Type: 1, Payload: []byte{byte(i), 7}, Fee: 1}, keys[0])
		if err != nil {
			t.Fatal(err)
		}
		txs = append(txs, tx)
	}
	parent := Keccak([]byte("parent"))
	cert := signedCert(t, "c", keys, 1, 0, parent, 0, 1, 2)
	return &Block{Header: Header{ChainID: "c", Height: 2, Time: 1000, ParentHash: parent, LastCertHash: cert.Hash(),
		TxRoot: TxRoot(txs), ValidatorsHash: vs.Hash(), TxCount: uint32(ntx)}, Txs: txs, LastCert: cert}
}

// fresh decodes tx again, as a peer's mempool would hold its own copy.
func fresh(t *testing.T, tx *Tx) *Tx {
	t.Helper()
	c, err := DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestCompactBlockRebuildsTheSameBlock(t *testing.T) {
	for _, ntx := range []int{0, 1, 5, 100} {
		b := compactFixture(t, ntx)
		raw := b.Compact().Encode()
		c, err := DecodeCompactBlock(raw)
		if err != nil {
			t.Fatalf("%d txs: %v", ntx, err)
		}
		if c.Hash() != b.Hash() {
			t.Fatalf("%d txs: compact hash %s, block %s", ntx, c.Hash().Hex(), b.Hash().Hex())
		}
		if ntx > 0 && len(raw) >= len(b.Encode()) {
			t.Fatalf("%d txs: compact %d bytes, whole block %d", ntx, len(raw), len(b.Encode()))
		}
		have := make([]*Tx, ntx)
		for i, tx := range b.Txs {
			have[i] = fresh(t, tx)
		}
		got, err := c.Rebuild(have)
		if err != nil {
			t.Fatalf("%d txs: %v", ntx, err)
		}
		if got.Hash() != b.Hash() || string(got.Encode()) != string(b.Encode()) {
			t.Fatalf("%d txs: rebuilt block differs", ntx)
		}
		if err := got.CheckStructure(); err != nil {
			t.Fatalf("%d txs: rebuilt block: %v", ntx, err)
		}
	}
}

func TestCompactBlockMissingAndWrongBodies(t *testing.T) {
	b := compactFixture(t, 6)
	c, err := DecodeCompactBlock(b.Compact().Encode())
	if err != nil {
		t.Fatal(err)
	}
	have := make([]*Tx, 6)
	for i, tx := range b.Txs {
		if i%2 == 0 {
			have[i] = fresh(t, tx)
		}
	}
	if got := c.Missing(have); len(got) != 3 || got[0] != 1 || got[1] != 3 || got[2] != 5 {
		t.Fatalf("missing = %v, want [1 3 5]", got)
	}
	if _, err := c.Rebuild(have); !errors.Is(err, ErrTxMismatch) {
		t.Fatalf("rebuild with gaps: err = %v, want ErrTxMismatch", err)
	}
	// Filling gap 1 with another transaction of the same sender is refused.
	have[1], have[3], have[5] = fresh(t, b.Txs[0]), fresh(t, b.Txs[3]), fresh(t, b.Txs[5])
	if _, err := c.Rebuild(have); !errors.Is(err, ErrTxMismatch) {
		t.Fatalf("rebuild with a wrong body: err = %v, want ErrTxMismatch", err)
	}
	if _, err := c.Rebuild(have[:5]); !errors.Is(err, ErrTxMismatch) {
		t.Fatalf("rebuild with too few: err = %v, want ErrTxMismatch", err)
	}
	have[1] = fresh(t, b.Txs[1])
	if got, err := c.Rebuild(have); err != nil || got.Hash() != b.Hash() {
		t.Fatalf("rebuild once complete: %v", err)
	}
}

func TestDecodeCompactBlockRefusesBadStructure(t *testing.T) {
	b := compactFixture(t, 4)
	cases := []struct {
		name   string
		mutate func(*CompactBlock)
	}{
		{"hash count differs from header", func(c *CompactBlock) { c.TxHashes = c.TxHashes[:3] }},
		{"hashes reordered", func(c *CompactBlock) { c.TxHashes[0], c.TxHashes[1] = c.TxHashes[1], c.TxHashes[0] }},
		{"foreign hash", func(c *CompactBlock) { c.TxHashes[2] = Keccak([]byte("other")) }},
		{"missing parent cert", func(c *CompactBlock) { c.LastCert = nil }},
		{"cert hash mismatch", func(c *CompactBlock) { c.Header.LastCertHash = Hash{} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := b.Compact()
			tc.mutate(c)
			if _, err := DecodeCompactBlock(c.Encode()); !errors.Is(err, ErrMalformedBlock) {
				t.Fatalf("err = %v, want ErrMalformedBlock", err)
			}
		})
	}
	if _, err := DecodeCompactBlock([]byte{0xc0}); !errors.Is(err, ErrMalformedBlock) {
		t.Fatalf("empty list: err = %v", err)
	}
}

func TestCompactRootMemoDoesNotHideAChangedList(t *testing.T) {
	b := compactFixture(t, 100)
	if _, err := DecodeCompactBlock(b.Compact().Encode()); err != nil {
		t.Fatal(err) // the memo now holds this list under its root
	}
	c := b.Compact()
	c.TxHashes[50] = Keccak([]byte("swapped"))
	if _, err := DecodeCompactBlock(c.Encode()); !errors.Is(err, ErrMalformedBlock) {
		t.Fatalf("changed list under a remembered root: err = %v, want ErrMalformedBlock", err)
	}
	if _, err := DecodeCompactBlock(b.Compact().Encode()); err != nil {
		t.Fatalf("remembered list: %v", err)
	}
}

func TestSealTxRootIsTxRootAndRemembersTheList(t *testing.T) {
	b := compactFixture(t, 100)
	want := TxRoot(b.Txs)
	if got := SealTxRoot(b.Txs); got != want {
		t.Fatalf("SealTxRoot = %s, TxRoot = %s", got.Hex(), want.Hex())
	}
	if !txRoots.seen(want, append([]*Tx(nil), b.Txs...)) {
		t.Fatal("the sealed list is not remembered under its root")
	}
	changed := append([]*Tx(nil), b.Txs...)
	changed[50] = b.Txs[51]
	if txRoots.seen(want, changed) {
		t.Fatal("a changed list is taken for the sealed one")
	}
	b.Txs = changed
	if err := b.CheckStructure(); !errors.Is(err, ErrMalformedBlock) {
		t.Fatalf("changed list under a sealed root: err = %v, want ErrMalformedBlock", err)
	}
}
