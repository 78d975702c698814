package ledger_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

// TestBlockFromMemoryMatchesStore: the newest blocks are served from
// memory, and what Block returns is the stored block byte for byte, at
// heights kept in memory and at older ones; a caller changing the returned
// block does not change what the next caller gets; a pruned height is
// refused even though it was among the newest.
func TestBlockFromMemoryMatchesStore(t *testing.T) {
	c, _ := openChain(t, kv.BackendMemory, 3)
	const heights = 24 // more than the ledger keeps decoded
	nonce := uint64(0)
	for h := 0; h < heights; h++ {
		var txs []*types.Tx
		if h%3 != 0 { // some empty blocks too
			txs = append(txs, ledgertest.SignTransfer(c.Keys[0], nonce, addr(c, 1), 1))
			nonce++
		}
		if _, _, err := c.Produce(txs); err != nil {
			t.Fatal(err)
		}
	}
	for h := uint64(1); h <= heights; h++ {
		raw, err := c.Ledger.BlockRaw(h)
		if err != nil {
			t.Fatal(err)
		}
		want, err := types.DecodeBlock(raw)
		if err != nil {
			t.Fatal(err)
		}
		got, err := c.Ledger.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Encode(), raw) || got.Hash() != want.Hash() || (got.Txs == nil) != (want.Txs == nil) ||
			(got.LastCert == nil) != (want.LastCert == nil) {
			t.Fatalf("height %d: Block differs from the stored block", h)
		}
		got.Txs = append(got.Txs[:0], nil) // a careless caller
		got.Header.Height = 0
		again, err := c.Ledger.Block(h)
		if err != nil || !bytes.Equal(again.Encode(), raw) {
			t.Fatalf("height %d: a caller's change reached the next read (%v)", h, err)
		}
	}
	if _, err := c.Ledger.Prune(2); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ledger.Block(heights - 3); !errors.Is(err, ledger.ErrPruned) {
		t.Fatalf("pruned recent height: err = %v, want ErrPruned", err)
	}
	if _, err := c.Ledger.Block(heights); err != nil {
		t.Fatalf("kept height: %v", err)
	}
}

// BenchmarkBlockRead is what a client following the chain costs the node
// per block of 1,000 transfers: the newest block (served from memory)
// against one outside the kept window (read from the store and decoded,
// as every read was before).
func BenchmarkBlockRead(b *testing.B) {
	l, err := ledger.Open(kv.BackendMemory, b.TempDir(), kv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := ledgertest.New(l, 1000)
	if err != nil {
		b.Fatal(err)
	}
	txs := make([]*types.Tx, 1000)
	for i := range txs {
		txs[i] = ledgertest.SignTransfer(c.Keys[i], 0, addr(c, (i+1)%1000), 1)
	}
	if _, _, err := c.Produce(txs); err != nil {
		b.Fatal(err)
	}
	for range 20 { // push block 1 out of the kept window
		if _, _, err := c.Produce(nil); err != nil {
			b.Fatal(err)
		}
	}
	for i := range txs {
		txs[i] = ledgertest.SignTransfer(c.Keys[i], 1, addr(c, (i+1)%1000), 1)
	}
	if _, _, err := c.Produce(txs); err != nil {
		b.Fatal(err)
	}
	big, newest := uint64(1), l.Last().Height
	raw, _ := l.BlockRaw(big)
	for _, bc := range []struct {
		name string
		read func() (*types.Block, error)
	}{
		{"newest-1000-txs", func() (*types.Block, error) { return l.Block(newest) }},
		{"from-store-1000-txs", func() (*types.Block, error) { return l.Block(big) }},
		{"decode-1000-txs", func() (*types.Block, error) { return types.DecodeBlock(raw) }},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				blk, err := bc.read()
				if err != nil {
					b.Fatal(err)
				}
				for _, tx := range blk.Txs {
					_ = tx.Hash() // as the API's block view does
				}
			}
		})
	}
}
