package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
)

// Note is one notification of a subscription: its cursor and its result,
// a views.BlockNote for newBlocks and a views.EventNote for every other
// topic (decode it with Block or Event).
type Note struct {
	Cursor views.Cursor
	Result json.RawMessage
}

// Block decodes a newBlocks notification.
func (n Note) Block() (views.BlockNote, error) {
	var b views.BlockNote
	return b, json.Unmarshal(n.Result, &b)
}

// Event decodes an event notification.
func (n Note) Event() (views.EventNote, error) {
	var e views.EventNote
	return e, json.Unmarshal(n.Result, &e)
}

// Subscription is a stream that survives disconnections: when the
// connection drops (or the node drops a subscriber that fell behind) it
// reconnects with backoff and resubscribes from the last cursor delivered,
// so the stream has neither a gap nor a repeat. Notes closes when the
// context ends, Close is called, or the node refuses the subscription for
// good (Err says why).
type Subscription struct {
	notes  chan Note
	cancel context.CancelFunc
	done   chan struct{}

	mu     sync.Mutex
	err    error
	cursor views.Cursor
}

// Notes delivers the notifications in order.
func (s *Subscription) Notes() <-chan Note { return s.notes }

// Err is why the stream ended (nil after Close or the context's end).
func (s *Subscription) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Cursor is the cursor of the last notification delivered (exact once
// the stream has ended; while it runs, each Note carries its own): pass it
// as From to pick up the stream in another process.
func (s *Subscription) Cursor() views.Cursor {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursor
}

// Close ends the stream and waits for its goroutine. It closes the
// subscription's WebSocket, which ends the subscription on the node, so
// the SDK has no call for accord_unsubscribe (one subscription a
// connection leaves it nothing to do).
func (s *Subscription) Close() {
	s.cancel()
	<-s.done
}

// SubscribeOptions tune a subscription; the zero value is the default.
type SubscribeOptions struct {
	// MinBackoff and MaxBackoff bound the wait between reconnection
	// attempts (default 100 ms doubling to 5 s).
	MinBackoff, MaxBackoff time.Duration
	// OnReconnect, if set, is called before each reconnection with the
	// error that ended the previous connection.
	OnReconnect func(err error)
}

// errPermanent marks a refusal reconnecting cannot fix.
type errPermanent struct{ error }

func (e errPermanent) Unwrap() error { return e.error }

// WSURL is the node's WebSocket endpoint for the client's URL.
func (c *Client) WSURL() string {
	u := c.URL
	switch {
	case strings.HasPrefix(u, "https://"):
		u = "wss://" + strings.TrimPrefix(u, "https://")
	case strings.HasPrefix(u, "http://"):
		u = "ws://" + strings.TrimPrefix(u, "http://")
	}
	return u + "/ws"
}

// Subscribe opens a subscription (see views.Subscribe for topics and
// filters). Without req.From the stream starts after the node's head at
// the time of the call. The first subscription is made before Subscribe
// returns, so a refused one is its error.
func (c *Client) Subscribe(ctx context.Context, req views.Subscribe, opt SubscribeOptions) (*Subscription, error) {
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = 100 * time.Millisecond
	}
	if opt.MaxBackoff < opt.MinBackoff {
		opt.MaxBackoff = max(5*time.Second, opt.MinBackoff)
	}
	ctx, cancel := context.WithCancel(ctx)
	s := &Subscription{notes: make(chan Note), cancel: cancel, done: make(chan struct{})}
	conn, id, err := c.openSub(ctx, &req)
	if err != nil {
		cancel()
		return nil, err
	}
	if req.From != nil {
		s.cursor = *req.From
	}
	go s.run(ctx, c, req, opt, conn, id)
	return s, nil
}

