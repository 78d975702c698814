package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/types"
)

// ErrNotRPC is returned when the URL answers, but not as an Accord node's
// RPC: another protocol on the port (such as a node's libp2p port, which
// answers "/multistream/1.0.0"), or an HTTP server that does not speak
// JSON-RPC 2.0.
var ErrNotRPC = errors.New("not an Accord RPC port")

// maxResponse bounds the bytes read from one answer (a block of many
// transactions is a few MB).
const maxResponse = 256 << 20

// notHTTP reports whether a request failed because the port answers
// something other than HTTP, and what it said. net/http has no error type
// for this, and its message depends on timing (a libp2p port speaks first,
// often before the request is written), so a port that accepted the
// connection is asked once more, by hand, and its first bytes are looked at.
func (c *Client) notHTTP(ctx context.Context, err error) (string, bool) {
	var op *net.OpError
	if ctx.Err() != nil || (errors.As(err, &op) && op.Op == "dial") {
		return "", false
	}
	u, perr := url.Parse(c.URL)
	if perr != nil || u.Scheme != "http" {
		return "", false
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "80")
	}
	pctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	conn, derr := (&net.Dialer{}).DialContext(pctx, "tcp", host)
	if derr != nil {
		return "", false
	}
	defer conn.Close()
	if dl, ok := pctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	_, _ = io.WriteString(conn, "POST / HTTP/1.1\r\nHost: "+u.Host+"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
	buf := make([]byte, 64)
	n, _ := io.ReadAtLeast(conn, buf, 5)
	if n == 0 {
		return "", false
	}
	if bytes.HasPrefix(buf[:n], []byte("HTTP/")) {
		return "", false
	}
	return fmt.Sprintf("it answered %q, not HTTP", buf[:n]), true
}

// describe sums up a non-JSON-RPC answer for an error message.
func describe(resp *http.Response, body []byte) string {
	kind := resp.Header.Get("Content-Type")
	if kind == "" {
		kind = "no content type"
	}
	const show = 40
	snippet := string(body)
	if len(snippet) > show {
		snippet = snippet[:show] + "..."
	}
	return fmt.Sprintf("%s %q", kind, snippet)
}

// Client talks JSON-RPC 2.0 to one node.
type Client struct {
	URL  string
	HTTP *http.Client
	id   atomic.Uint64
}

// New returns a client for a node URL such as http://127.0.0.1:26657.
func New(url string) *Client {
	if !strings.Contains(url, "://") {
		url = "http://" + url
	}
	return &Client{URL: strings.TrimRight(url, "/"), HTTP: &http.Client{Timeout: 30 * time.Second, Transport: transport}}
}

// transport is http.DefaultTransport whose connections hold back what the
// server says until the request is written. A server that speaks first (a
// libp2p port sends "/multistream/1.0.0" on connect) then fails the
// request as a malformed response instead of making net/http log
// "Unsolicited response received on idle HTTP channel" to stderr.
var transport = func() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	var d net.Dialer
	t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		conn, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		return &listenAfterAsking{Conn: conn, asked: make(chan struct{})}, nil
	}
	return t
}()

// listenAfterAsking is a client connection whose reads wait for the first
// write (or Close).
type listenAfterAsking struct {
	net.Conn
	once  sync.Once
	asked chan struct{}
}

func (c *listenAfterAsking) Write(b []byte) (int, error) {
	c.once.Do(func() { close(c.asked) })
	return c.Conn.Write(b)
}

func (c *listenAfterAsking) Read(b []byte) (int, error) {
	<-c.asked
	return c.Conn.Read(b)
}

func (c *listenAfterAsking) Close() error {
	c.once.Do(func() { close(c.asked) })
	return c.Conn.Close()
}

