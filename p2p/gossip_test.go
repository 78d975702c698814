package p2p

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/accordnet/accord/types"
)

func TestTopicNamesAreNamespacedByChain(t *testing.T) {
	if got := TopicName("side-1", TopicConsensus); got != "/accord/side-1/consensus/2" {
		t.Fatalf("consensus topic = %q", got)
	}
	if got := TopicName("side-1", TopicTxs); got != "/accord/side-1/txs/2" {
		t.Fatalf("txs topic = %q", got)
	}
	if got := legacyTopicName("side-1", TopicConsensus); got != "/accord/side-1/consensus/1" {
		t.Fatalf("legacy consensus topic = %q", got)
	}
	if TopicName("a", TopicTxs) == TopicName("b", TopicTxs) {
		t.Fatal("chains share a topic")
	}
}

func TestGossipInstancesCountAsGossipBytes(t *testing.T) {
	c := newByteCounter("c1")
	for _, tc := range []struct {
		proto string
		class int
	}{
		{"/accord/c1/meshsub/1.2.0", classGossip},
		{"/accord/c1/txmesh/1.2.0", classGossip},
		{"/accord/c1/consmesh/1.1.0", classGossip},
		{"/accord/c1/direct/1", classGossip},
		{"/accord/c1/sync/1", classSync},
		{"/accord/c2/consmesh/1.2.0", classOther},
		{"/ipfs/id/1.0.0", classOther},
	} {
		if got := c.class(protocol.ID(tc.proto)); got != tc.class {
			t.Errorf("%s: class %s, want %s", tc.proto, classNames[got], classNames[tc.class])
		}
	}
}

func TestFourNodesEveryoneReceivesEveryone(t *testing.T) {
	nodes := startNet(t, 4, netOpts{})
	waitMesh(t, 3, nodes...)

	for i, n := range nodes {
		for _, tp := range Topics() {
			if err := n.Publish(tp, []byte(fmt.Sprintf("%s from %d", tp, i))); err != nil {
				t.Fatalf("node %d publish: %v", i, err)
			}
		}
	}
	for i, n := range nodes {
		for j, src := range nodes {
			for _, tp := range Topics() {
				data := fmt.Sprintf("%s from %d", tp, j)
				if i == j {
					continue
				}
				m := n.inbox[tp].wait(t, data)
				// The topics have no authors: from is whichever member
				// delivered the message first (usually, not always, the
				// publisher, here src).
				if m.from == n.Address() || !slices.Contains(addrsOf(nodes...), m.from) {
					t.Fatalf("node %d got %q (from %s) from %s, want another member", i, data, src.Address(), m.from)
				}
			}
		}
	}
	// Own messages are not delivered back: every other node's message has
	// arrived, and the own one was published before them.
	for i, n := range nodes {
		for _, tp := range Topics() {
			if n.inbox[tp].has(fmt.Sprintf("%s from %d", tp, i)) {
				t.Errorf("node %d received its own %s message", i, tp)
			}
		}
		st := n.Stats()
		if c := st.Topics[TopicConsensus]; st.Peers != 3 || c.Published != 1 || c.Received != 3 || c.LegacyPublished != 0 || st.BytesIn == 0 || st.BytesOut == 0 {
			t.Errorf("node %d stats: %+v", i, st)
		}

	}

	// A block-carrying PRE-PREPARE above pubsub's default 1 MiB limit
	// crosses the mesh. (Larger sizes work too but are slow under -race.)
	big := bytes.Repeat([]byte{0xAB}, 3<<20)
	big[0] = 'B'
	if err := nodes[2].Publish(TopicConsensus, big); err != nil {
		t.Fatalf("publish 3 MiB: %v", err)
	}
	for i, n := range nodes {
		if i != 2 {
			n.inbox[TopicConsensus].wait(t, string(big))
		}
	}
	tooBig := make([]byte, nodes[0].MaxPayload()+1)
	if err := nodes[0].Publish(TopicConsensus, tooBig); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("oversized publish: err = %v, want ErrMessageTooLarge", err)
	}
	if err := nodes[0].Publish(Topic(0), []byte("x")); !errors.Is(err, ErrUnknownTopic) {
		t.Fatalf("unknown topic: err = %v, want ErrUnknownTopic", err)
	}
}

