// Command acceptor is an acceptor bot on Accord, written against the Go
// SDK (package client) only. It watches the orders assigned to its key
// that the merchant has marked PAID, looks for the fiat payment in its
// bank feed (here a stub: a file of JSON lines that the merchant example
// appends to), and confirms each order whose payment it sees with the
// right reference, currency and amount, which releases the escrow to the
// merchant. An order whose payment it does not see is left alone: the
// release window and the dispute process handle it on chain.
//
// With --register it first registers the key as an acceptor for the given
// currencies and deposits float and margin, unless it is registered
// already (the key needs a KYC attestation first). See examples/README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/examples/internal/exampleutil"
	"github.com/accordnet/accord/types"
)

func main() {
	var (
		nodes                   exampleutil.Strings
		keys, keyName, password string
		bankFeed, register      string
		float, margin           string
		poll                    time.Duration
	)
	flag.Var(&nodes, "node", "node RPC URL (repeatable: the next is tried while one is down)")
	flag.StringVar(&keys, "keys", "", "keystore directory holding the acceptor key (an `accord keys` directory)")
	flag.StringVar(&keyName, "key", "acceptor", "key name")
	flag.StringVar(&password, "password-file", "", "file holding the key's password")
	flag.StringVar(&bankFeed, "bank-feed", "bank-feed.jsonl", "stub bank feed: the fiat payments this acceptor received")
	flag.StringVar(&register, "register", "", "register first for these currencies (comma-separated, e.g. USD,CNY) unless registered")
	flag.StringVar(&float, "float", "1000", "USDT float to deposit when registering")
	flag.StringVar(&margin, "margin", "300", "USDT margin to deposit when registering")
	flag.DurationVar(&poll, "poll", 500*time.Millisecond, "how often to look for paid orders")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log, nodes, keys, keyName, password, bankFeed, register, float, margin, poll); err != nil {
		log.Error("acceptor stopped", "err", err)
		os.Exit(1)
	}
}

type bot struct {
	log    *slog.Logger
	chain  *exampleutil.Chain
	signer *client.Signer
	addr   types.Address
	feed   string
	done   map[string]bool // orders confirmed by this run
}

func run(log *slog.Logger, nodes []string, keys, keyName, password, bankFeed, register, float, margin string, poll time.Duration) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	key, err := exampleutil.LoadKey(keys, keyName, password)
	if err != nil {
		return err
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	chain, err := exampleutil.Dial(dctx, nodes)
	cancel()
	if err != nil {
		return err
	}
	b := &bot{log: log, chain: chain, signer: client.NewSigner(key, chain.ChainID, chain.Fee), addr: types.PubkeyAddress(key),
		feed: bankFeed, done: map[string]bool{}}
	if register != "" {
		if err := b.register(ctx, strings.Split(register, ","), float, margin); err != nil {
			return err
		}
	}
	log.Info("acceptor watching", "acceptor", b.addr.Hex(), "bank_feed", bankFeed, "chain", chain.ChainID)
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		if err := b.pass(ctx); err != nil && ctx.Err() == nil {
			log.Warn("pass failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (b *bot) register(ctx context.Context, currencies []string, float, margin string) error {
	err := b.chain.Do(ctx, func(c *client.Client) error { _, err := c.Acceptor(ctx, b.addr); return err })
	if err == nil {
		b.log.Info("registered already")
		return nil
	}
	if wire.CodeOf(err) != wire.CodeNotFound {
		return err
	}
	fl, err := types.ParseUSDT(float)
	if err != nil {
		return err
	}
	mg, err := types.ParseUSDT(margin)
	if err != nil {
		return err
	}
	var ms []acceptor.PaymentMethod
	for _, cur := range currencies {
		// The details (an account number) stay off chain; only their
		// salted hash is published.
		ms = append(ms, acceptor.PaymentMethod{Currency: cur, Kind: "bank_transfer",
			DetailsHash: types.Keccak([]byte("acceptor-bot account "), b.addr[:], []byte(cur))})
	}
	for _, step := range []struct {
		typ types.TxType
		msg any
	}{
		{acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: currencies, Methods: ms}},
		{acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: fl}},
		{acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: mg}},
	} {
		if _, err := b.chain.Send(ctx, b.signer, step.typ, step.msg); err != nil {
			return err
		}
	}
	b.log.Info("registered", "currencies", currencies, "float", float, "margin", margin)
	return nil
}

// pass confirms every PAID order of this acceptor whose payment is in the
// feed.
func (b *bot) pass(ctx context.Context) error {
	feed, err := exampleutil.ReadPayments(b.feed)
	if err != nil {
		return err
	}
	var after uint64
	for {
		var page *views.OrderList
		if err := b.chain.Do(ctx, func(c *client.Client) (err error) {
			page, err = c.Orders(ctx, views.OrderFilter{Acceptor: b.addr.Hex(), State: "PAID", After: after})
			return err
		}); err != nil {
			return err
		}
		for _, o := range page.Orders {
			b.consider(ctx, o, feed)
		}
		if page.Next == 0 {
			return nil
		}
		after = page.Next
	}
}

func (b *bot) consider(ctx context.Context, o views.Order, feed map[types.Hash]exampleutil.Payment) {
	if b.done[o.ID] {
		return
	}
	ref, err := types.ParseHash(o.PaymentRef)
	if err != nil {
		return
	}
	p, ok := feed[ref]
	switch {
	case !ok:
		return // not seen yet
	case p.Currency != o.Currency || p.FiatMinor != o.FiatMinor:
		b.log.Warn("payment does not match the order; not confirming", "order", o.ID, "paid", p.FiatMinor, "currency", p.Currency,
			"want", o.FiatMinor, "want_currency", o.Currency)
		b.done[o.ID] = true
		return
	}
	id, err := types.ParseHash(o.ID)
	if err != nil {
		return
	}
	if _, err := b.chain.Send(ctx, b.signer, order.TypeConfirm, &order.MsgConfirm{ID: id}); err != nil {
		if !errors.Is(err, context.Canceled) {
			b.log.Warn("confirm failed", "order", o.ID, "err", err)
		}
		return
	}
	b.done[o.ID] = true
	b.log.Info("order confirmed", "order", o.ID, "reference", p.Reference)
}