// Call invokes a method with positional params and decodes the result into
// out. A refusal by the node is a *wire.Error carrying its stable code.
func (c *Client) Call(ctx context.Context, method string, out any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	id := strconv.AppendUint(nil, c.id.Add(1), 10)
	body, err := json.Marshal(wire.Request[[]any]{JSONRPC: wire.Version, ID: id, Method: method, Params: params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL+"/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		if detail, ok := c.notHTTP(ctx, err); ok {
			return fmt.Errorf("%s is %w (%s)", c.URL, ErrNotRPC, detail)
		}
		return fmt.Errorf("node %s unreachable: %w", c.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	var r wire.Response[json.RawMessage]
	if err := json.Unmarshal(raw, &r); err != nil || r.JSONRPC != wire.Version {
		return fmt.Errorf("%s is %w (HTTP %s answered %s, not JSON-RPC 2.0)", c.URL, ErrNotRPC, resp.Status, describe(resp, raw))
	}
	if r.Error != nil {
		return r.Error
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(r.Result, out)
}

// Status returns the node's status.
func (c *Client) Status(ctx context.Context) (*views.Status, error) {
	var s views.Status
	return &s, c.Call(ctx, "accord_status", &s)
}

// Methods returns the names of the methods the node serves (they differ
// between a main and a side chain's profile).
func (c *Client) Methods(ctx context.Context) ([]string, error) {
	var v []string
	return v, c.Call(ctx, "accord_methods", &v)
}

// EventTypes returns every event type the node's modules declare, with
// its attribute keys.
func (c *Client) EventTypes(ctx context.Context) ([]views.EventType, error) {
	var v []views.EventType
	return v, c.Call(ctx, "accord_eventTypes", &v)
}

// Evidence lists the equivocations the node recorded from height from on.
func (c *Client) Evidence(ctx context.Context, from uint64) ([]views.Evidence, error) {
	var out []views.Evidence
	return out, c.Call(ctx, "accord_getEvidence", &out, from)
}

// Account returns an account.
func (c *Client) Account(ctx context.Context, a types.Address) (*views.Account, error) {
	var v views.Account
	return &v, c.Call(ctx, "accord_getAccount", &v, a.Hex())
}

// Block returns the block at height (0 = latest).
func (c *Client) Block(ctx context.Context, height uint64) (*views.Block, error) {
	var v views.Block
	var h any = height
	if height == 0 {
		h = "latest"
	}
	return &v, c.Call(ctx, "accord_getBlockByHeight", &v, h)
}

// Receipt returns a transaction's receipt, or nil if it is not committed yet.
func (c *Client) Receipt(ctx context.Context, h types.Hash) (*views.Receipt, error) {
	var v *views.Receipt
	if err := c.Call(ctx, "accord_getTransactionReceipt", &v, h.Hex()); err != nil {
		return nil, err
	}
	return v, nil
}

// Tx returns a committed transaction, or nil.
func (c *Client) Tx(ctx context.Context, h types.Hash) (*views.Tx, error) {
	var v *views.Tx
	if err := c.Call(ctx, "accord_getTransaction", &v, h.Hex()); err != nil {
		return nil, err
	}
	return v, nil
}

// SendTx submits a signed transaction and returns its hash.
func (c *Client) SendTx(ctx context.Context, tx *types.Tx) (types.Hash, error) {
	var r views.SendResult
	if err := c.Call(ctx, "accord_sendRawTransaction", &r, views.Hex0x(tx.Encode())); err != nil {
		return types.Hash{}, err
	}
	return types.ParseHash(r.Hash)
}

// SendTxs submits many signed transactions in one call; each result has a
// hash or the reason it was refused.
func (c *Client) SendTxs(ctx context.Context, txs []*types.Tx) ([]views.BatchResult, error) {
	hexes := make([]string, len(txs))
	for i, tx := range txs {
		hexes[i] = views.Hex0x(tx.Encode())
	}
	var out []views.BatchResult
	if err := c.Call(ctx, "accord_sendRawTransactions", &out, hexes); err != nil {
		return nil, err
	}
	if len(out) != len(txs) {
		return nil, fmt.Errorf("node answered %d results for %d transactions", len(out), len(txs))
	}
	return out, nil
}

// ErrTimeout is returned by WaitReceipt when the context ends first.
var ErrTimeout = errors.New("timed out waiting for the transaction to be committed")

// WaitReceipt polls until the transaction is in a committed block.
func (c *Client) WaitReceipt(ctx context.Context, h types.Hash) (*views.Receipt, error) {
	delay := 50 * time.Millisecond
	for {
		r, err := c.Receipt(ctx, h)
		if err != nil {
			return nil, err
		}
		if r != nil {
			return r, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w: %s", ErrTimeout, h.Hex())
		case <-time.After(delay):
		}
		if delay < 500*time.Millisecond {
			delay = delay * 3 / 2
		}
	}
}
