package p2p

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	pubsub_pb "github.com/libp2p/go-libp2p-pubsub/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/accordnet/accord/types"
)

// Topic names a gossip topic. The zero value is not a topic.
type Topic uint8

// The gossip topics.
const (
	// TopicTxs carries signed transactions between mempools.
	TopicTxs Topic = iota + 1
	// TopicConsensus carries consensus messages (compact proposals, votes,
	// view changes).
	TopicConsensus

	numTopics = int(TopicConsensus)
)

// Topics lists every gossip topic.
func Topics() []Topic { return []Topic{TopicTxs, TopicConsensus} }

func (t Topic) valid() bool { return t >= TopicTxs && int(t) <= numTopics }

func (t Topic) String() string {
	switch t {
	case TopicTxs:
		return "txs"
	case TopicConsensus:
		return "consensus"
	}
	return fmt.Sprintf("Topic(%d)", uint8(t))
}

// TopicName is the pubsub topic name of t on chainID, e.g.
// "/accord/<chain>/consensus/2".
//
// Both topics are at version 2: each travels on a gossipsub instance of
// its own (meshProtocols "txmesh" and "consmesh") whose messages carry no
// author and no libp2p signature, since every payload is signed already: a
// transaction by its sender, a consensus message by its validator, and
// each node verifies that signature before it uses or relays the message.
// Version 1 of both, signed by the publishing host, is still joined and
// delivered for nodes of the previous release (legacyTopicName).
func TopicName(chainID string, t Topic) string {
	return "/accord/" + chainID + "/" + t.String() + "/2"
}

// legacyTopicName is t's topic before it went unsigned: messages there are
// signed by their author's host key (StrictSign) and carry the payload
// unframed.
func legacyTopicName(chainID string, t Topic) string {
	return "/accord/" + chainID + "/" + t.String() + "/1"
}

// Handler receives a gossip message: from is the chain address of the
// peer that delivered it (authenticated by the transport; an unsigned
// message has no author), or on a legacy signed topic the peer that
// authored it. Who wrote the payload is the payload's own signature to
// tell. data must not be modified.
type Handler func(from types.Address, data []byte)

// Validator decides whether a gossip message is valid (decodable, signed,
// for this chain). Messages it refuses are neither delivered nor relayed.
// It runs concurrently for different messages and must not block for long.
type Validator func(from types.Address, data []byte) bool

// Decoder is a Validator that also returns what it decoded. The value
// travels with the message to every DecodedHandler, so a message is
// decoded (and its signature checked) once per node.
type Decoder func(from types.Address, data []byte) (decoded any, ok bool)

// DecodedHandler is a Handler that also gets the value the topic's Decoder
// returned (nil if the topic has a plain Validator or none).
type DecodedHandler func(from types.Address, data []byte, decoded any)

// subscriptionBuffer is the per-subscription queue; pubsub drops messages
// for a subscriber that falls this far behind, so a handler must hand off
// slow work.
const subscriptionBuffer = 4096

// envelopeReserve is what the pubsub envelope (author, sequence number,
// topic name, signature) and RPC framing may add to the data.
const envelopeReserve = 64 << 10