// openSub connects and subscribes. A request without a cursor gets the
// node's head as its cursor first, so that a later reconnection resumes
// from there rather than from whatever head the node has then.
func (c *Client) openSub(ctx context.Context, req *views.Subscribe) (*websocket.Conn, string, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, _, err := websocket.Dial(dctx, c.WSURL(), nil)
	if err != nil {
		return nil, "", fmt.Errorf("node %s unreachable: %w", c.WSURL(), err)
	}
	conn.SetReadLimit(maxResponse)
	fail := func(err error) (*websocket.Conn, string, error) {
		_ = conn.CloseNow()
		return nil, "", err
	}
	if req.From == nil {
		var st views.Status
		if err := wsCall(dctx, conn, "accord_status", &st); err != nil {
			return fail(err)
		}
		req.From = &views.Cursor{Height: st.Height, Index: math.MaxInt32}
	}
	var id string
	if err := wsCall(dctx, conn, wire.MethodSubscribe, &id, *req); err != nil {
		var we *wire.Error
		if errors.As(err, &we) && (we.Code == wire.CodeInvalidParams || strings.Contains(we.Message, "replays at most")) {
			err = errPermanent{err}
		}
		return fail(err)
	}
	return conn, id, nil
}

// wsCall makes one call on a connection that carries no notifications yet.
func wsCall(ctx context.Context, conn *websocket.Conn, method string, out any, params ...any) error {
	if params == nil {
		params = []any{}
	}
	raw, err := json.Marshal(wire.Request[[]any]{JSONRPC: wire.Version, ID: json.RawMessage("1"), Method: method, Params: params})
	if err != nil {
		return err
	}
	if err := conn.Write(ctx, websocket.MessageText, raw); err != nil {
		return err
	}
	_, data, err := conn.Read(ctx)
	if err != nil {
		return err
	}
	var r wire.Response[json.RawMessage]
	if err := json.Unmarshal(data, &r); err != nil {
		return fmt.Errorf("%w (%v)", ErrNotRPC, err)
	}
	if r.Error != nil {
		return r.Error
	}
	return json.Unmarshal(r.Result, out)
}

func (s *Subscription) run(ctx context.Context, c *Client, req views.Subscribe, opt SubscribeOptions, conn *websocket.Conn, id string) {
	defer close(s.done)
	defer close(s.notes)
	backoff := opt.MinBackoff
	for {
		err := s.stream(ctx, conn, id)
		_ = conn.CloseNow()
		for {
			if ctx.Err() != nil {
				return
			}
			if opt.OnReconnect != nil {
				opt.OnReconnect(err)
			}
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, opt.MaxBackoff)
			from := s.Cursor()
			req.From = &from
			conn, id, err = c.openSub(ctx, &req)
			var perm errPermanent
			if errors.As(err, &perm) {
				s.mu.Lock()
				s.err = perm.error
				s.mu.Unlock()
				return
			}
			if err == nil {
				backoff = opt.MinBackoff
				break
			}
		}
	}
}

// stream delivers one connection's notifications until it fails.
func (s *Subscription) stream(ctx context.Context, conn *websocket.Conn, id string) error {
	for {
		_, data, err := conn.Read(ctx)
		if err != nil {
			return err
		}
		var n wire.Notification[wire.SubscriptionParams]
		if err := json.Unmarshal(data, &n); err != nil || n.Method != wire.MethodNotification || n.Params.Subscription != id {
			continue // not ours (a response to nothing we asked, or noise)
		}
		if e := n.Params.Error; e != nil {
			return fmt.Errorf("node ended the subscription (%d): %s", e.Code, e.Message)
		}
		var head struct {
			Cursor views.Cursor `json:"cursor"`
		}
		if err := json.Unmarshal(n.Params.Result, &head); err != nil {
			return fmt.Errorf("notification without a cursor: %w", err)
		}
		// A node that replays from an older cursor than asked (another
		// node after a failover) must not repeat what was delivered.
		last := s.Cursor()
		if !head.Cursor.After(last) {
			continue
		}
		select {
		case s.notes <- Note{Cursor: head.Cursor, Result: n.Params.Result}:
		case <-ctx.Done():
			return ctx.Err()
		}
		s.setCursor(head.Cursor)
	}
}

func (s *Subscription) setCursor(c views.Cursor) {
	s.mu.Lock()
	s.cursor = c
	s.mu.Unlock()
}
