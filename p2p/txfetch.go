package p2p

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/accordnet/accord/types"
)

// Transaction fetch: a node rebuilding a compact proposal (transaction
// hashes instead of bodies) asks a peer, usually the proposer, for the
// bodies its mempool lacks. It is one more request on the block-sync
// protocol, bounded like the rest of it:
//
//	txs request   hash (32 bytes) × n, 1 ≤ n ≤ MaxTxFetchHashes
//	txs           entry × m, m ≤ n: length uint32 | encoded tx (length 0: not held)
//
// Entry i answers hash i. The server stops adding entries once they pass
// MaxTxFetchBytes (at least one is always sent), so the answer may be a
// prefix and the requester asks again for the rest. The requester checks
// each body against the hash it asked for: an honest node serves bodies
// out of a store keyed by that very hash, so a body that hashes otherwise
// was forged; the peer is not asked again for txFetchPenalty.
const (
	kindTxsReq byte = 0x03
	kindTxs    byte = 0x14
)

// Transaction fetch limits.
const (
	// MaxTxFetchHashes bounds the hashes in one request (128 KiB).
	MaxTxFetchHashes = 4096
	// MaxTxFetchBytes bounds the bodies in one response.
	MaxTxFetchBytes = 8 << 20

	maxTxsRequestFrame  = 1 + hashLen*MaxTxFetchHashes
	maxTxsResponseFrame = 1 + 4*MaxTxFetchHashes + MaxTxFetchBytes + types.MaxTxSize
	txFetchPenalty      = time.Minute

	hashLen = len(types.Hash{})
)

// errWrongBody marks a fetched body that does not hash to the hash asked
// for.
var errWrongBody = errors.New("transaction body does not match its hash")

// TxSource serves transaction bodies by hash: the node's mempool and the
// blocks it recently proposed or rebuilt. It must be safe for concurrent
// use.
type TxSource interface {
	// TxBodies returns one entry per hash: the encoded transaction, or nil
	// if it is not held.
	TxBodies(hashes []types.Hash) [][]byte
}

type txSourceBox struct{ TxSource }

// SetTxSource sets (or with nil, removes) where transaction-fetch requests
// are served from. Without one they are answered "unavailable".
func (h *Host) SetTxSource(src TxSource) {
	if src == nil {
		h.txSource.Store(nil)
		return
	}
	h.txSource.Store(&txSourceBox{src})
}

// txPenalties remembers peers caught serving a body that does not match
// its hash.
type txPenalties struct {
	mu    sync.Mutex
	until map[types.Address]time.Time
}

func (p *txPenalties) penalized(a types.Address, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	t, ok := p.until[a]
	if ok && !now.Before(t) {
		delete(p.until, a)
		return false
	}
	return ok
}

func (p *txPenalties) penalize(a types.Address, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.until == nil {
		p.until = make(map[types.Address]time.Time)
	}
	p.until[a] = now.Add(txFetchPenalty)
}

// TxFetchPenalized reports whether FetchTxs refuses to ask peer, because it
// served a forged body within the last txFetchPenalty.
func (h *Host) TxFetchPenalized(peer types.Address) bool {
	return h.txPen.penalized(peer, time.Now())
}

func (h *Host) serveTxs(w io.Writer, body []byte, log *slog.Logger) error {
	if len(body) == 0 || len(body)%hashLen != 0 || len(body)/hashLen > MaxTxFetchHashes {
		return writeFrame(w, kindError, encodeError(codeBadRequest, fmt.Sprintf("txs request of %d bytes", len(body))))
	}
	box := h.txSource.Load()
	if box == nil {
		return writeFrame(w, kindError, encodeError(codeUnavailable, "no transaction source"))
	}
	hashes := make([]types.Hash, len(body)/hashLen)
	for i := range hashes {
		copy(hashes[i][:], body[i*hashLen:])
	}
	bodies := box.TxBodies(hashes)
	if len(bodies) > len(hashes) {
		bodies = bodies[:len(hashes)]
	}
	var out []byte
	total, served := 0, 0
	for i, b := range bodies {
		if len(b) > types.MaxTxSize {
			b = nil // not ours to send: the requester would refuse it
		}
		if i > 0 && total+len(b) > MaxTxFetchBytes {
			break
		}
		out = binary.BigEndian.AppendUint32(out, uint32(len(b)))
		out = append(out, b...)
		total += len(b)
		if len(b) > 0 {
			served++
		}
	}
	h.stats.txsServed.Add(uint64(served))
	log.Debug("sync: served transactions", "asked", len(hashes), "served", served)
	return writeFrame(w, kindTxs, out)
}