type gossipTopic struct {
	t       Topic
	name    string
	topic   *pubsub.Topic
	events  *pubsub.TopicEventHandler
	decoder atomic.Pointer[Decoder]

	// unsigned: the topic's messages have no author; the peer that
	// delivered one (authenticated by the transport) answers for it.
	unsigned bool
	// relayCheck, if set, runs on an unsigned message from a peer after
	// the decoder accepted it and before it is relayed or delivered; false
	// rejects it. TxGossip admits the batch there, so a node relays only
	// batches it verified in full and a relay is never blamed for what it
	// passed on.
	relayCheck atomic.Pointer[func(relay types.Address, decoded any) bool]
	// framed: Publish puts the host's next sequence number (seqLen bytes)
	// before the data, and validators and subscribers take it off. The
	// consensus engine re-sends its messages byte for byte while a height
	// is undecided, and a message named by its content would otherwise be
	// a duplicate of the first send for as long as pubsub remembers it.
	framed bool
	// legacy is the signed version-1 topic of the same messages, delivered
	// like the main one; legacyEvents and legacyPeers follow who is
	// subscribed there.
	legacy       *pubsub.Topic
	legacyEvents *pubsub.TopicEventHandler
	// legacyPublish: Publish also publishes (signed, unframed) on the
	// legacy topic while some peer is subscribed there but not to the main
	// one: a node of the previous release, which would otherwise not hear
	// this node's consensus messages during a rolling upgrade.
	legacyPublish bool

	peers       map[peer.ID]struct{} // subscribed peers; guarded by Host.mu
	legacyPeers map[peer.ID]struct{} // peers subscribed to legacy; guarded by Host.mu
	mesh        map[peer.ID]struct{} // mesh peers (relayed messages go to them); guarded by Host.mu

	direct atomic.Pointer[DecodedHandler] // HandleDirect's handler

	published, received, rejected atomic.Uint64
	directSent, directReceived    atomic.Uint64
	legacyPublished               atomic.Uint64
}

// seqLen is the length of the sequence number on a framed topic.
const seqLen = 8

// gossipParams tunes gossipsub for a consortium of n members: the mesh
// degree covers (almost) every other member, the heartbeat is fast so a
// reconnected peer is grafted within a tenth of a second, and the message
// cache spans a few seconds of heartbeats.
func gossipParams(n int) pubsub.GossipSubParams {
	d := min(max(n-1, 4), 12)
	p := pubsub.DefaultGossipSubParams()
	p.D = d
	p.Dlo = max(3, d*2/3)
	p.Dhi = 2 * d
	p.Dout = max(1, d/4)
	p.Dscore = d / 2
	p.Dlazy = d
	p.HeartbeatInitialDelay = 10 * time.Millisecond
	p.HeartbeatInterval = 100 * time.Millisecond
	p.HistoryLength = 30
	p.HistoryGossip = 10
	p.PruneBackoff = 10 * time.Second
	p.UnsubscribeBackoff = 5 * time.Second
	return p
}

// meshProtocols are the gossipsub protocol IDs of the mesh called name
// ("meshsub" for the signed legacy topics, "txmesh" and "consmesh" for the
// unsigned instances that carry transaction batches and consensus
// messages), namespaced by chain: the larger message limit and the private
// membership must never meet the public libp2p gossipsub network (see
// pubsub.WithMaxMessageSize).
func meshProtocols(chainID, name string) ([]protocol.ID, pubsub.GossipSubFeatureTest) {
	v12 := protocol.ID("/accord/" + chainID + "/" + name + "/1.2.0")
	v11 := protocol.ID("/accord/" + chainID + "/" + name + "/1.1.0")
	feature := func(f pubsub.GossipSubFeature, p protocol.ID) bool {
		switch f {
		case pubsub.GossipSubFeatureMesh, pubsub.GossipSubFeaturePX:
			return p == v12 || p == v11
		case pubsub.GossipSubFeatureIdontwant:
			return p == v12
		}
		return false
	}
	return []protocol.ID{v12, v11}, feature
}

// contentID names an unsigned message by its data: with no author and no
// sequence number, the default ID (author + seqno) would call every
// message a duplicate. A publisher that means to send the same data again
// makes it differ (TxGossip numbers its batches; a framed topic's host
// numbers every message).
func contentID(m *pubsub_pb.Message) string {
	sum := sha256.Sum256(m.GetData())
	return string(sum[:])
}

