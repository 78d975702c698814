package p2p

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"

	"github.com/accordnet/accord/types"
)

// BlockSource is what the serving side of block sync reads from: the
// node's block store. Block and cert are the encoded block and its commit
// certificate at height h; the p2p layer neither decodes nor verifies them.
// BlockWithCert must be safe for concurrent use.
type BlockSource interface {
	Height() uint64
	BlockWithCert(h uint64) (block []byte, cert []byte, err error)
}

// SyncedBlock is one block received by FetchBlocks, unverified.
type SyncedBlock struct {
	Height uint64
	Block  []byte
	Cert   []byte
}

// maxConcurrentServes bounds the sync streams one host serves at once;
// requests beyond it get ErrBusy and should try another peer.
const maxConcurrentServes = 8

type syncState struct {
	source atomic.Pointer[sourceBox]
	sem    chan struct{}
}

type sourceBox struct{ BlockSource }

func (s *syncState) init(src BlockSource) {
	s.sem = make(chan struct{}, maxConcurrentServes)
	if src != nil {
		s.source.Store(&sourceBox{src})
	}
}

// syncBudget is MaxSyncResponseBytes; tests lower it to exercise the cut
// without moving 32 MiB.
func (h *Host) syncBudget() int {
	if h.cfg.syncBudget > 0 {
		return h.cfg.syncBudget
	}
	return MaxSyncResponseBytes
}

// SetBlockSource sets (or with nil, removes) the store block-sync requests
// are served from.
func (h *Host) SetBlockSource(src BlockSource) {
	if src == nil {
		h.sync.source.Store(nil)
		return
	}
	h.sync.source.Store(&sourceBox{src})
}

func (h *Host) syncProtocol() protocol.ID { return h.bw.syncProto }

// serveSync answers one sync request.
func (h *Host) serveSync(s network.Stream) {
	remote := s.Conn().RemotePeer()
	if !h.gater.permits(remote) {
		_ = s.Reset()
		return
	}
	_ = s.SetDeadline(time.Now().Add(h.cfg.SyncTimeout))
	log := h.log.With("peer", remote)
	if addr, err := h.addrs.get(remote); err == nil {
		log = log.With("addr", addr)
	}

	w := bufio.NewWriterSize(s, 64<<10)
	err := h.handleRequest(s, w, log)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		log.Debug("sync: request failed", "err", err)
		_ = s.Reset()
		return
	}
	_ = s.Close()
}

// handleRequest reads one request frame from r and writes the answer to w.
// An unreadable request is an error (the stream is reset); a readable but
// unservable one is answered with an error frame.
func (h *Host) handleRequest(r io.Reader, w io.Writer, log *slog.Logger) error {
	// The transaction-fetch request is the only large one; the others
	// check their exact length.
	kind, body, _, err := readFrame(r, max(maxRequestFrame, maxTxsRequestFrame))
	if err != nil {
		return err
	}
	return h.answer(w, kind, body, log)
}

func (h *Host) answer(w io.Writer, kind byte, body []byte, log *slog.Logger) error {
	select {
	case h.sync.sem <- struct{}{}:
		defer func() { <-h.sync.sem }()
	default:
		return writeFrame(w, kindError, encodeError(codeBusy, "too many sync requests"))
	}
	h.stats.syncRequests.Add(1)
	box := h.sync.source.Load()
	switch kind {
	case kindStatusReq:
		if len(body) != 0 {
			return writeFrame(w, kindError, encodeError(codeBadRequest, "status request with a body"))
		}
		if box == nil {
			return writeFrame(w, kindError, encodeError(codeUnavailable, "no block source"))
		}
		return writeFrame(w, kindStatus, encodeUint64(box.Height()))
	case kindBlocksReq:
		from, to, err := decodeRange(body)
		if err != nil {
			return writeFrame(w, kindError, encodeError(codeBadRequest, err.Error()))
		}
		if from > to {
			return writeFrame(w, kindError, encodeError(codeBadRequest, fmt.Sprintf("from %d > to %d", from, to)))
		}
		if box == nil {
			return writeFrame(w, kindError, encodeError(codeUnavailable, "no block source"))
		}
		return h.serveBlocks(w, box, from, to, log)
	case kindTxsReq:
		return h.serveTxs(w, body, log)
	}
	return writeFrame(w, kindError, encodeError(codeBadRequest, fmt.Sprintf("unknown request kind %#x", kind)))
}