// FetchTxs asks a connected peer for the bodies of hashes (at most
// MaxTxFetchHashes). The answer is aligned with a prefix of hashes: entry i
// is the body of hashes[i], or nil if the peer does not hold it; a
// response cut at MaxTxFetchBytes is shorter than hashes, and the caller
// asks again for the rest. Every body is checked against its hash: a
// mismatch fails the whole response with ErrMalformed and the peer is not
// asked again for a while (ErrPenalized).
func (h *Host) FetchTxs(ctx context.Context, addr types.Address, hashes []types.Hash) ([][]byte, error) {
	if len(hashes) == 0 || len(hashes) > MaxTxFetchHashes {
		return nil, fmt.Errorf("%w: %d hashes, limit %d", ErrBadRequest, len(hashes), MaxTxFetchHashes)
	}
	if h.txPen.penalized(addr, time.Now()) {
		return nil, fmt.Errorf("%w: %s", ErrPenalized, addr)
	}
	req := make([]byte, 0, len(hashes)*hashLen)
	for _, hs := range hashes {
		req = append(req, hs[:]...)
	}
	s, ctx, release, err := h.request(ctx, addr, kindTxsReq, req)
	if err != nil {
		return nil, err
	}
	defer release()
	bodies, err := readTxs(bufio.NewReaderSize(s, 64<<10), hashes)
	if err != nil {
		_ = s.Reset()
		if errors.Is(err, errWrongBody) {
			h.txPen.penalize(addr, time.Now())
			h.stats.txsForged.Add(1)
			h.log.Warn("sync: peer served a transaction body that does not match its hash", "addr", addr)
		}
		return nil, streamErr(ctx, addr, err)
	}
	_ = s.Close()
	n := 0
	for _, b := range bodies {
		if b != nil {
			n++
		}
	}
	h.stats.txsFetched.Add(uint64(n))
	return bodies, nil
}

// readTxs reads a txs response for hashes and checks it: no more entries
// than hashes, each body within types.MaxTxSize and hashing to its hash.
func readTxs(r io.Reader, hashes []types.Hash) ([][]byte, error) {
	kind, body, _, err := readFrame(r, maxTxsResponseFrame)
	if err != nil {
		return nil, err
	}
	switch kind {
	case kindTxs:
	case kindError:
		return nil, decodeError(body)
	default:
		return nil, fmt.Errorf("%w: frame kind %#x in reply to txs", ErrMalformed, kind)
	}
	var out [][]byte
	for len(body) > 0 {
		if len(out) >= len(hashes) {
			return nil, fmt.Errorf("%w: more than %d transactions", ErrMalformed, len(hashes))
		}
		if len(body) < 4 {
			return nil, fmt.Errorf("%w: truncated transaction entry", ErrMalformed)
		}
		n := binary.BigEndian.Uint32(body)
		body = body[4:]
		if n > types.MaxTxSize || uint64(n) > uint64(len(body)) {
			return nil, fmt.Errorf("%w: transaction entry of %d bytes", ErrMalformed, n)
		}
		if n == 0 {
			out = append(out, nil)
			continue
		}
		tx := body[:n:n]
		body = body[n:]
		if types.Keccak(tx) != hashes[len(out)] {
			return nil, fmt.Errorf("%w: %w: transaction %d", ErrMalformed, errWrongBody, len(out))
		}
		out = append(out, tx)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty txs response", ErrMalformed)
	}
	return out, nil
}
