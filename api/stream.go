package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// Committed is one committed block as the subscription stream sees it: its
// view and its events, each encoded once, whatever the number of
// subscribers.
type Committed struct {
	Height uint64
	// Block is the newBlocks result (views.BlockNote), encoded.
	Block  json.RawMessage
	Events []StreamEvent
}

// StreamEvent is one committed event with what the topic filters match on.
type StreamEvent struct {
	Index int
	Type  string
	// Module is the event type's prefix ("order" for "order.locked").
	Module string
	// Merchant, Acceptor and Account are the parties the filters match:
	// from the event's attributes, and for an order event that does not
	// name both parties, from the order itself.
	Merchant, Acceptor, Account types.Address
	// Note is the result (views.EventNote), encoded.
	Note json.RawMessage
}

// Source is where the stream reads committed blocks: the ledger in a
// node, a synthetic chain in tests and benchmarks.
type Source interface {
	// Head is the height of the last committed block.
	Head() uint64
	// Load returns the committed block at height h.
	Load(h uint64) (*Committed, error)
}

// OrderParties returns an order's merchant and acceptor (false if the
// order is unknown).
type OrderParties func(id types.Hash) (merchant, acceptor types.Address, ok bool)

// ledgerSource reads committed blocks from a ledger.
type ledgerSource struct {
	l       *ledger.Ledger
	parties OrderParties
}

// LedgerSource is the stream's source for a node: blocks, certificates,
// receipts and timer events from l; order parties from the order module's
// committed state.
func LedgerSource(l *ledger.Ledger, k order.Keeper) Source {
	return ledgerSource{l: l, parties: func(id types.Hash) (types.Address, types.Address, bool) {
		o, err := k.GetOrder(l.ReadState(), id)
		if err != nil {
			return types.Address{}, types.Address{}, false
		}
		return o.Merchant, o.Acceptor, true
	}}
}

func (s ledgerSource) Head() uint64 { return s.l.Last().Height }

func (s ledgerSource) Load(h uint64) (*Committed, error) {
	blk, err := s.l.Block(h)
	if err != nil {
		return nil, err
	}
	cert, _ := s.l.Cert(h)
	timers, err := s.l.BlockEvents(h)
	if err != nil {
		return nil, err
	}
	rcs, err := s.l.Receipts(h)
	if err != nil {
		return nil, err
	}
	return BuildCommitted(blk, cert, timers, rcs, s.parties)
}

// BuildCommitted assembles a block's stream record: the block's timer
// events first, then each receipt's in order, numbered from 0.
func BuildCommitted(blk *types.Block, cert *types.CommitCert, timers []types.Event, rcs []*types.Receipt, parties OrderParties) (*Committed, error) {
	h := blk.Height()
	c := &Committed{Height: h}
	var err error
	if c.Block, err = json.Marshal(views.BlockNote{Cursor: views.Cursor{Height: h}, Block: views.NewBlock(blk, cert)}); err != nil {
		return nil, fmt.Errorf("encode block %d: %w", h, err)
	}
	add := func(e types.Event, tx string) error {
		se := StreamEvent{Index: len(c.Events), Type: e.Type, Module: e.Type}
		if i := strings.IndexByte(e.Type, '.'); i >= 0 {
			se.Module = e.Type[:i]
		}
		se.Merchant = attrAddr(e, "merchant")
		se.Acceptor = attrAddr(e, "acceptor")
		se.Account = attrAddr(e, "account")
		if se.Module == order.ModuleName && parties != nil && (se.Merchant == (types.Address{}) || se.Acceptor == (types.Address{})) {
			if id, err := types.ParseHash(e.Get("id")); err == nil {
				if m, a, ok := parties(id); ok {
					if se.Merchant == (types.Address{}) {
						se.Merchant = m
					}
					if se.Acceptor == (types.Address{}) {
						se.Acceptor = a
					}
				}
			}
		}
		v := views.NewEvent(e)
		note := views.EventNote{Cursor: views.Cursor{Height: h, Index: se.Index}, TimeMs: blk.Header.Time, TxHash: tx,
			Module: se.Module, Type: e.Type, Attrs: v.Attrs}
		if se.Note, err = json.Marshal(note); err != nil {
			return fmt.Errorf("encode event %d/%d: %w", h, se.Index, err)
		}
		c.Events = append(c.Events, se)
		return nil
	}
	for _, e := range timers {
		if err := add(e, ""); err != nil {
			return nil, err
		}
	}
	for _, r := range rcs {
		for _, e := range r.Events {
			if err := add(e, r.TxHash.Hex()); err != nil {
				return nil, err
			}
		}
	}
	return c, nil
}

