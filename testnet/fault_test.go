package testnet

import (
	"context"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func newCluster(t *testing.T, n int) *Cluster {
	t.Helper()
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: n, BenchAccounts: 8, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c
}

// sendFinal submits a transfer from bench account acc through node via and
// waits for its receipt there; it returns the tx hash.
func sendFinal(t *testing.T, c *Cluster, via, acc int, nonce uint64) types.Hash {
	t.Helper()
	ctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	cl := c.Client(via)
	st, err := cl.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := client.NewSigner(BenchKey(acc), st.ChainID, st.MinFeeMicro)
	s.SetNonce(nonce)
	tx, err := s.Submit(ctx, cl, bank.TypeTransfer, &bank.MsgTransfer{To: types.Address{0xaa}, Amount: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.WaitReceipt(ctx, tx.Hash()); err != nil {
		t.Fatal(err)
	}
	return tx.Hash()
}

// assertEverywhere checks every running node has each tx and agrees on blocks.
func assertEverywhere(t *testing.T, c *Cluster, hashes []types.Hash) {
	t.Helper()
	ctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	top := uint64(0)
	for i := 0; i < c.Layout.Validators; i++ {
		top = max(top, c.Height(i))
	}
	if err := c.WaitAll(ctx, top); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < c.Layout.Nodes(); i++ {
		n := c.Node(i)
		if n == nil {
			continue
		}
		for _, h := range hashes {
			if _, err := n.Ledger().Tx(h); err != nil {
				t.Fatalf("node%d lacks final tx %s: %v", i, h.Hex(), err)
			}
		}
	}
}

func TestKillOneOfFourKeepsFinalizingAndRestartCatchesUp(t *testing.T) {
	c := newCluster(t, 4)
	var final []types.Hash
	final = append(final, sendFinal(t, c, 0, 0, 0))
	if err := c.Stop(3); err != nil {
		t.Fatal(err)
	}
	for k := uint64(1); k <= 3; k++ {
		final = append(final, sendFinal(t, c, int(k%3), 0, k))
	}
	ctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	target := c.Height(0) + 2
	if err := c.WaitHeight(ctx, 0, target); err != nil {
		t.Fatalf("chain stopped with one validator down: %v", err)
	}
	if err := c.Start(3); err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, 3, c.Height(0)); err != nil {
		t.Fatalf("restarted validator did not catch up: %v", err)
	}
	final = append(final, sendFinal(t, c, 3, 1, 0))
	assertEverywhere(t, c, final)
	if c.Node(3).CatchingUp() {
		t.Fatal("caught-up validator still reports catching up")
	}
	assertMetrics(t, c.RPCAddr(3), "accord_height", "accord_view_changes_total", "accord_sync_target_height",
		"accord_mempool_size", "accord_block_txs", "accord_peers", "accord_p2p_")
}

// assertMetrics checks that the node's /metrics lists the named series.
func assertMetrics(t *testing.T, rpc string, names ...string) {
	t.Helper()
	resp, err := http.Get("http://" + rpc + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, n := range names {
		if !strings.Contains(string(body), "\n"+n) {
			t.Errorf("/metrics lacks %s", n)
		}
	}
}

func TestKillTwoOfFourStopsFinalityWithoutFork(t *testing.T) {
	c := newCluster(t, 4)
	final := []types.Hash{sendFinal(t, c, 0, 0, 0)}
	c.Stop(2)
	c.Stop(3)
	before := c.Height(0)
	// With 2 of 4 the quorum (3) cannot form: submit and observe that no
	// block is finalized within several view timeouts.
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	if err := c.WaitHeight(ctx, 0, before+1); err == nil {
		t.Fatalf("a block was finalized with only 2 of 4 validators (height %d -> %d)", before, c.Height(0))
	}
	if err := c.Start(2); err != nil {
		t.Fatal(err)
	}
	ctx2, cancel2 := Timeout(90 * time.Second)
	defer cancel2()
	if err := c.WaitHeight(ctx2, 0, before+2); err != nil {
		t.Fatalf("finality did not resume with 3 of 4: %v", err)
	}
	final = append(final, sendFinal(t, c, 2, 1, 0))
	assertEverywhere(t, c, final)
}

func TestPartitionedValidatorCatchesUpAfterHeal(t *testing.T) {
	c := newCluster(t, 4)
	final := []types.Hash{sendFinal(t, c, 0, 0, 0)}
	c.Isolate(1, true)
	ctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	if err := c.WaitHeight(ctx, 0, c.Height(0)+3); err != nil {
		t.Fatalf("majority stopped while one validator was partitioned: %v", err)
	}
	final = append(final, sendFinal(t, c, 2, 0, 1))
	stale := c.Height(1)
	c.Isolate(1, false)
	if err := c.WaitHeight(ctx, 1, c.Height(0)); err != nil {
		t.Fatalf("partitioned validator (stuck at %d) did not catch up: %v", stale, err)
	}
	assertEverywhere(t, c, final)
}

func TestOutsiderCannotConnectOrInject(t *testing.T) {
	c := newCluster(t, 4)
	sendFinal(t, c, 0, 0, 0)
	key, _ := crypto.GenerateKey()
	var vals []types.Address
	for i := 0; i < 4; i++ {
		vals = append(vals, c.Node(i).Address())
	}
	outsider, err := p2p.New(p2p.Config{ListenAddr: "/ip4/127.0.0.1/tcp/0", Key: key, ChainID: c.Layout.ChainID, AllowList: vals,
		Logger: testLogger(t).With("node", "outsider")})
	if err != nil {
		t.Fatal(err)
	}
	defer outsider.Close()
	ctx, cancel := Timeout(20 * time.Second)
	defer cancel()
	for i := 0; i < 4; i++ {
		maddr := c.Node(i).Listening().P2P[0]
		if err := outsider.Connect(ctx, maddr); !errors.Is(err, p2p.ErrRefused) {
			t.Fatalf("outsider dialling node%d: err = %v, want ErrRefused", i, err)
		}
		_ = outsider.Publish(p2p.TopicConsensus, []byte("forged vote"))
	}
	outsiderAddr := types.PubkeyAddress(key)
	for i := 0; i < 4; i++ {
		for _, p := range c.Node(i).P2PPeers() {
			if p == outsiderAddr {
				t.Fatalf("node%d lists the outsider as a peer", i)
			}
		}
	}
	// The chain is unaffected.
	sendFinal(t, c, 1, 0, 1)
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
}

func mustValidatorKey(t *testing.T, c *Cluster, i int) *ecdsa.PrivateKey {
	t.Helper()
	k, err := node.LoadValidatorKey(c.Layout.Home(i))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestEquivocatingValidatorIsRecordedAndOthersStaySafe(t *testing.T) {
	c := newCluster(t, 4)
	final := []types.Hash{sendFinal(t, c, 0, 0, 0)}
	byz := 3
	key := mustValidatorKey(t, c, byz)
	from := types.PubkeyAddress(key)
	ctx, cancel := Timeout(90 * time.Second)
	defer cancel()
	// For each new height, the Byzantine validator signs PREPARE and
	// COMMIT votes for a block that does not exist, next to its honest
	// votes for the real one.
	caught := func() bool {
		for i := 0; i < 3; i++ {
			evs, err := c.Node(i).Evidence(0)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range evs {
				if e.Validator == from {
					return true
				}
			}
		}
		return false
	}
	for round := 0; !caught(); round++ {
		if ctx.Err() != nil {
			t.Fatal("no honest validator recorded the equivocation")
		}
		h := c.Height(0) + 1
		for _, typ := range []consensus.MsgType{consensus.MsgPrepare, consensus.MsgCommit} {
			m := &consensus.Message{Type: typ, Height: h, View: 0, BlockHash: types.Keccak([]byte{byte(round), byte(typ)}), From: from}
			sig, err := types.SignDigest(m.Digest(c.Layout.ChainID), key)
			if err != nil {
				t.Fatal(err)
			}
			m.Sig = sig
			if err := c.Node(byz).PublishConsensus(m); err != nil {
				t.Fatal(err)
			}
		}
		if err := c.WaitHeight(ctx, 0, h); err != nil {
			t.Fatal(err)
		}
	}
	final = append(final, sendFinal(t, c, 1, 1, 0))
	assertEverywhere(t, c, final)

	// The evidence is durable and served over RPC with both signed votes,
	// which anyone can check again.
	for i := 0; i < 3; i++ {
		if err := c.Stop(i); err != nil {
			t.Fatal(err)
		}
		if err := c.Start(i); err != nil {
			t.Fatal(err)
		}
	}
	found := false
	for i := 0; i < 3 && !found; i++ {
		evs, err := c.Client(i).Evidence(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Validator != from.Hex() {
				continue
			}
			found = true
			var msgs [2]*consensus.Message
			for k, h := range []string{e.First, e.Second} {
				raw, err := hex.DecodeString(strings.TrimPrefix(h, "0x"))
				if err != nil {
					t.Fatal(err)
				}
				if msgs[k], err = consensus.DecodeMessage(raw); err != nil {
					t.Fatal(err)
				}
				signer, err := types.RecoverAddress(msgs[k].Digest(c.Layout.ChainID), msgs[k].Sig)
				if err != nil || signer != from {
					t.Fatalf("evidence vote %d signed by %s (%v), want %s", k, signer.Hex(), err, from.Hex())
				}
			}
			if msgs[0].Height != e.Height || msgs[1].Height != e.Height || msgs[0].BlockHash == msgs[1].BlockHash {
				t.Fatalf("evidence does not show conflicting votes at height %d: %+v / %+v", e.Height, msgs[0], msgs[1])
			}
		}
	}
	if !found {
		t.Fatal("evidence lost across a restart")
	}
}

// A member that gossips forged transactions is put on ignore by the others:
// its next batches are dropped before relay, and the chain carries on.
func TestMemberGossipingForgedTxsIsIgnored(t *testing.T) {
	c := newCluster(t, 4)
	sendFinal(t, c, 0, 0, 0) // the gossip mesh is up
	liar := c.Node(3)
	st, err := c.Client(0).Status(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	events := make([]<-chan p2p.GossipEvent, 3)
	for i := range events {
		events[i] = c.Node(i).GossipEvents()
	}
	waitEvent := func(kind string) {
		t.Helper()
		ctx, cancel := Timeout(20 * time.Second)
		defer cancel()
		for i, ch := range events {
			for {
				select {
				case ev := <-ch:
					if ev.Member != liar.Address() {
						t.Fatalf("node%d: %s event for %s, not the liar", i, ev.Kind, ev.Member.Hex())
					}
					if ev.Kind != kind {
						continue
					}
				case <-ctx.Done():
					t.Fatalf("node%d: no %q event for the liar", i, kind)
				}
				break
			}
		}
	}
	var forgedBatch [][]byte
	for k := range 4 {
		tx, err := types.SignTx(&types.Tx{ChainID: st.ChainID, Nonce: uint64(k), Type: bank.TypeTransfer,
			Payload: []byte{0xc0}, Fee: st.MinFeeMicro}, BenchKey(1))
		if err != nil {
			t.Fatal(err)
		}
		tx.Sig[64] = 7 // no such recovery id: a signature no honest node admits
		forgedBatch = append(forgedBatch, tx.Encode())
	}
	if err := liar.PublishTxBatch(forgedBatch); err != nil {
		t.Fatal(err)
	}
	waitEvent("penalized")

	// Its next batch, though valid, is dropped by every other member.
	s := client.NewSigner(BenchKey(2), st.ChainID, st.MinFeeMicro)
	s.SetNonce(0)
	valid, err := s.Sign(context.Background(), nil, bank.TypeTransfer, &bank.MsgTransfer{To: types.Address{0xcc}, Amount: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := liar.PublishTxBatch([][]byte{valid.Encode()}); err != nil {
		t.Fatal(err)
	}
	waitEvent("dropped")

	sendFinal(t, c, 1, 3, 0)
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
	assertMetrics(t, c.RPCAddr(0), "accord_gossip_penalties_total 1", "accord_gossip_dropped_total")
}