func (h *Host) newGossipSub(protos []protocol.ID, feature pubsub.GossipSubFeatureTest, extra ...pubsub.Option) (*pubsub.PubSub, error) {
	opts := append([]pubsub.Option{
		pubsub.WithGossipSubProtocols(protos, feature),
		pubsub.WithGossipSubParams(gossipParams(h.gater.allowSize())),
		pubsub.WithFloodPublish(true),
		pubsub.WithPeerExchange(false),
		pubsub.WithMaxMessageSize(h.cfg.MaxMessageSize),
		pubsub.WithPeerOutboundQueueSize(256),
		pubsub.WithValidateQueueSize(1024),
		pubsub.WithPeerFilter(func(id peer.ID, _ string) bool { return h.gater.permits(id) }),
		pubsub.WithRawTracer((*meshTracer)(h)),
		pubsub.WithLogger(h.cfg.Logger.With("component", "pubsub")), // not h.log: one component key per line
	}, extra...)
	return pubsub.NewGossipSub(h.ctx, h.host, opts...)
}

func (h *Host) startGossip() error {
	h.pubSeq.Store(rand.Uint64()) // so a restarted host's re-sends are not taken for its earlier messages
	// The topic records exist before pubsub starts: its tracer looks them up.
	for _, t := range Topics() {
		h.topics[t-1] = &gossipTopic{
			t: t, name: TopicName(h.cfg.ChainID, t), unsigned: true,
			framed: t == TopicConsensus, legacyPublish: t == TopicConsensus,
			peers: make(map[peer.ID]struct{}), legacyPeers: make(map[peer.ID]struct{}), mesh: make(map[peer.ID]struct{}),
		}
	}
	// The legacy topics keep libp2p's signature: a relayed message names
	// its author, whose membership the validator checks.
	protos, feature := meshProtocols(h.cfg.ChainID, "meshsub")
	ps, err := h.newGossipSub(protos, feature, pubsub.WithMessageSignaturePolicy(pubsub.StrictSign))
	if err != nil {
		return fmt.Errorf("p2p: start gossipsub: %w", err)
	}
	// The current topics go without: signing and verifying a message is a
	// secp256k1 signature over the whole message, in Go, on every node, and
	// authenticates nothing the payload's own signature does not (for
	// transaction batches arriving a few per RPC call it cost about half a
	// transaction's own signature recovery per transaction; for consensus
	// messages about 3 µs a transaction at 500 transactions a block).
	// Transactions and consensus messages get an instance each, so a
	// consensus message never waits in a peer's queue behind transaction
	// batches.
	unsigned := func(name string) (*pubsub.PubSub, error) {
		protos, feature := meshProtocols(h.cfg.ChainID, name)
		return h.newGossipSub(protos, feature,
			pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign), pubsub.WithNoAuthor(), pubsub.WithMessageIdFn(contentID))
	}
	pst, err := unsigned("txmesh")
	if err != nil {
		return fmt.Errorf("p2p: start transaction gossipsub: %w", err)
	}
	psc, err := unsigned("consmesh")
	if err != nil {
		return fmt.Errorf("p2p: start consensus gossipsub: %w", err)
	}
	for _, gt := range h.topics {
		on := pst
		if gt.t == TopicConsensus {
			on = psc
		}
		if err := on.RegisterTopicValidator(gt.name, h.validator(gt, gt.unsigned, gt.framed)); err != nil {
			return fmt.Errorf("p2p: topic %s validator: %w", gt.name, err)
		}
		if gt.topic, err = on.Join(gt.name); err != nil {
			return fmt.Errorf("p2p: join %s: %w", gt.name, err)
		}
		name := legacyTopicName(h.cfg.ChainID, gt.t)
		if err := ps.RegisterTopicValidator(name, h.validator(gt, false, false)); err != nil {
			return fmt.Errorf("p2p: topic %s validator: %w", name, err)
		}
		if gt.legacy, err = ps.Join(name); err != nil {
			return fmt.Errorf("p2p: join %s: %w", name, err)
		}
		// Relaying subscribes the host to the topic without a local
		// subscriber, so it is part of the mesh from the start.
		if _, err = gt.legacy.Relay(); err != nil {
			return fmt.Errorf("p2p: relay %s: %w", name, err)
		}
		if _, err = gt.topic.Relay(); err != nil {
			return fmt.Errorf("p2p: relay %s: %w", gt.name, err)
		}
		if gt.events, err = gt.topic.EventHandler(); err != nil {
			return fmt.Errorf("p2p: events of %s: %w", gt.name, err)
		}
		if gt.legacyEvents, err = gt.legacy.EventHandler(); err != nil {
			return fmt.Errorf("p2p: events of %s: %w", name, err)
		}
		h.wg.Add(2)
		go h.watchTopic(gt.events, gt.peers)
		go h.watchTopic(gt.legacyEvents, gt.legacyPeers)
	}
	return nil
}

