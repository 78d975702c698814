package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/accordnet/accord/types"
)

// Snapshot protocol: a node joining by state snapshot asks peers for their
// newest snapshot offer (the manifest and, from a validator, its signature
// over it) and then for chunks by height and index. Same frames as block
// sync (wire.go), on a protocol of its own so a chunk transfer never queues
// behind block sync:
//
//	offer request    (empty)
//	chunk request    height uint64 | index uint32
//	offer            manifest length uint32 | manifest | signature
//	chunk            chunk bytes
//
// p2p neither decodes nor verifies manifests or chunks: the joiner checks
// the manifest's signatures and every chunk's hash against it.
const (
	kindOfferReq byte = 0x03
	kindChunkReq byte = 0x04
	kindOffer    byte = 0x14
	kindChunk    byte = 0x15
)

// Snapshot limits: a manifest lists 32 bytes per chunk, so MaxManifest
// covers 256k chunks of 1 MiB; a chunk is at most ledger's chunk limit.
const (
	MaxSnapshotManifest = 8 << 20
	MaxSnapshotChunk    = 16 << 20
	maxSnapshotServes   = 4
)

// SnapshotSource serves snapshots: the newest offer and chunks of it. It
// must be safe for concurrent use.
type SnapshotSource interface {
	LatestSnapshot() (manifest, sig []byte, ok bool)
	SnapshotChunk(height uint64, index uint32) ([]byte, error)
}

type snapState struct {
	once   sync.Once
	source atomic.Pointer[snapBox]
	sem    chan struct{}
}

type snapBox struct{ SnapshotSource }

func (h *Host) snapshotProtocol() protocol.ID {
	return protocol.ID("/accord/" + h.cfg.ChainID + "/snapshot/1")
}

// SetSnapshotSource starts serving snapshots from src (nil: stop serving;
// requests are then answered "unavailable").
func (h *Host) SetSnapshotSource(src SnapshotSource) {
	if src == nil {
		h.snap.source.Store(nil)
	} else {
		h.snap.source.Store(&snapBox{src})
	}
	h.snap.once.Do(func() {
		h.snap.sem = make(chan struct{}, maxSnapshotServes)
		h.host.SetStreamHandler(h.snapshotProtocol(), h.serveSnapshot)
	})
}

func (h *Host) serveSnapshot(s network.Stream) {
	remote := s.Conn().RemotePeer()
	if !h.gater.permits(remote) {
		_ = s.Reset()
		return
	}
	_ = s.SetDeadline(time.Now().Add(h.cfg.SyncTimeout))
	w := bufio.NewWriterSize(s, 64<<10)
	err := h.answerSnapshot(s, w)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		h.log.Debug("snapshot: request failed", "peer", remote, "err", err)
		_ = s.Reset()
		return
	}
	_ = s.Close()
}

func (h *Host) answerSnapshot(r io.Reader, w io.Writer) error {
	kind, body, _, err := readFrame(r, maxRequestFrame)
	if err != nil {
		return err
	}
	select {
	case h.snap.sem <- struct{}{}:
		defer func() { <-h.snap.sem }()
	default:
		return writeFrame(w, kindError, encodeError(codeBusy, "too many snapshot requests"))
	}
	box := h.snap.source.Load()
	if box == nil {
		return writeFrame(w, kindError, encodeError(codeUnavailable, "no snapshots"))
	}
	switch kind {
	case kindOfferReq:
		m, sig, ok := box.LatestSnapshot()
		if !ok {
			return writeFrame(w, kindError, encodeError(codeUnavailable, "no snapshot yet"))
		}
		if len(m) > MaxSnapshotManifest || len(sig) > maxRequestFrame*2 {
			return writeFrame(w, kindError, encodeError(codeInternal, "snapshot manifest too large"))
		}
		return writeFrame(w, kindOffer, binary.BigEndian.AppendUint32(nil, uint32(len(m))), m, sig)
	case kindChunkReq:
		if len(body) != 12 {
			return writeFrame(w, kindError, encodeError(codeBadRequest, "chunk request of the wrong size"))
		}
		height, index := binary.BigEndian.Uint64(body[:8]), binary.BigEndian.Uint32(body[8:])
		data, err := box.SnapshotChunk(height, index)
		if err != nil {
			return writeFrame(w, kindError, encodeError(codeUnavailable, err.Error()))
		}
		if len(data) > MaxSnapshotChunk {
			return writeFrame(w, kindError, encodeError(codeInternal, "chunk too large"))
		}
		return writeFrame(w, kindChunk, data)
	}
	return writeFrame(w, kindError, encodeError(codeBadRequest, fmt.Sprintf("unknown request kind %#x", kind)))
}

// snapshotExchange sends one request and reads the one frame of the answer.
func (h *Host) snapshotExchange(ctx context.Context, addr types.Address, kind byte, body []byte, want byte, limit int) ([]byte, error) {
	s, ctx, release, err := h.requestOn(ctx, h.snapshotProtocol(), addr, kind, body)
	if err != nil {
		return nil, err
	}
	defer release()
	k, resp, _, err := readFrame(bufio.NewReaderSize(s, 64<<10), limit)
	if err == nil {
		switch k {
		case want:
		case kindError:
			err = decodeError(resp)
		default:
			err = fmt.Errorf("%w: frame kind %#x in a snapshot response", ErrMalformed, k)
		}
	}
	if err != nil {
		_ = s.Reset()
		return nil, streamErr(ctx, addr, err)
	}
	_ = s.Close()
	return resp, nil
}

// SnapshotOffer asks a connected peer for its newest snapshot: the encoded
// manifest and the peer's signature over it (empty if it signs none).
// Neither is verified here.
func (h *Host) SnapshotOffer(ctx context.Context, addr types.Address) (manifest, sig []byte, err error) {
	body, err := h.snapshotExchange(ctx, addr, kindOfferReq, nil, kindOffer, 4+MaxSnapshotManifest+1+maxRequestFrame*2)
	if err != nil {
		return nil, nil, err
	}
	if len(body) < 4 {
		return nil, nil, fmt.Errorf("%w: %s: short offer", ErrMalformed, addr)
	}
	n := binary.BigEndian.Uint32(body[:4])
	if uint64(n) > uint64(len(body)-4) || n == 0 {
		return nil, nil, fmt.Errorf("%w: %s: manifest length %d exceeds the offer", ErrMalformed, addr, n)
	}
	return body[4 : 4+n], body[4+n:], nil
}

// SnapshotChunk asks a connected peer for chunk index of its snapshot at
// height. The chunk is not verified here.
func (h *Host) SnapshotChunk(ctx context.Context, addr types.Address, height uint64, index uint32) ([]byte, error) {
	req := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint64(nil, height), index)
	return h.snapshotExchange(ctx, addr, kindChunkReq, req, kindChunk, 1+MaxSnapshotChunk)
}