func attrAddr(e types.Event, key string) types.Address {
	v := e.Get(key)
	if v == "" {
		return types.Address{}
	}
	a, _ := types.ParseAddress(v)
	return a
}

// Errors of accord_subscribe's parameters.
var (
	ErrUnknownTopic = errors.New("unknown topic")
	ErrBadFilter    = errors.New("bad filter")
)

// filter is a parsed subscription: which notifications of a block it
// sends.
type filter struct {
	topic    string
	merchant types.Address
	acceptor types.Address
	account  types.Address
	module   string
	typ      string
}

// disputeTypes are the order events of the dispute lifecycle, which the
// disputes topic carries beside arbitration's.
var disputeTypes = map[string]bool{order.EventDisputed: true, order.EventResolvedRelease: true,
	order.EventResolvedRefund: true, order.EventResolvedSplit: true}

// parseFilter checks a subscription request: a known topic and only the
// filters that topic has.
func parseFilter(p views.Subscribe) (filter, error) {
	f := filter{topic: p.Topic, module: p.Module, typ: p.Type}
	allowed := map[string][]string{
		views.TopicNewBlocks:   nil,
		views.TopicOrders:      {"merchant"},
		views.TopicAssignments: {"acceptor"},
		views.TopicDisputes:    nil,
		views.TopicRisk:        {"account"},
		views.TopicEvents:      {"module", "type"},
	}
	ok, known := allowed[p.Topic]
	if !known {
		return f, fmt.Errorf("%w %q: want one of %s", ErrUnknownTopic, p.Topic, strings.Join(views.Topics, ", "))
	}
	given := map[string]string{"merchant": p.Merchant, "acceptor": p.Acceptor, "account": p.Account, "module": p.Module, "type": p.Type}
	for _, k := range []string{"merchant", "acceptor", "account", "module", "type"} {
		if given[k] == "" {
			continue
		}
		found := false
		for _, a := range ok {
			found = found || a == k
		}
		if !found {
			return f, fmt.Errorf("%w: topic %s has no %q filter", ErrBadFilter, p.Topic, k)
		}
	}
	parse := func(s, what string, dst *types.Address) error {
		if s == "" {
			return nil
		}
		a, err := types.ParseAddress(s)
		if err != nil {
			return fmt.Errorf("%w: %s: %v", ErrBadFilter, what, err)
		}
		*dst = a
		return nil
	}
	if err := parse(p.Merchant, "merchant", &f.merchant); err != nil {
		return f, err
	}
	if err := parse(p.Acceptor, "acceptor", &f.acceptor); err != nil {
		return f, err
	}
	if err := parse(p.Account, "account", &f.account); err != nil {
		return f, err
	}
	return f, nil
}

// match reports whether the filter sends event e.
func (f filter) match(e *StreamEvent) bool {
	zero := types.Address{}
	switch f.topic {
	case views.TopicOrders:
		return e.Module == order.ModuleName && (f.merchant == zero || e.Merchant == f.merchant)
	case views.TopicAssignments:
		return e.Module == order.ModuleName && e.Acceptor != zero && (f.acceptor == zero || e.Acceptor == f.acceptor)
	case views.TopicDisputes:
		return e.Module == arbitration.ModuleName || disputeTypes[e.Type]
	case views.TopicRisk:
		return e.Module == risk.ModuleName && (f.account == zero || e.Account == f.account)
	case views.TopicEvents:
		return (f.module == "" || e.Module == f.module) && (f.typ == "" || e.Type == f.typ)
	}
	return false
}

// each calls send with the result of every notification c holds for the
// filter strictly after cursor from, in order, and stops at its first
// error.
func (f filter) each(c *Committed, from views.Cursor, send func(views.Cursor, json.RawMessage) error) error {
	if f.topic == views.TopicNewBlocks {
		at := views.Cursor{Height: c.Height}
		if at.After(from) {
			return send(at, c.Block)
		}
		return nil
	}
	for i := range c.Events {
		e := &c.Events[i]
		at := views.Cursor{Height: c.Height, Index: e.Index}
		if !at.After(from) || !f.match(e) {
			continue
		}
		if err := send(at, e.Note); err != nil {
			return err
		}
	}
	return nil
}
