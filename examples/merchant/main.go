// Command merchant is a small merchant back-end on Accord, written against
// the Go SDK (package client) only:
//
//   - POST /orders {"ref","currency","fiat_minor"} creates an order on
//     chain (the chain assigns an acceptor and locks its USDT in escrow);
//   - the node POSTs every state change of the merchant's orders to
//     /webhook, signed; the merchant verifies each one, de-duplicates it
//     on its event ID and records it in an append-only log before it
//     answers 200, so a delivery it acknowledged is never lost;
//   - when an order is LOCKED, its customer "pays" the acceptor in fiat
//     (a line appended to the stub bank feed, the file the acceptor bot
//     reads) and the merchant marks the order PAID on chain with the hash
//     of the payment reference;
//   - the acceptor confirms, the escrow is released to the merchant, and
//     the order.completed webhook closes the order;
//   - GET /orders lists the orders with every event received.
//
// At start it registers its webhook endpoint on its node's admin API
// (--node-home, on the node's machine) unless one with its URL exists.
// See examples/README.md.
package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/examples/internal/exampleutil"
	"github.com/accordnet/accord/types"
)

func main() {
	var (
		nodes                   exampleutil.Strings
		nodeHome                string
		keys, keyName, password string
		listen, publicURL       string
		stateDir, bankFeed      string
	)
	flag.Var(&nodes, "node", "node RPC URL (repeatable: the next is tried while one is down; default: --node-home's)")
	flag.StringVar(&nodeHome, "node-home", "", "home of the merchant's own node: its admin API registers the webhook")
	flag.StringVar(&keys, "keys", "", "keystore directory holding the merchant key (an `accord keys` directory)")
	flag.StringVar(&keyName, "key", "merchant", "key name")
	flag.StringVar(&password, "password-file", "", "file holding the key's password")
	flag.StringVar(&listen, "listen", "127.0.0.1:8080", "address to serve /webhook and /orders on")
	flag.StringVar(&publicURL, "url", "", "webhook URL the node posts to (default: http://<listen>/webhook)")
	flag.StringVar(&stateDir, "state", "merchant-state", "directory for the webhook secret and the event log")
	flag.StringVar(&bankFeed, "bank-feed", "bank-feed.jsonl", "stub bank feed the customers' fiat payments are appended to")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := run(log, nodes, nodeHome, keys, keyName, password, listen, publicURL, stateDir, bankFeed); err != nil {
		log.Error("merchant stopped", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger, nodes []string, nodeHome, keys, keyName, password, listen, publicURL, stateDir, bankFeed string) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var nh exampleutil.NodeHome
	if nodeHome != "" {
		var err error
		if nh, err = exampleutil.ReadNodeHome(nodeHome); err != nil {
			return err
		}
		if len(nodes) == 0 {
			nodes = []string{nh.RPC}
		}
	}
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
	if err := os.MkdirAll(stateDir, 0o700); err != nil {
		return err
	}
	secret, err := loadSecret(filepath.Join(stateDir, "webhook.secret"))
	if err != nil {
		return err
	}
	m := &merchant{log: log, chain: chain, signer: client.NewSigner(key, chain.ChainID, chain.Fee), addr: types.PubkeyAddress(key),
		secret: secret, bankFeed: bankFeed, orders: map[string]*Order{}, seen: map[string]bool{}, ctx: ctx}
	if err := m.openLog(filepath.Join(stateDir, "events.jsonl")); err != nil {
		return err
	}
	defer m.events.Close()
	ln, err := net.Listen("tcp", listen)
	if err != nil {
		return err
	}
	if publicURL == "" {
		publicURL = "http://" + ln.Addr().String() + "/webhook"
	}
	if nh.Admin != "" {
		if err := m.register(ctx, client.NewAdmin(nh.Admin, nh.Token), publicURL); err != nil {
			ln.Close()
			return err
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /webhook", m.webhook)
	mux.HandleFunc("POST /orders", m.createOrder)
	mux.HandleFunc("GET /orders", m.listOrders)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	log.Info("merchant serving", "addr", ln.Addr().String(), "merchant", m.addr.Hex(), "webhook", publicURL, "chain", chain.ChainID)
	// Orders locked before a restart and not yet paid are paid now.
	m.mu.Lock()
	for _, o := range m.orders {
		if o.State == "LOCKED" {
			m.goPay(o.ID)
		}
	}
	m.mu.Unlock()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	m.wg.Wait()
	return nil
}

// loadSecret reads the webhook secret, creating it on first start: the
// node signs with it, so it must survive restarts.
func loadSecret(path string) (string, error) {
	if b, err := os.ReadFile(path); err == nil {
		return strings.TrimSpace(string(b)), nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	s := "whsec_" + hex.EncodeToString(raw[:])
	return s, os.WriteFile(path, []byte(s+"\n"), 0o600)
}

// Order is the merchant's view of one of its orders.
type Order struct {
	ID        string   `json:"id"`
	Ref       string   `json:"ref"`
	Currency  string   `json:"currency"`
	FiatMinor uint64   `json:"fiat_minor"`
	State     string   `json:"state"`
	Acceptor  string   `json:"acceptor,omitempty"`
	Payment   string   `json:"payment_ref,omitempty"`
	Events    []string `json:"events"`    // event types, in chain order
	EventIDs  []string `json:"event_ids"` // their IDs
}

// Received is one line of the event log.
type Received struct {
	Event    client.WebhookEvent `json:"event"`
	Received time.Time           `json:"received"`
}

type merchant struct {
	log      *slog.Logger
	chain    *exampleutil.Chain
	signer   *client.Signer
	addr     types.Address
	secret   string
	bankFeed string
	ctx      context.Context
	wg       sync.WaitGroup

	mu         sync.Mutex
	events     *os.File
	orders     map[string]*Order // by order ID
	seen       map[string]bool   // event IDs recorded
	duplicates int
	rejected   int
	paying     map[string]bool
}

// openLog replays the event log (state after a restart) and opens it for
// appending.
func (m *merchant) openLog(path string) error {
	if f, err := os.Open(path); err == nil {
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			var r Received
			if json.Unmarshal(sc.Bytes(), &r) == nil && r.Event.ID != "" {
				m.apply(r.Event)
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	m.events = f
	return err
}

// register makes sure the node delivers this merchant's events to url,
// signed with its secret.
func (m *merchant) register(ctx context.Context, adm *client.Admin, url string) error {
	eps, err := adm.Webhooks(ctx)
	if err != nil {
		return fmt.Errorf("list webhooks: %w", err)
	}
	for _, ep := range eps {
		if ep.URL == url {
			m.log.Info("webhook endpoint registered already", "endpoint", ep.ID)
			return nil
		}
	}
	ep, err := adm.AddWebhook(ctx, client.WebhookSpec{URL: url, Secret: m.secret, Merchants: []string{m.addr.Hex()}})
	if err != nil {
		return fmt.Errorf("register webhook: %w", err)
	}
	m.log.Info("webhook endpoint registered", "endpoint", ep.ID, "url", url)
	return nil
}

// webhook receives a delivery: verify, de-duplicate, record, act.
func (m *merchant) webhook(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
	if err != nil {
		http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
		return
	}
	if err := client.VerifyWebhook(m.secret, r.Header.Get(client.WebhookSignatureHeader), body, time.Now(), 0); err != nil {
		m.mu.Lock()
		m.rejected++
		m.mu.Unlock()
		m.log.Warn("webhook refused", "err", err)
		http.Error(w, "bad signature", http.StatusBadRequest)
		return
	}
	var ev client.WebhookEvent
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.seen[ev.ID] {
		m.duplicates++ // at-least-once: acknowledged again, acted on once
		w.WriteHeader(http.StatusOK)
		return
	}
	line, _ := json.Marshal(Received{Event: ev, Received: time.Now().UTC()})
	if _, err := m.events.Write(append(line, '\n')); err != nil {
		http.Error(w, "cannot record", http.StatusInternalServerError) // the node retries
		return
	}
	if err := m.events.Sync(); err != nil {
		http.Error(w, "cannot record", http.StatusInternalServerError)
		return
	}
	o := m.apply(ev)
	w.WriteHeader(http.StatusOK)
	if o != nil && ev.Type == order.EventLocked {
		m.log.Info("order locked", "order", o.ID, "ref", o.Ref, "acceptor", o.Acceptor)
		m.goPay(o.ID)
	} else if o != nil && ev.Type == order.EventCompleted {
		m.log.Info("order completed", "order", o.ID, "ref", o.Ref)
	}
}

// apply records an event in the order it concerns (m.mu held, or at
// start-up) and returns that order.
func (m *merchant) apply(ev client.WebhookEvent) *Order {
	m.seen[ev.ID] = true
	var d views.WebhookData
	if json.Unmarshal(ev.Data, &d) != nil || !strings.HasPrefix(ev.Type, "order.") || d.Attrs["id"] == "" {
		return nil
	}
	id := d.Attrs["id"]
	o := m.orders[id]
	if o == nil {
		o = &Order{ID: id}
		m.orders[id] = o
	}
	if ref := d.Attrs["merchant_ref"]; ref != "" {
		o.Ref = ref
	}
	if cur := d.Attrs["currency"]; cur != "" {
		o.Currency = cur
	}
	if a := d.Attrs["acceptor"]; a != "" {
		o.Acceptor = a
	}
	// Deliveries are not ordered (a retried one arrives after later
	// events): the events are kept in chain order, and the state is the
	// one of the latest event in that order.
	pos, _ := slices.BinarySearchFunc(o.EventIDs, ev.ID, func(a, b string) int { return chainOrder(a, b) })
	o.EventIDs = slices.Insert(o.EventIDs, pos, ev.ID)
	o.Events = slices.Insert(o.Events, pos, ev.Type)
	if s := d.Attrs["state"]; s != "" && pos == len(o.EventIDs)-1 {
		o.State = s
	}
	return o
}

// chainOrder compares event IDs ("<height>-<tx>-<index>") by their place
// in the chain.
func chainOrder(a, b string) int {
	pa, pb := strings.Split(a, "-"), strings.Split(b, "-")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.ParseUint(pa[i], 10, 64)
		y, _ := strconv.ParseUint(pb[i], 10, 64)
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	return cmp.Compare(len(pa), len(pb))
}

func (m *merchant) goPay(id string) {
	m.wg.Add(1)
	go func() { defer m.wg.Done(); m.pay(id) }()
}

// pay has the customer pay the acceptor (the stub bank feed), then marks
// the order paid on chain.
func (m *merchant) pay(id string) {
	m.mu.Lock()
	o := m.orders[id]
	if o == nil || m.paying[id] {
		m.mu.Unlock()
		return
	}
	if m.paying == nil {
		m.paying = map[string]bool{}
	}
	m.paying[id] = true
	ref, cur, minor := "PAY-"+o.Ref, o.Currency, o.FiatMinor
	m.mu.Unlock()
	oid, err := types.ParseHash(id)
	if err != nil {
		return
	}
	if minor == 0 || cur == "" { // created before this run: read it from the chain
		var v *views.Order
		if err := m.chain.Do(m.ctx, func(c *client.Client) (err error) { v, err = c.Order(m.ctx, oid); return err }); err != nil {
			m.log.Error("read order", "order", id, "err", err)
			return
		}
		cur, minor, ref = v.Currency, v.FiatMinor, "PAY-"+v.MerchantRef
	}
	if err := exampleutil.AppendPayment(m.bankFeed, exampleutil.Payment{Order: id, Reference: ref, Currency: cur, FiatMinor: minor, At: time.Now().Unix()}); err != nil {
		m.log.Error("bank payment", "order", id, "err", err)
		return
	}
	if _, err := m.chain.Send(m.ctx, m.signer, order.TypeMarkPaid, &order.MsgMarkPaid{ID: oid, PaymentRef: exampleutil.ReferenceHash(ref)}); err != nil {
		m.log.Error("mark paid", "order", id, "err", err)
		return
	}
	m.log.Info("order marked paid", "order", id, "payment_ref", ref)
	m.mu.Lock()
	o.Payment = ref
	m.mu.Unlock()
}

type createReq struct {
	Ref       string `json:"ref"`
	Currency  string `json:"currency"`
	FiatMinor uint64 `json:"fiat_minor"`
}

// createOrder creates an order on chain and answers once it is committed.
func (m *merchant) createOrder(w http.ResponseWriter, r *http.Request) {
	var req createReq
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 64<<10)).Decode(&req); err != nil || req.Ref == "" || req.Currency == "" || req.FiatMinor == 0 {
		http.Error(w, `want {"ref","currency","fiat_minor"}`, http.StatusBadRequest)
		return
	}
	id := order.OrderID(m.addr, req.Ref).Hex()
	m.mu.Lock()
	o := m.orders[id]
	if o == nil {
		o = &Order{ID: id}
		m.orders[id] = o
	}
	o.Ref, o.Currency, o.FiatMinor = req.Ref, req.Currency, req.FiatMinor
	m.mu.Unlock()
	rc, err := m.chain.Send(r.Context(), m.signer, order.TypeCreate, &order.MsgCreate{Currency: req.Currency, FiatAmount: req.FiatMinor, MerchantRef: req.Ref})
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	m.log.Info("order created", "order", id, "ref", req.Ref, "tx", rc.TxHash)
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"id": id, "tx": rc.TxHash})
}

// Orders is GET /orders' answer.
type Orders struct {
	Merchant   string   `json:"merchant"`
	Orders     []*Order `json:"orders"`
	Received   int      `json:"received"`   // distinct events recorded
	Duplicates int      `json:"duplicates"` // deliveries of an event already recorded
	Rejected   int      `json:"rejected"`   // deliveries whose signature failed
}

func (m *merchant) listOrders(w http.ResponseWriter, r *http.Request) {
	m.mu.Lock()
	out := Orders{Merchant: m.addr.Hex(), Received: len(m.seen), Duplicates: m.duplicates, Rejected: m.rejected}
	for _, o := range m.orders {
		c := *o
		c.Events, c.EventIDs = slices.Clone(o.Events), slices.Clone(o.EventIDs)
		out.Orders = append(out.Orders, &c)
	}
	m.mu.Unlock()
	slices.SortFunc(out.Orders, func(a, b *Order) int { return strings.Compare(a.Ref, b.Ref) })
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}
