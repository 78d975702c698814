package p2p

import (
	"strings"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/metrics"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// Protocol classes that byte counts are kept under.
const (
	classGossip = iota
	classSync
	classOther
	numClasses
)

var classNames = [numClasses]string{"gossip", "sync", "other"}

// byteCounter is the swarm's bandwidth reporter: exact, lock-free byte
// totals per direction and protocol class, readable at once (libp2p's
// BandwidthCounter only publishes totals on a one-second sweep, and keeps
// per-peer meters the host does not need).
type byteCounter struct {
	syncProto   protocol.ID
	directProto protocol.ID // direct messages count as gossip
	meshPfx     []string    // gossipsub protocol IDs of each instance, less their version
	in, out     [numClasses]atomic.Uint64
}

var _ metrics.Reporter = (*byteCounter)(nil)

func newByteCounter(chainID string) *byteCounter {
	return &byteCounter{
		syncProto:   protocol.ID("/accord/" + chainID + "/sync/1"),
		directProto: protocol.ID("/accord/" + chainID + "/direct/1"),
		meshPfx: []string{
			"/accord/" + chainID + "/meshsub/",
			"/accord/" + chainID + "/txmesh/",
			"/accord/" + chainID + "/consmesh/",
		},
	}
}

func (c *byteCounter) class(p protocol.ID) int {
	switch {
	case p == c.syncProto:
		return classSync
	case p == c.directProto:
		return classGossip
	}
	for _, pfx := range c.meshPfx {
		if strings.HasPrefix(string(p), pfx) {
			return classGossip
		}
	}
	return classOther
}

func (c *byteCounter) totals() (in, out uint64) {
	for i := range numClasses {
		in += c.in[i].Load()
		out += c.out[i].Load()
	}
	return in, out
}

// The per-stream calls carry the protocol; the plain ones duplicate them
// and are ignored.
func (c *byteCounter) LogSentMessage(int64) {}
func (c *byteCounter) LogRecvMessage(int64) {}
func (c *byteCounter) LogSentMessageStream(n int64, p protocol.ID, _ peer.ID) {
	if n > 0 {
		c.out[c.class(p)].Add(uint64(n))
	}
}
func (c *byteCounter) LogRecvMessageStream(n int64, p protocol.ID, _ peer.ID) {
	if n > 0 {
		c.in[c.class(p)].Add(uint64(n))
	}
}

func (c *byteCounter) GetBandwidthTotals() metrics.Stats {
	in, out := c.totals()
	return metrics.Stats{TotalIn: int64(in), TotalOut: int64(out)}
}
func (c *byteCounter) GetBandwidthForPeer(peer.ID) metrics.Stats         { return metrics.Stats{} }
func (c *byteCounter) GetBandwidthForProtocol(protocol.ID) metrics.Stats { return metrics.Stats{} }
func (c *byteCounter) GetBandwidthByPeer() map[peer.ID]metrics.Stats     { return nil }
func (c *byteCounter) GetBandwidthByProtocol() map[protocol.ID]metrics.Stats {
	return nil
}
func (c *byteCounter) Reset()             {}
func (c *byteCounter) TrimIdle(time.Time) {}
