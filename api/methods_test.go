package api_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/types"
)

// A receipt carries the time of the block that committed its transaction,
// not zero and not the time of the head.
func TestReceiptReportsItsBlockTime(t *testing.T) {
	c := newChain(t)
	srv := api.NewServer(backend{c.lc.Ledger}, slog.New(slog.DiscardHandler))
	hs := httptest.NewServer(srv)
	defer hs.Close()
	cl := client.New(hs.URL)

	pay := c.sign(admin0, bank.TypeTransfer, &bank.MsgTransfer{To: c.addr(outsider), Amount: types.MicroPerUSDT})
	c.produce(1500, pay)
	want := c.lc.Ledger.Last().Time
	c.produce(700) // a later head must not change the receipt's time
	if want != genesisMs+1500 {
		t.Fatalf("block time %d, want %d", want, genesisMs+1500)
	}
	r, err := cl.Receipt(context.Background(), pay.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if r == nil {
		t.Fatal("no receipt for a committed transaction")
	}
	if r.BlockTimeMs != want {
		t.Fatalf("receipt block_time_ms = %d, want %d (its block's time)", r.BlockTimeMs, want)
	}
}
