package p2p

import (
	"context"
	"fmt"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/accordnet/accord/types"
)

// Direct messages: one message of a topic sent to one connected peer on a
// stream of its own (protocol /accord/<chain>/direct/1) instead of gossiped
// to all. The stream carries one frame — kind = the topic, body = the data
// — and ends. The receiver checks the sender as gossip does (allow-list,
// then the topic's Decoder, with the stream's authenticated peer as the
// author) and hands the message to the topic's DirectHandler. A consensus
// engine uses it to answer one lagging validator with a block-sized
// message the others do not need.

// directTimeout bounds one direct send and the receiving side's read.
const directTimeout = 10 * time.Second

func (h *Host) directProtocol() protocol.ID { return h.bw.directProto }

// HandleDirect installs handler for direct messages on topic t, replacing
// any previous one; nil removes it (direct messages are then dropped).
// handler runs on the receiving stream's goroutine, concurrently for
// concurrent senders, so it must be safe for concurrent use and return
// quickly.
func (h *Host) HandleDirect(t Topic, handler DecodedHandler) error {
	gt, err := h.topic(t)
	if err != nil {
		return err
	}
	if handler == nil {
		gt.direct.Store(nil)
	} else {
		gt.direct.Store(&handler)
	}
	return nil
}

// SendTo sends data on topic t to the connected peer addr alone. It fails
// with ErrNotConnected if there is no connection to addr (the caller may
// gossip instead), ErrMessageTooLarge above MaxPayload, and otherwise when
// the stream cannot be opened or written before ctx ends. Success means the
// data was written, not that the peer accepted it.
func (h *Host) SendTo(ctx context.Context, addr types.Address, t Topic, data []byte) error {
	gt, err := h.topic(t)
	if err != nil {
		return err
	}
	if len(data) > h.MaxPayload() {
		return fmt.Errorf("%w: %d bytes on %s, limit %d", ErrMessageTooLarge, len(data), t, h.MaxPayload())
	}
	id, ok := h.peerID(addr)
	if !ok {
		return fmt.Errorf("%w: %s", ErrNotConnected, addr)
	}
	ctx, cancel := context.WithTimeout(ctx, directTimeout)
	defer cancel()
	s, err := h.host.NewStream(ctx, id, h.directProtocol())
	if err != nil {
		return fmt.Errorf("p2p: open direct stream to %s: %w", addr, err)
	}
	if d, ok := ctx.Deadline(); ok {
		_ = s.SetDeadline(d)
	}
	if err := writeFrame(s, byte(t), data); err != nil {
		_ = s.Reset()
		return fmt.Errorf("p2p: direct %s message to %s: %w", t, addr, err)
	}
	if err := s.Close(); err != nil {
		return fmt.Errorf("p2p: direct %s message to %s: %w", t, addr, err)
	}
	gt.directSent.Add(1)
	return nil
}

// serveDirect receives one direct message.
func (h *Host) serveDirect(s network.Stream) {
	remote := s.Conn().RemotePeer()
	from, err := h.addrs.get(remote)
	if err != nil || !h.gater.permits(remote) || !h.gater.allowedAddr(from) {
		_ = s.Reset()
		return
	}
	_ = s.SetDeadline(time.Now().Add(directTimeout))
	kind, data, _, err := readFrame(s, h.cfg.MaxMessageSize)
	if err != nil {
		h.log.Debug("direct message unreadable", "peer", remote, "addr", from, "err", err)
		_ = s.Reset()
		return
	}
	_ = s.Close()
	t := Topic(kind)
	gt, err := h.topic(t)
	if err != nil {
		h.log.Debug("direct message on unknown topic", "peer", remote, "addr", from, "topic", kind)
		return
	}
	var decoded any
	if d := gt.decoder.Load(); d != nil {
		var ok bool
		if decoded, ok = (*d)(from, data); !ok {
			gt.rejected.Add(1)
			h.log.Debug("direct message rejected by validator", "topic", t, "addr", from)
			h.validated(t, from, false)
			return
		}
	}
	gt.directReceived.Add(1)
	h.validated(t, from, true)
	if hd := gt.direct.Load(); hd != nil {
		(*hd)(from, data, decoded)
	}
}