func TestStrangerIsRefusedAndCannotInjectGossip(t *testing.T) {
	cases := []struct {
		name   string
		listen string // for members and the stranger alike
		remote string // in the refusal's remote address
	}{
		{"over TCP", listenTCP, "/tcp/"},
		{"over QUIC", listenQUIC, "/quic-v1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			testStrangerIsRefused(t, tc.listen, tc.remote)
		})
	}
}

func testStrangerIsRefused(t *testing.T, listen, remote string) {
	refusals := newLogWatch("connection refused")
	members := startNet(t, 3, netOpts{cfg: func(i int, c *Config) {
		c.ListenAddr = listen
		if i == 0 {
			c.Logger = testLogger(refusals)
		}
	}})
	waitMesh(t, 2, members...)

	// The stranger lists the members (it would talk to them); they do not
	// list it.
	strangerKey := newKey(t)
	stranger := startNode(t, Config{
		ListenAddr: listen,
		Key:        strangerKey,
		ChainID:    testChain,
		AllowList:  append(addrsOf(members...), types.PubkeyAddress(strangerKey)),
		Logger:     testLogger(),
	})
	ctx := ctxTimeout(t)
	if err := stranger.Connect(ctx, members[0].Addrs()[0]); !errors.Is(err, ErrRefused) {
		t.Fatalf("stranger dialling a member: err = %v, want ErrRefused", err)
	}
	line := refusals.wait(t, "reason=\"not in allow-list\"", "addr="+strings.ToLower(stranger.Address().Hex()))
	if !strings.Contains(line, "peer="+stranger.ID().String()) || !strings.Contains(line, remote) {
		t.Errorf("refusal log lacks the peer or the %s remote: %s", remote, line)
	}
	if err := members[0].Connect(ctx, stranger.Addrs()[0]); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("member dialling the stranger: err = %v, want ErrNotAllowed", err)
	}
	if p := stranger.Peers(); len(p) != 0 {
		t.Fatalf("stranger has peers %v", p)
	}

	if err := stranger.Publish(TopicConsensus, []byte("forged")); err != nil {
		t.Fatalf("stranger publish: %v", err)
	}
	// A member's message sent after the forgery reaches everyone; the forgery
	// had no link to travel on.
	if err := members[0].Publish(TopicConsensus, []byte("marker")); err != nil {
		t.Fatal(err)
	}
	for _, m := range members[1:] {
		m.inbox[TopicConsensus].wait(t, "marker")
	}
	for i, m := range members {
		if m.inbox[TopicConsensus].has("forged") {
			t.Errorf("member %d received the stranger's message", i)
		}
		if slices.Contains(m.Peers(), stranger.Address()) {
			t.Errorf("member %d is connected to the stranger", i)
		}
	}
}