// serveBlocks writes blocks from..to, cut at the local height, at
// MaxSyncBlocks, and at MaxSyncResponseBytes (a lone block may exceed it).
// A gap in the store ends the batch early; the requester asks again.
func (h *Host) serveBlocks(w io.Writer, src BlockSource, from, to uint64, log *slog.Logger) error {
	height := src.Height()
	if from > height {
		return writeFrame(w, kindError, encodeError(codeUnavailable, fmt.Sprintf("height is %d", height)))
	}
	last := min(to, height)
	count := min(last-from, MaxSyncBlocks-1) + 1
	total := 0
	for i := uint64(0); i < count; i++ {
		ht := from + i
		block, cert, err := src.BlockWithCert(ht)
		if err == nil && len(block) == 0 {
			err = errors.New("empty block")
		}
		if err != nil {
			if i == 0 {
				return writeFrame(w, kindError, encodeError(codeUnavailable, fmt.Sprintf("block %d: %v", ht, err)))
			}
			log.Debug("sync: batch cut short", "height", ht, "err", err)
			break
		}
		size := blockFrameHeader + len(block) + len(cert)
		if size > MaxSyncFrame {
			if i == 0 {
				return writeFrame(w, kindError, encodeError(codeInternal, fmt.Sprintf("block %d is %d bytes, above the frame limit", ht, size)))
			}
			break
		}
		if i > 0 && total+size > h.syncBudget() {
			break
		}
		if err := writeFrame(w, kindBlock, blockHeader(ht, block), block, cert); err != nil {
			return err
		}
		total += size
		h.stats.syncBlocksServed.Add(1)
	}
	return writeFrame(w, kindEnd)
}

// peerID returns the ID of a connected peer with chain address addr.
func (h *Host) peerID(addr types.Address) (peer.ID, bool) {
	for _, id := range h.host.Network().Peers() {
		if a, err := h.addrs.get(id); err == nil && a == addr {
			return id, true
		}
	}
	return "", false
}

// request opens a sync stream to addr, sends one request frame and returns
// the stream with its deadline set, and the context bounding the exchange.
// release must be called when done.
func (h *Host) request(ctx context.Context, addr types.Address, kind byte, body []byte) (s network.Stream, _ context.Context, release func(), err error) {
	return h.requestOn(ctx, h.syncProtocol(), addr, kind, body)
}

// requestOn is request over protocol proto.
func (h *Host) requestOn(ctx context.Context, proto protocol.ID, addr types.Address, kind byte, body []byte) (s network.Stream, _ context.Context, release func(), err error) {
	if h.isClosed() {
		return nil, nil, nil, ErrClosed
	}
	id, ok := h.peerID(addr)
	if !ok {
		return nil, nil, nil, fmt.Errorf("%w: %s", ErrNotConnected, addr)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(h.cfg.SyncTimeout)
	}
	ctx, cancel := context.WithDeadline(ctx, deadline)
	// The stream lives in its own variable, not the named result: the
	// AfterFunc below may still be running when an error return sets the
	// result to nil.
	stream, err := h.host.NewStream(ctx, id, proto)
	if err != nil {
		cancel()
		return nil, nil, nil, fmt.Errorf("p2p: open sync stream to %s: %w", addr, err)
	}
	_ = stream.SetDeadline(deadline)
	// Cancelling ctx aborts reads and writes in flight.
	stop := context.AfterFunc(ctx, func() { _ = stream.Reset() })
	release = func() {
		stop()
		cancel()
	}
	if err := writeFrame(stream, kind, body); err != nil {
		_ = stream.Reset()
		release()
		return nil, nil, nil, fmt.Errorf("p2p: sync request to %s: %w", addr, err)
	}
	_ = stream.CloseWrite()
	return stream, ctx, release, nil
}

// streamErr explains a failed exchange: a protocol error as it is, an I/O
// error by the context's reason if it ended, and a premature end of stream
// as ErrMalformed.
func streamErr(ctx context.Context, addr types.Address, err error) error {
	for _, sentinel := range []error{ErrMalformed, ErrBadRequest, ErrUnavailable, ErrBusy, ErrRemote} {
		if errors.Is(err, sentinel) {
			return fmt.Errorf("%s: %w", addr, err)
		}
	}
	if ctx.Err() != nil {
		return fmt.Errorf("p2p: sync with %s: %w", addr, ctx.Err())
	}
	// The stream deadline is the context's deadline; its timer may fire
	// first.
	var te interface{ Timeout() bool }
	if errors.As(err, &te) && te.Timeout() {
		return fmt.Errorf("p2p: sync with %s: %w (%v)", addr, context.DeadlineExceeded, err)
	}
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: %s: response ended early", ErrMalformed, addr)
	}
	return fmt.Errorf("p2p: sync with %s: %w", addr, err)
}