func (h *Host) stopGossip() {
	for _, gt := range h.topics {
		if gt == nil {
			continue
		}
		for _, ev := range []*pubsub.TopicEventHandler{gt.events, gt.legacyEvents} {
			if ev != nil {
				ev.Cancel()
			}
		}
	}
}

// watchTopic tracks in peers (guarded by h.mu) which peers are subscribed
// to a topic.
func (h *Host) watchTopic(events *pubsub.TopicEventHandler, peers map[peer.ID]struct{}) {
	defer h.wg.Done()
	for {
		ev, err := events.NextPeerEvent(h.ctx)
		if err != nil {
			return
		}
		h.mu.Lock()
		switch ev.Type {
		case pubsub.PeerJoin:
			peers[ev.Peer] = struct{}{}
		case pubsub.PeerLeave:
			delete(peers, ev.Peer)
		}
		h.mu.Unlock()
		h.notify()
	}
}

// legacyOnly reports whether some peer is subscribed to gt's legacy topic
// but not to its main one: a node of the previous release.
func (h *Host) legacyOnly(gt *gossipTopic) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for id := range gt.legacyPeers {
		if _, ok := gt.peers[id]; !ok {
			return true
		}
	}
	return false
}

// validator wraps the caller's Validator with the membership rule: a
// message authored by a peer outside the allow-list is rejected even when
// an allow-listed peer relays it. An unsigned message has no author: the
// relaying peer must be a member, and it is the one the decoder is told of.
// On a framed topic the decoder gets the data without its sequence number.
func (h *Host) validator(gt *gossipTopic, unsigned, framed bool) pubsub.ValidatorEx {
	return func(_ context.Context, via peer.ID, m *pubsub.Message) pubsub.ValidationResult {
		local := via == h.self
		from := h.selfAddr
		data := m.Data
		if framed {
			if len(data) < seqLen {
				gt.rejected.Add(1)
				h.validated(gt.t, h.addrOrZero(via), false)
				return pubsub.ValidationReject
			}
			data = data[seqLen:]
		}
		if !local {
			author := m.GetFrom()
			if unsigned {
				author = via
			}
			a, err := h.addrs.get(author)
			if err != nil || !h.gater.allowedAddr(a) || !h.gater.permits(via) {
				gt.rejected.Add(1)
				h.log.Debug("gossip rejected: author or relay not allowed", "topic", gt.t, "peer", via, "author", author)
				h.validated(gt.t, a, false)
				return pubsub.ValidationReject
			}
			from = a
		}
		if d := gt.decoder.Load(); d != nil {
			decoded, ok := (*d)(from, data)
			if !ok {
				if !local {
					gt.rejected.Add(1)
					h.log.Debug("gossip rejected by validator", "topic", gt.t, "peer", via, "addr", from)
				}
				h.validated(gt.t, from, false)
				return pubsub.ValidationReject
			}
			m.ValidatorData = decoded
		}
		if rc := gt.relayCheck.Load(); rc != nil && unsigned && !local && !(*rc)(from, m.ValidatorData) {
			gt.rejected.Add(1)
			h.validated(gt.t, from, false)
			return pubsub.ValidationReject
		}
		if !local {
			gt.received.Add(1)
		}
		h.validated(gt.t, from, true)
		return pubsub.ValidationAccept
	}
}

