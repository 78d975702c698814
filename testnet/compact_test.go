package testnet

import (
	"bufio"
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/types"
)

// metricValue reads one sample (name with labels, as /metrics prints it)
// from a node; 0 if absent.
func metricValue(t testing.TB, rpc, sample string) float64 {
	t.Helper()
	resp, err := http.Get("http://" + rpc + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), sample+" "); ok {
			v, err := strconv.ParseFloat(rest, 64)
			if err != nil {
				t.Fatalf("%s: %v", sample, err)
			}
			return v
		}
	}
	return 0
}

// TestProposalWithTransactionsPeersLackIsFetchedAndCommitted: transactions
// that only one validator's mempool holds (gossip never carried them) are
// still finalized: its compact proposal names them, the other validators
// fetch the bodies from it, validate the whole block and vote. A quorum
// needs at least two of the three to have fetched.
func TestProposalWithTransactionsPeersLackIsFetchedAndCommitted(t *testing.T) {
	c := newCluster(t, 4)
	final := []types.Hash{sendFinal(t, c, 0, 0, 0)} // the mesh is up
	ctx := context.Background()
	st, err := c.Client(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := client.NewSigner(BenchKey(1), st.ChainID, st.MinFeeMicro)
	s.SetNonce(0)
	var raws [][]byte
	for range 30 {
		tx, err := s.Sign(ctx, nil, bank.TypeTransfer, &bank.MsgTransfer{To: types.Address{0xdd}, Amount: 1})
		if err != nil {
			t.Fatal(err)
		}
		raws = append(raws, tx.Encode())
		final = append(final, tx.Hash())
	}
	holder := c.Node(0)
	for i, err := range holder.AdmitWithoutGossip(raws) {
		if err != nil {
			t.Fatalf("admit tx %d: %v", i, err)
		}
	}
	sender := types.PubkeyAddress(BenchKey(1))
	for i := 1; i < 4; i++ {
		if _, ok := c.Node(i).PendingNonce(sender); ok {
			t.Fatalf("node%d's mempool holds the sender's transactions; the test needs them only at node0", i)
		}
	}
	wctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	if _, err := c.Client(0).WaitReceipt(wctx, final[len(final)-1]); err != nil {
		t.Fatal(err)
	}
	assertEverywhere(t, c, final)

	fetched := 0.0
	for i := 1; i < 4; i++ {
		fetched += metricValue(t, c.RPCAddr(i), `accord_proposal_rebuilds_total{result="fetched"}`)
	}
	if fetched < 2 {
		t.Fatalf("%v proposals rebuilt with fetched transactions on nodes 1-3, want at least 2 (a quorum)", fetched)
	}
	if served := metricValue(t, c.RPCAddr(0), `accord_p2p_tx_fetch_total{direction="out"}`); served < 2*float64(len(raws)) {
		t.Fatalf("node0 served %v transaction bodies, want at least %d", served, 2*len(raws))
	}
	if forged := metricValue(t, c.RPCAddr(1), "accord_p2p_tx_fetch_forged_total"); forged != 0 {
		t.Fatalf("an honest cluster saw %v forged bodies", forged)
	}
}
