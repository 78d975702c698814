package p2p

import (
	"time"

	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// meshTracer follows gossipsub's mesh (which peers a host forwards
// relayed messages to) and counts RPCs dropped on full peer queues. Its
// methods run on pubsub's event loop and must not block.
type meshTracer Host

var _ pubsub.RawTracer = (*meshTracer)(nil)

func (m *meshTracer) Graft(p peer.ID, topic string) { (*Host)(m).meshUpdate(topic, p, true) }
func (m *meshTracer) Prune(p peer.ID, topic string) { (*Host)(m).meshUpdate(topic, p, false) }
func (m *meshTracer) DropRPC(*pubsub.RPC, peer.ID)  { m.stats.rpcDropped.Add(1) }

func (m *meshTracer) OnNewOutboundStream(peer.ID, protocol.ID)             {}
func (m *meshTracer) OnClosedOutboundStream(peer.ID)                       {}
func (m *meshTracer) Join(string)                                          {}
func (m *meshTracer) Leave(string)                                         {}
func (m *meshTracer) ValidateMessage(*pubsub.Message)                      {}
func (m *meshTracer) DeliverMessage(*pubsub.Message)                       {}
func (m *meshTracer) RejectMessage(*pubsub.Message, string)                {}
func (m *meshTracer) DuplicateMessage(*pubsub.Message)                     {}
func (m *meshTracer) ThrottlePeer(peer.ID)                                 {}
func (m *meshTracer) RecvRPC(*pubsub.RPC)                                  {}
func (m *meshTracer) SendRPC(*pubsub.RPC, peer.ID)                         {}
func (m *meshTracer) SendRPCCompleted(*pubsub.RPC, peer.ID, time.Duration) {}
func (m *meshTracer) UndeliverableMessage(*pubsub.Message)                 {}

func (h *Host) meshUpdate(topic string, p peer.ID, in bool) {
	for _, gt := range h.topics {
		if gt == nil || gt.name != topic {
			continue
		}
		h.mu.Lock()
		if in {
			gt.mesh[p] = struct{}{}
		} else {
			delete(gt.mesh, p)
		}
		h.mu.Unlock()
		h.notify()
		return
	}
}

// meshForget drops a disconnected peer from every mesh: gossipsub removes
// it without a Prune.
func (h *Host) meshForget(p peer.ID) {
	h.mu.Lock()
	for _, gt := range h.topics {
		if gt != nil {
			delete(gt.mesh, p)
		}
	}
	h.mu.Unlock()
}
