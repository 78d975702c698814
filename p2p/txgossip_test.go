package p2p

import (
	"context"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/rlp"
	pubsub "github.com/libp2p/go-libp2p-pubsub"

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

// checkingAdmit is a mempool stand-in: it refuses another chain's
// transactions and bad signatures as the real one does, and reports each
// admitted batch on the returned channel.
func checkingAdmit(chain string) (func([][]byte) []error, chan [][]byte) {
	ch := make(chan [][]byte, 64)
	return func(raws [][]byte) []error {
		errs := make([]error, len(raws))
		for i, raw := range raws {
			tx, err := types.DecodeTx(raw)
			if err == nil {
				err = tx.CheckChainID(chain)
			}
			if err == nil {
				_, err = tx.Sender()
			}
			errs[i] = err
		}
		ch <- raws
		return errs
	}, ch
}

func startTxGossip(t *testing.T, n *testNode, admit func([][]byte) []error) *TxGossip {
	t.Helper()
	g, err := NewTxGossip(n.Host, TxGossipConfig{
		Sender: func(tx *types.Tx) (types.Address, error) { return tx.Sender() },
		Admit:  admit,
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); g.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return g
}

// On the unsigned topic the relay answers for a batch, so a node relays
// only batches it admitted without a forgery: in a line a - b - c, a's
// clean batch reaches c (delivered by b), a batch with forgeries hidden
// among valid transactions stops at b, b penalizes a, and c holds nothing
// against b.
func TestTxGossipRelaysOnlyAdmittedBatches(t *testing.T) {
	a, b, c := startLine(t, TopicTxs)
	waitInMesh(t, a, TopicTxs, b)

	ga := startTxGossip(t, a, func(raws [][]byte) []error { return make([]error, len(raws)) })
	admitB, atB := checkingAdmit(testChain)
	gb := startTxGossip(t, b, admitB)
	admitC, atC := checkingAdmit(testChain)
	gc := startTxGossip(t, c, admitC)
	clean := signedTxs(t, 4, testChain)
	if err := ga.PublishBatch(clean); err != nil {
		t.Fatal(err)
	}
	if got := waitErr(t, atC); len(got) != len(clean) || string(got[0]) != string(clean[0]) {
		t.Fatalf("c admitted %d txs, want a's %d", len(got), len(clean))
	}
	if m := firstMessage(t, c.inbox[TopicTxs]); m.from != b.Address() {
		t.Fatalf("c got the batch from %s, want the relay b %s", m.from, b.Address())
	}

	// Forgeries among many valid transactions: the sample at b may miss
	// them, full admission does not.
	mixed := append(signedTxs(t, 200, testChain), signedTxs(t, gossipStrikes, "other-chain")...)
	if err := ga.PublishBatch(mixed); err != nil {
		t.Fatal(err)
	}
	if ev := waitErr(t, gb.Events()); ev.Kind != "penalized" || ev.Member != a.Address() {
		t.Fatalf("b event %+v, want a penalized", ev)
	}
	// A marker from b itself: once c has it, anything b relayed before
	// it would have arrived too.
	marker := signedTxs(t, 1, testChain)
	if err := gb.PublishBatch(marker); err != nil {
		t.Fatal(err)
	}
	for got := waitErr(t, atC); string(got[0]) != string(marker[0]); got = waitErr(t, atC) {
		t.Fatalf("c admitted a batch of %d txs before b's marker: b relayed the forged batch", len(got))
	}
	select {
	case ev := <-gc.Events():
		t.Fatalf("c event %+v: an honest relay was blamed", ev)
	default:
	}
	_ = atB
}

// A member that relays without checking (here: no transaction gossip of
// its own, so nothing stops a batch at it) answers for what it relayed.
func TestTxGossipBlamesTheRelayNotTheAbsentAuthor(t *testing.T) {
	a, b, c := startLine(t, TopicTxs)
	waitInMesh(t, a, TopicTxs, b)
	ga := startTxGossip(t, a, func(raws [][]byte) []error { return make([]error, len(raws)) })
	admitC, _ := checkingAdmit(testChain)
	gc := startTxGossip(t, c, admitC)
	if err := ga.PublishBatch(signedTxs(t, 1, "other-chain")); err != nil {
		t.Fatal(err)
	}
	if ev := waitErr(t, gc.Events()); ev.Kind != "penalized" || ev.Member != b.Address() {
		t.Fatalf("c event %+v, want the relay b (%s) penalized", ev, b.Address())
	}
}

// firstMessage waits for in's first delivered message.
func firstMessage(t *testing.T, in *inbox) message {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		msgs, wake := in.snapshot()
		if len(msgs) > 0 {
			return msgs[0]
		}
		select {
		case <-wake:
		case <-timer.C:
			t.Fatal("no message delivered")
		}
	}
}

// The same transactions published again (re-gossip) are a new message:
// unsigned messages are named by content, and each batch is numbered.
func TestTxGossipRepublishedBatchIsDeliveredAgain(t *testing.T) {
	nodes := startNet(t, 2, netOpts{})
	waitMesh(t, 1, nodes...)
	waitInMesh(t, nodes[0], TopicTxs, nodes[1])
	g0 := startTxGossip(t, nodes[0], func(raws [][]byte) []error { return make([]error, len(raws)) })
	admit1, at1 := checkingAdmit(testChain)
	startTxGossip(t, nodes[1], admit1)
	raws := signedTxs(t, 3, testChain)
	for round := range 2 {
		if err := g0.PublishBatch(raws); err != nil {
			t.Fatal(err)
		}
		if got := waitErr(t, at1); len(got) != len(raws) {
			t.Fatalf("round %d: %d txs admitted, want %d", round, len(got), len(raws))
		}
	}
}

// A node before the unsigned topic publishes signed batches (a plain RLP
// list) on the version-1 topic: they are still admitted, and the author
// answers for them.
func TestTxGossipAcceptsLegacySignedTopic(t *testing.T) {
	nodes := startNet(t, 2, netOpts{})
	waitMesh(t, 1, nodes...)
	admit1, at1 := checkingAdmit(testChain)
	g1 := startTxGossip(t, nodes[1], admit1)
	legacy := nodes[0].topics[TopicTxs-1].legacy
	waitLegacyPeer(t, legacy)
	raws := signedTxs(t, 2, testChain)
	data, err := rlp.EncodeToBytes(raws)
	if err != nil {
		t.Fatal(err)
	}
	if err := legacy.Publish(context.Background(), data); err != nil {
		t.Fatal(err)
	}
	if got := waitErr(t, at1); len(got) != 2 || string(got[1]) != string(raws[1]) {
		t.Fatalf("admitted %d txs from the legacy topic, want 2", len(got))
	}
	forgedData, _ := rlp.EncodeToBytes(signedTxs(t, 1, "other-chain"))
	if err := legacy.Publish(context.Background(), forgedData); err != nil {
		t.Fatal(err)
	}
	if ev := waitErr(t, g1.Events()); ev.Kind != "penalized" || ev.Member != nodes[0].Address() {
		t.Fatalf("event %+v, want the legacy author penalized", ev)
	}
}

func waitLegacyPeer(t *testing.T, topic *pubsub.Topic) {
	t.Helper()
	waitLegacyPeers(t, topic, 1)
}

// waitLegacyPeers waits until n peers are subscribed to a legacy topic
// (the host does not report them: nothing waits for them but tests).
func waitLegacyPeers(t *testing.T, topic *pubsub.Topic, n int) {
	t.Helper()
	ctx := ctxTimeout(t)
	for len(topic.ListPeers()) < n {
		select {
		case <-ctx.Done():
			t.Fatalf("%d peers on the legacy topic %s, want %d", len(topic.ListPeers()), topic.String(), n)
		case <-time.After(10 * time.Millisecond):
		}
	}
}