// addrOrZero is the chain address of id, or the zero address if unknown.
func (h *Host) addrOrZero(id peer.ID) types.Address {
	a, _ := h.addrs.get(id)
	return a
}

func (h *Host) validated(t Topic, from types.Address, ok bool) {
	if f := h.onValidated.Load(); f != nil {
		(*f)(t, from, ok)
	}
}

func (h *Host) topic(t Topic) (*gossipTopic, error) {
	if !t.valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownTopic, uint8(t))
	}
	if h.isClosed() {
		return nil, ErrClosed
	}
	return h.topics[t-1], nil
}

// MaxPayload is the largest data Publish accepts.
func (h *Host) MaxPayload() int { return h.cfg.MaxMessageSize - envelopeReserve }

// Publish gossips data on topic t, unsigned: the payload must carry its
// own signature, which receivers check in the topic's Decoder. The
// topic's own Validator, if set, checks it first (ErrRejected). Publishing
// with no peers subscribed is not an error: the message is simply not
// delivered, as with any loss the consensus layer already tolerates.
// While a peer of the previous release listens on the legacy consensus
// topic only, consensus messages are published there too, signed with the
// host's key.
func (h *Host) Publish(t Topic, data []byte) error {
	gt, err := h.topic(t)
	if err != nil {
		return err
	}
	if len(data) > h.MaxPayload() {
		return fmt.Errorf("%w: %d bytes on %s, limit %d", ErrMessageTooLarge, len(data), t, h.MaxPayload())
	}
	payload := data
	if gt.framed {
		payload = make([]byte, seqLen+len(data))
		binary.BigEndian.PutUint64(payload, h.pubSeq.Add(1))
		copy(payload[seqLen:], data)
	}
	if err := h.publishOn(gt.topic, t, payload); err != nil {
		return err
	}
	gt.published.Add(1)
	if gt.legacyPublish && h.legacyOnly(gt) {
		if err := h.publishOn(gt.legacy, t, data); err != nil {
			h.log.Debug("publish on the legacy topic", "topic", t, "err", err)
		} else {
			gt.legacyPublished.Add(1)
		}
	}
	return nil
}

func (h *Host) publishOn(topic *pubsub.Topic, t Topic, data []byte) error {
	if err := topic.Publish(h.ctx, data); err != nil {
		var ve pubsub.ValidationError
		switch {
		case errors.As(err, &ve):
			return fmt.Errorf("%w: %s", ErrRejected, t)
		case h.ctx.Err() != nil:
			return ErrClosed
		}
		return fmt.Errorf("p2p: publish on %s: %w", t, err)
	}
	return nil
}

// Subscribe calls handler for every valid message on topic t authored by
// another node. Messages this host published are not delivered back.
// handler runs on one goroutine per Subscribe call, in arrival order; it
// must return quickly (a subscriber that falls behind loses messages), so
// hand heavy work to a queue. Subscriptions end with Close.
func (h *Host) Subscribe(t Topic, handler Handler) error {
	if handler == nil {
		return fmt.Errorf("p2p: subscribe to %s: nil handler", t)
	}
	return h.SubscribeDecoded(t, func(from types.Address, data []byte, _ any) { handler(from, data) })
}

// SubscribeDecoded is Subscribe for a topic with a Decoder: handler also
// gets the decoded value.
func (h *Host) SubscribeDecoded(t Topic, handler DecodedHandler) error {
	gt, err := h.topic(t)
	if err != nil {
		return err
	}
	if handler == nil {
		return fmt.Errorf("p2p: subscribe to %s: nil handler", t)
	}
	if err := h.subscribeOn(gt.topic, t, gt.unsigned, gt.framed, handler); err != nil {
		return err
	}
	return h.subscribeOn(gt.legacy, t, false, false, handler)
}