func TestMessageAuthoredByStrangerIsDroppedWhenRelayed(t *testing.T) {
	// b (misconfigured) admits the stranger s; c does not. s reaches c only
	// through b, and on the legacy signed topic c must drop what s wrote.
	// (The current topics have no authors: there b answers for what it
	// relays, and the payload's own signature for who wrote it; see
	// TestValidatorDropsInvalidBeforeRelay and
	// TestTxGossipRelaysOnlyAdmittedBatches.)
	keyB, keyC, keyS := newKey(t), newKey(t), newKey(t)
	aB, aC, aS := types.PubkeyAddress(keyB), types.PubkeyAddress(keyC), types.PubkeyAddress(keyS)
	b := startNode(t, Config{ListenAddr: "/ip4/127.0.0.1/tcp/0", Key: keyB, ChainID: testChain, AllowList: []types.Address{aB, aC, aS}, Logger: testLogger()})
	c := startNode(t, Config{ListenAddr: "/ip4/127.0.0.1/tcp/0", Key: keyC, ChainID: testChain, AllowList: []types.Address{aB, aC}, Bootstrap: b.Addrs(), Logger: testLogger()})
	rejected := make(chan types.Address, 16)
	hook := func(tp Topic, from types.Address, ok bool) {
		if !ok {
			rejected <- from
		}
	}
	c.onValidated.Store(&hook)
	s := startNode(t, Config{ListenAddr: "/ip4/127.0.0.1/tcp/0", Key: keyS, ChainID: testChain, AllowList: []types.Address{aB, aS}, Bootstrap: b.Addrs(), Logger: testLogger()})
	waitMesh(t, 2, b)
	waitMesh(t, 1, c, s)
	waitLegacyPeer(t, s.topics[TopicConsensus-1].legacy)
	waitLegacyPeers(t, b.topics[TopicConsensus-1].legacy, 2)

	// b relays only to its mesh on the legacy topic, and the host does not
	// report that mesh, so s writes again (a fresh seqno, a new message)
	// until c has had one to refuse: a message sent before b grafted c
	// reaches c only if gossip's IHAVE happens to offer it.
	legacy := s.topics[TopicConsensus-1].legacy
	ctx := ctxTimeout(t)
	var got types.Address
	for sent := false; !sent; {
		if err := legacy.Publish(ctx, []byte("from stranger")); err != nil {
			t.Fatal(err)
		}
		select {
		case got = <-rejected:
			sent = true
		case <-time.After(250 * time.Millisecond):
		case <-ctx.Done():
			t.Fatal("c never refused a message s wrote")
		}
	}
	if got != aS {
		t.Fatalf("c rejected a message authored by %s, want %s", got, aS)
	}
	b.inbox[TopicConsensus].wait(t, "from stranger") // b accepted and relayed it
	if err := b.Publish(TopicConsensus, []byte("marker")); err != nil {
		t.Fatal(err)
	}
	c.inbox[TopicConsensus].wait(t, "marker")
	if c.inbox[TopicConsensus].has("from stranger") {
		t.Fatal("c delivered a message authored by a stranger")
	}
	if st := c.Stats().Topics[TopicConsensus]; st.Rejected == 0 {
		t.Fatalf("c stats: %+v", st)
	}
}

// startLine starts three nodes in a line a - b - c (b dials a, c dials b;
// a and c block each other, so everything c gets from a passes b), with
// the mesh formed and b's mesh holding c on each topic named.
func startLine(t *testing.T, topics ...Topic) (a, b, c *testNode) {
	t.Helper()
	nodes := startNet(t, 3, netOpts{
		bootstrap: func(i int, started []*testNode) []string {
			if i == 0 {
				return nil
			}
			return started[i-1].Addrs()
		},
	})
	a, b, c = nodes[0], nodes[1], nodes[2]
	a.Block(c.Address())
	c.Block(a.Address())
	waitMesh(t, 1, a, c)
	waitMesh(t, 2, b)
	for _, tp := range topics {
		waitInMesh(t, b, tp, c)
	}
	return a, b, c
}

