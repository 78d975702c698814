package node

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/webhook"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// timerTxIndex is the tx index of events a block's timers emit (they come
// from no transaction) in webhook event IDs.
const timerTxIndex = math.MaxUint32

// maxWebhookEventBytes bounds one event's data; a larger one is logged and
// skipped rather than left to block every later event.
const maxWebhookEventBytes = 64 << 10

// webhooks is the node's webhook engine and its own database.
type webhooks struct {
	db  kv.DB
	eng *webhook.Engine
}

// openWebhooks opens the engine on <home>/data/webhook; deliveries left
// pending by the last run go out again.
func (n *Node) openWebhooks() error {
	db, err := kv.Open(n.cfg.DB, n.home.WebhookDir(), kv.Options{Logger: n.log.With("component", "webhook-kv")})
	if err != nil {
		return fmt.Errorf("webhook store: %w", err)
	}
	cfg := webhook.Config{Store: db, Registerer: n.metrics.Registry, Logger: n.log.With("component", "webhook")}
	if len(n.cfg.WebhookRetryMs) > 0 || n.cfg.WebhookMaxAgeS > 0 {
		r := webhook.DefaultRetry()
		if len(n.cfg.WebhookRetryMs) > 0 {
			r.Delays = r.Delays[:0:0]
			for _, ms := range n.cfg.WebhookRetryMs {
				r.Delays = append(r.Delays, time.Duration(ms)*time.Millisecond)
			}
		}
		if n.cfg.WebhookMaxAgeS > 0 {
			r.MaxAge = time.Duration(n.cfg.WebhookMaxAgeS) * time.Second
		}
		cfg.Retry = r
	}
	eng, err := webhook.Open(cfg)
	if err != nil {
		db.Close()
		return err
	}
	n.hooks = &webhooks{db: db, eng: eng}
	return nil
}

func (w *webhooks) close() error {
	if w == nil {
		return nil
	}
	err := w.eng.Close()
	if cerr := w.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// feedWebhooks gives the engine every committed block it has not had, now
// and after each commit. The engine records the height fed in the same
// write as the block's deliveries, so a node stopped between committing a
// block and feeding it feeds it at the next start: nothing is lost, and a
// block fed twice queues nothing twice.
func (n *Node) feedWebhooks(ctx context.Context) {
	commits, cancel := n.SubscribeCommits(1)
	defer cancel()
	for {
		if err := n.catchUpWebhooks(ctx); err != nil && ctx.Err() == nil {
			n.log.Error("feeding webhooks", "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(time.Second):
			}
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-commits:
		}
	}
}

func (n *Node) catchUpWebhooks(ctx context.Context) error {
	eng := n.hooks.eng
	for {
		tip := n.ledger.Last().Height
		h := eng.FedHeight() + 1
		if h > tip || ctx.Err() != nil {
			return nil
		}
		if len(eng.Endpoints()) == 0 {
			// Nobody to deliver to: skip to the tip in one write rather than
			// reading every receipt of the chain's history.
			return eng.PublishBlock(tip, nil)
		}
		evs, err := n.webhookEvents(h)
		if err != nil {
			return err
		}
		if err := eng.PublishBlock(h, evs); err != nil {
			return fmt.Errorf("block %d: %w", h, err)
		}
	}
}

// webhookEvents are block h's committed events: its timers' first, then
// each successful transaction's, in order.
func (n *Node) webhookEvents(h uint64) ([]webhook.Event, error) {
	blk, err := n.ledger.Block(h)
	if err != nil {
		return nil, err
	}
	timers, err := n.ledger.BlockEvents(h)
	if err != nil {
		return nil, err
	}
	rs, err := n.ledger.Receipts(h)
	if err != nil {
		return nil, err
	}
	at := time.UnixMilli(int64(blk.Header.Time))
	var out []webhook.Event
	add := func(tx string, txi, i uint32, e types.Event) {
		ev, ok := n.webhookEvent(h, at, tx, txi, i, e)
		if ok {
			out = append(out, ev)
		}
	}
	for i, e := range timers {
		add("", timerTxIndex, uint32(i), e)
	}
	for ti, r := range rs {
		if r.Status != types.StatusOK {
			continue
		}
		for i, e := range r.Events {
			add(r.TxHash.Hex(), uint32(ti), uint32(i), e)
		}
	}
	return out, nil
}

func (n *Node) webhookEvent(h uint64, at time.Time, tx string, txi, i uint32, e types.Event) (webhook.Event, bool) {
	v := views.NewEvent(e)
	data, err := json.Marshal(views.WebhookData{Tx: tx, Attrs: v.Attrs})
	if err != nil || len(data) > maxWebhookEventBytes || !eventTypeOK(e.Type) {
		n.log.Warn("event not fed to webhooks", "height", h, "tx", txi, "index", i, "type", e.Type, "bytes", len(data))
		return webhook.Event{}, false
	}
	merchant := e.Get("merchant")
	if len(merchant) > 128 {
		merchant = ""
	}
	return webhook.Event{ID: webhook.EventID(h, txi, i), Type: e.Type, Merchant: merchant, Height: h, Time: at, Data: data}, true
}

// eventTypeOK is the engine's rule for a type: 1..128 of [A-Za-z0-9._:-].
func eventTypeOK(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}
