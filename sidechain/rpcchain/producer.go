package rpcchain

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/types"
)

// The checkpoint producer as a process: it reads the side chain over
// JSON-RPC (SideBlocks), main's anchored number (MainAnchors), and talks
// to the other side validators' producers over plain HTTP (Peers, and
// ProducerHandler serving them): a vote is POSTed to every peer's /vote,
// and anyone may GET /checkpoint/N, the checkpoint with a quorum once
// this producer has one — what the relayer submits to main.

const callTimeout = 10 * time.Second

// SideBlocks is sidechain.Blocks over a side node's JSON-RPC. The
// producer re-reads the open checkpoint's whole range every step; with a
// Cache each committed header and validator set is fetched once. With
// ChainID a header is read alone (Side.Header), not with the block's
// receipts, which the producer does not need.
type SideBlocks struct {
	Side    Side
	Cache   *BlockCache // nil: every read goes to the node
	ChainID string      // the side chain's; "" reads headers with their receipts (accord_getRawBlock)
}

var _ sidechain.Blocks = SideBlocks{}

func timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callTimeout)
}

// Height implements sidechain.Blocks.
func (b SideBlocks) Height() (uint64, error) {
	ctx, cancel := timeout()
	defer cancel()
	return b.Side.Height(ctx)
}

// Header implements sidechain.Blocks.
func (b SideBlocks) Header(h uint64) (*types.Header, error) {
	if hdr, ok := b.Cache.header(h); ok {
		return hdr, nil
	}
	ctx, cancel := timeout()
	defer cancel()
	var hdr *types.Header
	var err error
	if b.ChainID != "" {
		hdr, err = b.Side.Header(ctx, b.ChainID, h)
	} else {
		hdr, _, err = b.Side.Block(ctx, h)
	}
	if err == nil {
		b.Cache.putHeader(h, hdr)
	}
	return hdr, err
}

// Validators implements sidechain.Blocks.
func (b SideBlocks) Validators(h uint64) ([]types.Address, error) {
	if vs, ok := b.Cache.validators(h); ok {
		return vs, nil
	}
	ctx, cancel := timeout()
	defer cancel()
	vs, err := b.Side.validators(ctx, h)
	if err == nil {
		b.Cache.putValidators(h, vs)
	}
	return vs, err
}

// BlockCache holds committed side headers and validator sets (neither
// changes once its block is committed; the set of block head+1 is fixed by
// the head's state, changes taking effect two blocks later), at most Max
// of each: when full it starts over, which costs one re-read per entry.
type BlockCache struct {
	Max int

	mu   sync.Mutex
	hdrs map[uint64]*types.Header
	vals map[uint64][]types.Address
}

// NewBlockCache returns a cache of at most max headers and max sets.
func NewBlockCache(max int) *BlockCache { return &BlockCache{Max: max} }

func (c *BlockCache) header(h uint64) (*types.Header, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	hdr, ok := c.hdrs[h]
	return hdr, ok
}

func (c *BlockCache) validators(h uint64) ([]types.Address, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	vs, ok := c.vals[h]
	return vs, ok
}

func (c *BlockCache) putHeader(h uint64, hdr *types.Header) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hdrs == nil || len(c.hdrs) >= c.Max {
		c.hdrs = map[uint64]*types.Header{}
	}
	c.hdrs[h] = hdr
}

func (c *BlockCache) putValidators(h uint64, vs []types.Address) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.vals == nil || len(c.vals) >= c.Max {
		c.vals = map[uint64][]types.Address{}
	}
	c.vals[h] = vs
}

// MainAnchors is sidechain.MainView for a producer that never submits
// (the relayer does): it only reads main's anchored number.
type MainAnchors struct{ Main Main }

var _ sidechain.MainView = MainAnchors{}

// Anchored implements sidechain.MainView.
func (m MainAnchors) Anchored(chainID string) (uint64, error) {
	ctx, cancel := timeout()
	defer cancel()
	n, _, err := m.Main.Anchored(ctx, chainID)
	return n, err
}

// Submit implements sidechain.MainView by leaving it to the relayer.
func (MainAnchors) Submit(*checkpoint.MsgSubmit) error { return nil }

// MaxVoteSize bounds a gossiped vote's body.
const MaxVoteSize = 4096

// Peers is sidechain.Gossip over HTTP to the other producers.
type Peers struct {
	URLs []string
	HTTP *http.Client
	Log  *slog.Logger
}

var _ sidechain.Gossip = Peers{}

// Broadcast implements sidechain.Gossip; an unreachable peer gets the
// vote again at the next step.
func (p Peers) Broadcast(v *sidechain.Vote) error {
	body := core.Encode(v)
	for _, u := range p.URLs {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, u+"/vote", bytes.NewReader(body))
		if err == nil {
			var resp *http.Response
			if resp, err = p.HTTP.Do(req); err == nil {
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
				if resp.StatusCode != http.StatusNoContent {
					err = fmt.Errorf("HTTP %s", resp.Status)
				}
			}
		}
		cancel()
		if err != nil && p.Log != nil {
			p.Log.Debug("vote not delivered", "peer", u, "checkpoint", v.Checkpoint.Number, "err", err)
		}
	}
	return nil
}

// ProducerHandler serves a producer to its peers and to relayers.
func ProducerHandler(p *sidechain.Producer) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /vote", func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(io.LimitReader(r.Body, MaxVoteSize+1))
		if err != nil || len(raw) > MaxVoteSize {
			http.Error(w, "vote too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		var v sidechain.Vote
		if err := core.Decode(raw, &v); err != nil {
			http.Error(w, "bad vote: "+err.Error(), http.StatusBadRequest)
			return
		}
		if err := p.HandleVote(&v); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /checkpoint/{n}", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseUint(r.PathValue("n"), 10, 64)
		if err != nil || n == 0 {
			http.Error(w, "checkpoint number: want a positive integer", http.StatusBadRequest)
			return
		}
		m, err := p.Completed(n)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		if m == nil {
			http.Error(w, "no quorum for that checkpoint here (yet)", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(core.Encode(m))
	})
	return mux
}

// MaxCheckpointSize bounds a fetched checkpoint.
const MaxCheckpointSize = 1 << 20

// ProducerCheckpoints is a CheckpointSource asking producers in turn for
// checkpoint n with a quorum; none having it is not an error.
func ProducerCheckpoints(urls []string, hc *http.Client) CheckpointSource {
	return func(ctx context.Context, n uint64) (*checkpoint.MsgSubmit, error) {
		var errs []error
		for _, u := range urls {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, u+"/checkpoint/"+strconv.FormatUint(n, 10), nil)
			if err != nil {
				return nil, err
			}
			resp, err := hc.Do(req)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxCheckpointSize))
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusNotFound {
				continue
			}
			if err != nil || resp.StatusCode != http.StatusOK {
				errs = append(errs, fmt.Errorf("%s: HTTP %s %v", u, resp.Status, err))
				continue
			}
			var m checkpoint.MsgSubmit
			if err := core.Decode(raw, &m); err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", u, err))
				continue
			}
			if m.Checkpoint.Number != n {
				errs = append(errs, fmt.Errorf("%s: asked for checkpoint %d, got %d", u, n, m.Checkpoint.Number))
				continue
			}
			return &m, nil
		}
		if len(errs) == len(urls) && len(urls) > 0 {
			return nil, errors.Join(errs...)
		}
		return nil, nil
	}
}