func TestValidatorDropsInvalidBeforeRelay(t *testing.T) {
	// Everything c gets from a passes b's validator.
	a, b, c := startLine(t, TopicConsensus)

	valid := func(_ types.Address, data []byte) bool { return bytes.HasPrefix(data, []byte("ok")) }
	var mu sync.Mutex
	var seenByC []string
	for _, n := range []*testNode{b, c} {
		if err := n.SetValidator(TopicConsensus, valid); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.SetValidator(TopicConsensus, func(from types.Address, data []byte) bool {
		mu.Lock()
		seenByC = append(seenByC, string(data))
		mu.Unlock()
		return valid(from, data)
	}); err != nil {
		t.Fatal(err)
	}
	rejectedByB := make(chan types.Address, 16)
	hook := func(tp Topic, from types.Address, ok bool) {
		if !ok && tp == TopicConsensus {
			rejectedByB <- from
		}
	}
	b.onValidated.Store(&hook)

	// a has no validator, so it sends the invalid message.
	if err := a.Publish(TopicConsensus, []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	if from := waitErr(t, rejectedByB); from != a.Address() {
		t.Fatalf("b rejected a message from %s, want %s", from, a.Address())
	}
	if err := a.Publish(TopicConsensus, []byte("ok marker")); err != nil {
		t.Fatal(err)
	}
	// The message has no author: c is told of b, which delivered it (and
	// is the one c would blame for an invalid one).
	if m := c.inbox[TopicConsensus].wait(t, "ok marker"); m.from != b.Address() {
		t.Fatalf("relayed message from = %s, want the relay %s", m.from, b.Address())
	}
	if st := c.Stats().Topics[TopicConsensus]; st.Rejected != 0 {
		t.Errorf("c rejected %d messages: b relayed an invalid one", st.Rejected)
	}
	if b.inbox[TopicConsensus].has("garbage") {
		t.Error("b delivered an invalid message")
	}
	mu.Lock()
	defer mu.Unlock()
	if slices.Contains(seenByC, "garbage") {
		t.Error("b relayed an invalid message to c")
	}

	// A node does not publish what its own validator refuses.
	if err := b.Publish(TopicConsensus, []byte("garbage")); !errors.Is(err, ErrRejected) {
		t.Fatalf("publishing invalid data: err = %v, want ErrRejected", err)
	}
}

func TestDecoderValueReachesTheHandler(t *testing.T) {
	nodes := startNet(t, 2, netOpts{})
	a, b := nodes[0], nodes[1]
	waitMesh(t, 1, a, b)
	type decoded struct{ n int }
	if err := b.SetDecoder(TopicConsensus, func(_ types.Address, data []byte) (any, bool) {
		return &decoded{n: len(data)}, bytes.HasPrefix(data, []byte("vote"))
	}); err != nil {
		t.Fatal(err)
	}
	got := make(chan any, 4)
	if err := b.SubscribeDecoded(TopicConsensus, func(from types.Address, data []byte, v any) {
		if from == a.Address() {
			got <- v
		}
	}); err != nil {
		t.Fatal(err)
	}
	if err := a.Publish(TopicConsensus, []byte("vote 1")); err != nil {
		t.Fatal(err)
	}
	v := waitErr(t, got)
	if d, ok := v.(*decoded); !ok || d.n != len("vote 1") {
		t.Fatalf("handler got %#v", v)
	}
}

// legacyNode is a node of the release before the unsigned consensus topic,
// reduced to its gossip: one signed gossipsub instance ("meshsub") with
// the consensus topic at version 1.
type legacyNode struct {
	host  host.Host
	topic *pubsub.Topic
	sub   *pubsub.Subscription
}

func startLegacyNode(t *testing.T, key *ecdsa.PrivateKey) *legacyNode {
	t.Helper()
	sk, err := libp2pKey(key)
	if err != nil {
		t.Fatal(err)
	}
	lh, err := libp2p.New(libp2p.Identity(sk), libp2p.ListenAddrStrings(listenTCP), libp2p.DisableRelay())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = lh.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	protos, feature := meshProtocols(testChain, "meshsub")
	ps, err := pubsub.NewGossipSub(ctx, lh, pubsub.WithGossipSubProtocols(protos, feature),
		pubsub.WithGossipSubParams(gossipParams(2)), pubsub.WithMessageSignaturePolicy(pubsub.StrictSign))
	if err != nil {
		t.Fatal(err)
	}
	topic, err := ps.Join(legacyTopicName(testChain, TopicConsensus))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := topic.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	return &legacyNode{host: lh, topic: topic, sub: sub}
}

// During a rolling upgrade a node of the previous release hears consensus
// messages only on the signed version-1 topic: an upgraded node publishes
// there too while such a peer is subscribed, and delivers what it
// publishes there; among upgraded nodes alone nothing goes there (see
// TestFourNodesEveryoneReceivesEveryone).
func TestConsensusReachesAndHearsLegacyNodes(t *testing.T) {
	keyN, keyOld := newKey(t), newKey(t)
	n := startNode(t, Config{ListenAddr: listenTCP, Key: keyN, ChainID: testChain,
		AllowList: []types.Address{types.PubkeyAddress(keyN), types.PubkeyAddress(keyOld)}, Logger: testLogger()})
	old := startLegacyNode(t, keyOld)
	ctx := ctxTimeout(t)
	if err := old.host.Connect(ctx, peer.AddrInfo{ID: n.ID(), Addrs: n.host.Addrs()}); err != nil {
		t.Fatal(err)
	}
	gt := n.topics[TopicConsensus-1]
	for !n.legacyOnly(gt) {
		select {
		case <-n.changes():
		case <-ctx.Done():
			t.Fatal("the legacy node never joined the version-1 consensus topic")
		}
	}
	// Gossip is best effort: a peer's outbound stream may open only after
	// the first publish (consensus re-sends on its timer), so both sides
	// re-send until the other has the message.
	var got *pubsub.Message
	resend(t, func() {
		if err := n.Publish(TopicConsensus, []byte("vote from new")); err != nil {
			t.Fatal(err)
		}
	}, func(ctx context.Context) bool {
		m, err := old.sub.Next(ctx)
		got = m
		return err == nil
	})
	if string(got.Data) != "vote from new" || got.GetFrom() != n.ID() {
		t.Fatalf("legacy node got %q from %s, want the unframed message signed by %s", got.Data, got.GetFrom(), n.ID())
	}
	if st := n.Stats().Topics[TopicConsensus]; st.Published == 0 || st.LegacyPublished != st.Published {
		t.Fatalf("stats %+v, want each message published on both topics", st)
	}
	resend(t, func() {
		if err := old.topic.Publish(context.Background(), []byte("vote from old")); err != nil {
			t.Fatal(err)
		}
	}, func(ctx context.Context) bool {
		return waitInbox(ctx, n.inbox[TopicConsensus], "vote from old")
	})
	msgs, _ := n.inbox[TopicConsensus].snapshot()
	for _, m := range msgs {
		if m.from != types.PubkeyAddress(keyOld) {
			t.Fatalf("from %s, want the legacy author", m.from)
		}
	}
}

// resend calls send until received (given a short deadline each time)
// reports true, for at most waitTimeout.
func resend(t *testing.T, send func(), received func(ctx context.Context) bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		send()
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		ok := received(ctx)
		cancel()
		if ok {
			return
		}
	}
	t.Fatal("never received")
}

// waitInbox reports whether in holds data before ctx ends.
func waitInbox(ctx context.Context, in *inbox, data string) bool {
	for {
		msgs, wake := in.snapshot()
		for _, m := range msgs {
			if m.data == data {
				return true
			}
		}
		select {
		case <-wake:
		case <-ctx.Done():
			return false
		}
	}
}

// The consensus engine re-sends its messages byte for byte while a height
// is undecided; on the unsigned topic, where a message is named by its
// content, each send is numbered so the re-send is delivered again.
func TestConsensusResendIsDeliveredAgain(t *testing.T) {
	nodes := startNet(t, 2, netOpts{})
	waitMesh(t, 1, nodes...)
	for range 2 {
		if err := nodes[0].Publish(TopicConsensus, []byte("same vote")); err != nil {
			t.Fatal(err)
		}
	}
	in := nodes[1].inbox[TopicConsensus]
	ctx := ctxTimeout(t)
	for {
		msgs, wake := in.snapshot()
		n := 0
		for _, m := range msgs {
			if m.data == "same vote" {
				n++
			}
		}
		if n == 2 {
			return
		}
		select {
		case <-wake:
		case <-ctx.Done():
			t.Fatalf("delivered %d times, want 2", n)
		}
	}
}