// PeerHeight asks a connected peer for the height of its block store.
func (h *Host) PeerHeight(ctx context.Context, addr types.Address) (uint64, error) {
	s, ctx, release, err := h.request(ctx, addr, kindStatusReq, nil)
	if err != nil {
		return 0, err
	}
	defer release()
	height, err := readStatus(s)
	if err != nil {
		_ = s.Reset()
		return 0, streamErr(ctx, addr, err)
	}
	_ = s.Close()
	return height, nil
}

func readStatus(r io.Reader) (uint64, error) {
	kind, body, _, err := readFrame(r, maxRequestFrame+maxErrorMessage)
	if err != nil {
		return 0, err
	}
	switch kind {
	case kindStatus:
		return decodeStatus(body)
	case kindError:
		return 0, decodeError(body)
	}
	return 0, fmt.Errorf("%w: frame kind %#x in reply to status", ErrMalformed, kind)
}

// PeerHeights asks every connected peer for its height, concurrently, and
// returns the answers that arrived before ctx ended; peers that failed are
// left out.
func (h *Host) PeerHeights(ctx context.Context) map[types.Address]uint64 {
	peers := h.Peers()
	out := make(map[types.Address]uint64, len(peers))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for _, a := range peers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			height, err := h.PeerHeight(ctx, a)
			if err != nil {
				h.log.Debug("sync: status failed", "addr", a, "err", err)
				return
			}
			mu.Lock()
			out[a] = height
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

// FetchBlocks asks a connected peer for blocks from..to (inclusive). The
// answer is a non-empty prefix of the range: the peer stops at its height,
// at MaxSyncBlocks blocks and at MaxSyncResponseBytes, so a caller loops
// from the last height received + 1. The blocks and certificates are not
// verified here. A peer that has not got block from yields ErrUnavailable;
// a response that breaks the protocol yields ErrMalformed.
func (h *Host) FetchBlocks(ctx context.Context, addr types.Address, from, to uint64) ([]SyncedBlock, error) {
	if from > to {
		return nil, fmt.Errorf("%w: from %d > to %d", ErrBadRequest, from, to)
	}
	s, ctx, release, err := h.request(ctx, addr, kindBlocksReq, encodeRange(from, to))
	if err != nil {
		return nil, err
	}
	defer release()
	blocks, err := readBlocks(bufio.NewReaderSize(s, 64<<10), from, to, h.syncBudget())
	if err != nil {
		_ = s.Reset()
		return nil, streamErr(ctx, addr, err)
	}
	_ = s.Close()
	h.stats.syncBlocksFetched.Add(uint64(len(blocks)))
	return blocks, nil
}

// readBlocks reads a blocks response for from..to and checks it against
// the protocol: consecutive heights from `from`, no more than asked for or
// MaxSyncBlocks, within the size limits, closed by an end frame.
func readBlocks(r io.Reader, from, to uint64, budget int) ([]SyncedBlock, error) {
	limit := min(to-from, MaxSyncBlocks-1) + 1
	var out []SyncedBlock
	total := 0
	for {
		kind, body, n, err := readFrame(r, MaxSyncFrame)
		if err != nil {
			return nil, err
		}
		switch kind {
		case kindBlock:
			b, err := decodeBlock(body)
			if err != nil {
				return nil, err
			}
			if uint64(len(out)) >= limit {
				return nil, fmt.Errorf("%w: more than %d blocks", ErrMalformed, limit)
			}
			if want := from + uint64(len(out)); b.Height != want {
				return nil, fmt.Errorf("%w: block at height %d, want %d", ErrMalformed, b.Height, want)
			}
			total += n
			if len(out) > 0 && total > budget {
				return nil, fmt.Errorf("%w: %w: response above %d bytes", ErrMalformed, ErrFrameTooLarge, budget)
			}
			out = append(out, b)
		case kindEnd:
			if len(body) != 0 || len(out) == 0 {
				return nil, fmt.Errorf("%w: end frame after %d blocks", ErrMalformed, len(out))
			}
			return out, nil
		case kindError:
			if len(out) != 0 {
				return nil, fmt.Errorf("%w: error frame after %d blocks", ErrMalformed, len(out))
			}
			return nil, decodeError(body)
		default:
			return nil, fmt.Errorf("%w: frame kind %#x in blocks response", ErrMalformed, kind)
		}
	}
}