func (h *Host) subscribeOn(topic *pubsub.Topic, t Topic, unsigned, framed bool, handler DecodedHandler) error {
	sub, err := topic.Subscribe(pubsub.WithBufferSize(subscriptionBuffer))
	if err != nil {
		return fmt.Errorf("p2p: subscribe to %s: %w", t, err)
	}
	ok := h.goTracked(func() {
		defer sub.Cancel()
		for {
			m, err := sub.Next(h.ctx)
			if err != nil {
				return
			}
			if m.ReceivedFrom == h.self {
				continue
			}
			author := m.GetFrom()
			if unsigned {
				author = m.ReceivedFrom
			}
			from, err := h.addrs.get(author)
			if err != nil {
				continue // the validator already refused such authors
			}
			data := m.Data
			if framed {
				data = data[seqLen:] // the validator refused anything shorter
			}
			handler(from, data, m.ValidatorData)
		}
	})
	if !ok {
		sub.Cancel()
		return ErrClosed
	}
	return nil
}

// setRelayCheck installs gt.relayCheck for topic t (see gossipTopic).
func (h *Host) setRelayCheck(t Topic, f func(relay types.Address, decoded any) bool) error {
	gt, err := h.topic(t)
	if err != nil {
		return err
	}
	gt.relayCheck.Store(&f)
	return nil
}

// SetValidator installs v as the validator of topic t, replacing any
// previous one; nil removes it. It applies to messages from peers and to
// this host's own Publish.
func (h *Host) SetValidator(t Topic, v Validator) error {
	if v == nil {
		return h.SetDecoder(t, nil)
	}
	return h.SetDecoder(t, func(from types.Address, data []byte) (any, bool) { return nil, v(from, data) })
}

// SetDecoder is SetValidator for a validator that also decodes: what it
// returns reaches SubscribeDecoded handlers with the message. It replaces
// any Validator or Decoder of topic t; nil removes it.
func (h *Host) SetDecoder(t Topic, d Decoder) error {
	gt, err := h.topic(t)
	if err != nil {
		return err
	}
	if d == nil {
		gt.decoder.Store(nil)
	} else {
		gt.decoder.Store(&d)
	}
	return nil
}

// TopicPeers returns the addresses of the peers subscribed to topic t.
func (h *Host) TopicPeers(t Topic) []types.Address {
	gt, err := h.topic(t)
	if err != nil {
		return nil
	}
	h.mu.Lock()
	ids := make([]peer.ID, 0, len(gt.peers))
	for id := range gt.peers {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	return h.addrsOf(ids)
}

// MeshPeers returns the addresses of the peers in this host's gossipsub
// mesh for topic t: those it forwards other nodes' messages to. (Its own
// messages go to every subscribed peer.)
func (h *Host) MeshPeers(t Topic) []types.Address {
	gt, err := h.topic(t)
	if err != nil {
		return nil
	}
	h.mu.Lock()
	ids := make([]peer.ID, 0, len(gt.mesh))
	for id := range gt.mesh {
		ids = append(ids, id)
	}
	h.mu.Unlock()
	return h.addrsOf(ids)
}

func (h *Host) addrsOf(ids []peer.ID) []types.Address {
	out := make([]types.Address, 0, len(ids))
	for _, id := range ids {
		if a, err := h.addrs.get(id); err == nil {
			out = append(out, a)
		}
	}
	slices.SortFunc(out, func(a, b types.Address) int { return bytes.Compare(a[:], b[:]) })
	return out
}

// WaitTopicPeers blocks until at least n peers are subscribed to topic t
// (so a Publish reaches them), ctx ends or the host closes. A node may use
// it at start before its first proposal.
func (h *Host) WaitTopicPeers(ctx context.Context, t Topic, n int) error {
	gt, err := h.topic(t)
	if err != nil {
		return err
	}
	for {
		ch := h.changes()
		h.mu.Lock()
		have := len(gt.peers)
		h.mu.Unlock()
		if have >= n {
			return nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return fmt.Errorf("p2p: %d of %d peers on %s: %w", have, n, t, ctx.Err())
		case <-h.ctx.Done():
			return ErrClosed
		}
	}
}
