package p2p

import (
	"context"
	"testing"

	"github.com/accordnet/accord/types"
)

func signedTxs(t *testing.T, n int, chain string) [][]byte {
	t.Helper()
	key := newKey(t)
	out := make([][]byte, n)
	for i := range out {
		tx, err := types.SignTx(&types.Tx{ChainID: chain, Nonce: uint64(i), Type: 0x0101, Payload: []byte{0xc0}, Fee: 1}, key)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = tx.Encode()
	}
	return out
}

// Queued transactions leave as batches and reach the other node's Admit
// in order; a batch of another chain's transactions is refused by the
// topic validator and counts as a forgery against its author.
func TestTxGossipBatchesAndPenalizes(t *testing.T) {
	nodes := startNet(t, 2, netOpts{})
	waitMesh(t, 1, nodes...)
	admitted := make(chan [][]byte, 16)
	gossips := make([]*TxGossip, 2)
	for i, n := range nodes {
		var err error
		gossips[i], err = NewTxGossip(n.Host, TxGossipConfig{
			Sender: func(tx *types.Tx) (types.Address, error) { return tx.Sender() },
			Admit: func(raws [][]byte) []error {
				admitted <- raws
				return make([]error, len(raws))
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); gossips[i].Run(ctx) }()
		t.Cleanup(func() { cancel(); <-done })
	}
	raws := signedTxs(t, 5, testChain)
	gossips[0].Queue(raws[:3])
	gossips[0].Queue(raws[3:])
	var got [][]byte
	for len(got) < len(raws) {
		batch := waitErr(t, admitted)
		if len(batch) == 0 {
			t.Fatal("empty batch admitted")
		}
		got = append(got, batch...)
	}
	for i := range raws {
		if string(got[i]) != string(raws[i]) {
			t.Fatalf("tx %d arrived out of order or changed", i)
		}
	}
	if pub := nodes[0].Stats().Topics[TopicTxs].Published; pub >= uint64(len(raws)) {
		t.Fatalf("%d messages for %d transactions: not batched", pub, len(raws))
	}

	// Another chain's transactions: the sample catches them, the batch is
	// not delivered, and a full strike count penalizes the author.
	events := gossips[1].Events()
	if err := gossips[0].PublishBatch(signedTxs(t, 1, "other-chain")); err != nil {
		t.Fatal(err)
	}
	if ev := waitErr(t, events); ev.Kind != "penalized" || ev.Member != nodes[0].Address() {
		t.Fatalf("event %+v, want node 0 penalized", ev)
	}
	if err := gossips[0].PublishBatch(raws[:1]); err != nil {
		t.Fatal(err)
	}
	if ev := waitErr(t, events); ev.Kind != "dropped" || ev.Member != nodes[0].Address() {
		t.Fatalf("event %+v, want node 0's next batch dropped", ev)
	}
	select {
	case b := <-admitted:
		t.Fatalf("batch of %d admitted from a penalized member", len(b))
	default:
	}
}
