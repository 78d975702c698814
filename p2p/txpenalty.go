package p2p

import (
	"errors"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/accordnet/accord/types"
)

// Honest nodes gossip only transactions their own mempool admitted, and on
// the unsigned topic relay only batches they admitted in full, so a batch
// carrying one that cannot be decoded, is for another chain or is badly
// signed was forged by the peer that delivered it (on the legacy signed
// topic: by its author, whom gossipsub authenticates).
// Each such transaction is a strike; gossipStrikes within gossipStrikeWindow
// make the node ignore that member's transaction batches for
// gossipPenalty: they are dropped by the topic validator, before they are
// relayed or any signature in them is recovered. Before relaying any batch
// the validator also checks gossipSampled signatures chosen at random, so a
// batch of forgeries costs at most that many recoveries per node. (Floods
// of validly signed transactions from unfunded keys are not penalized:
// rate limits per member are future work.)
const (
	gossipStrikes      = 16
	gossipStrikeWindow = 10 * time.Second
	gossipPenalty      = time.Minute
	gossipSampled      = 2
)

// GossipEvent reports that this node penalized a member (Kind "penalized")
// or dropped a batch from a penalized member (Kind "dropped").
type GossipEvent struct {
	Member types.Address
	Kind   string
	Txs    int // transactions in the dropped batch
}

type strikes struct {
	count       int
	windowStart time.Time
	until       time.Time
}

type gossipPenalties struct {
	mu     sync.Mutex
	byAddr map[types.Address]*strikes
	events chan GossipEvent
}

func newGossipPenalties() *gossipPenalties {
	return &gossipPenalties{byAddr: make(map[types.Address]*strikes), events: make(chan GossipEvent, 64)}
}

func (g *gossipPenalties) emit(ev GossipEvent) {
	select {
	case g.events <- ev:
	default: // nobody is listening (only tests do)
	}
}

// penalized reports whether member's batches are being ignored.
func (g *gossipPenalties) penalized(member types.Address, now time.Time) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.byAddr[member]
	return s != nil && now.Before(s.until)
}

// strike records k forged transactions from member and reports whether
// this started a penalty.
func (g *gossipPenalties) strike(member types.Address, k int, now time.Time) bool {
	if k <= 0 {
		return false
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	s := g.byAddr[member]
	if s == nil {
		s = &strikes{}
		g.byAddr[member] = s
	}
	if now.Before(s.until) {
		return false
	}
	if now.Sub(s.windowStart) > gossipStrikeWindow {
		s.count, s.windowStart = 0, now
	}
	s.count += k
	if s.count < gossipStrikes {
		return false
	}
	s.count, s.until = 0, now.Add(gossipPenalty)
	return true
}

// forged reports whether a mempool refusal proves the gossiping member
// forged the transaction.
func forged(err error) bool {
	return errors.Is(err, types.ErrMalformedTx) || errors.Is(err, types.ErrWrongChainID) || errors.Is(err, types.ErrBadSignature)
}

// sampleForged checks up to gossipSampled randomly chosen transactions of
// a batch and returns the first forgery's error. Recovered senders land in
// the node's signature cache, so an honest batch costs nothing extra.
func (g *TxGossip) sampleForged(raws [][]byte) error {
	for k := 0; k < min(gossipSampled, len(raws)); k++ {
		tx, err := types.DecodeTx(raws[rand.IntN(len(raws))])
		if err == nil && tx.ChainID != g.h.cfg.ChainID {
			err = types.ErrWrongChainID
		}
		if err == nil {
			_, err = g.cfg.Sender(tx)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
