package api

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/coder/websocket"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
)

// wsPingInterval is how often an idle connection is pinged, so a peer that
// vanished without closing frees its slot.
const wsPingInterval = 30 * time.Second

// wsState counts the open WebSocket connections and ends them on Close.
type wsState struct {
	mu    sync.Mutex
	n     int
	perIP map[string]int
	wg    sync.WaitGroup
	ctx   context.Context
	stop  context.CancelFunc
}

func newWSState() *wsState {
	ctx, stop := context.WithCancel(context.Background())
	return &wsState{perIP: map[string]int{}, ctx: ctx, stop: stop}
}

// admit takes a connection slot for ip, or reports why not.
func (st *wsState) admit(lim Limits, ip string) (release func(), err error) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.ctx.Err() != nil {
		return nil, ErrHubClosed
	}
	if lim.MaxWSConns > 0 && st.n >= lim.MaxWSConns {
		return nil, fmt.Errorf("too many WebSocket connections (limit %d)", lim.MaxWSConns)
	}
	if lim.MaxWSConnsPerIP > 0 && st.perIP[ip] >= lim.MaxWSConnsPerIP {
		return nil, fmt.Errorf("too many WebSocket connections from %s (limit %d)", ip, lim.MaxWSConnsPerIP)
	}
	st.n++
	st.perIP[ip]++
	st.wg.Add(1)
	return func() {
		st.mu.Lock()
		st.n--
		if st.perIP[ip]--; st.perIP[ip] <= 0 {
			delete(st.perIP, ip)
		}
		st.mu.Unlock()
		st.wg.Done()
	}, nil
}

// WSConns is the number of open WebSocket connections.
func (s *Server) WSConns() int {
	s.ws.mu.Lock()
	defer s.ws.mu.Unlock()
	return s.ws.n
}

// SetHub enables accord_subscribe on /ws, fed by h (Run it beside the
// server).
func (s *Server) SetHub(h *Hub) { s.hub = h }

// Close ends every WebSocket connection and waits for their goroutines, so
// nothing reads the ledger after it returns. (http.Server.Shutdown does not
// wait for hijacked connections.)
func (s *Server) Close() {
	s.ws.stop()
	s.ws.wg.Wait()
}

func remoteIP(remote string) string {
	if h, _, err := net.SplitHostPort(remote); err == nil {
		return h
	}
	return remote
}

// serveWS upgrades GET /ws to a WebSocket carrying JSON-RPC 2.0: every
// method of the HTTP endpoint, and subscriptions.
func (s *Server) serveWS(w http.ResponseWriter, r *http.Request) {
	lim := s.guard.lim
	release, err := s.ws.admit(lim, remoteIP(r.RemoteAddr))
	if err != nil {
		w.Header().Set("Retry-After", "1")
		http.Error(w, err.Error(), http.StatusServiceUnavailable)
		return
	}
	defer release()
	// The HTTP server's read and write deadlines were for one request;
	// net/http clears them when the connection is hijacked, and the socket
	// then lives on, bounded by its write timeout and pings.
	opts := &websocket.AcceptOptions{}
	for _, o := range lim.WSOrigins {
		if o == "*" {
			opts.InsecureSkipVerify = true
		}
	}
	if !opts.InsecureSkipVerify {
		opts.OriginPatterns = lim.WSOrigins
	}
	c, err := websocket.Accept(w, r, opts) // refuses a foreign Origin with 403
	if err != nil {
		s.log.Debug("websocket upgrade refused", "remote", r.RemoteAddr, "err", err)
		return
	}
	if lim.MaxWSMessageBytes > 0 {
		c.SetReadLimit(int64(lim.MaxWSMessageBytes))
	} else {
		c.SetReadLimit(-1)
	}
	ctx, cancel := context.WithCancel(s.ws.ctx)
	conn := &wsConn{s: s, c: c, ctx: ctx, cancel: cancel, remote: r.RemoteAddr, out: make(chan []byte, 64),
		subs: map[string]*wsSub{}}
	conn.local = map[string]Method{wire.MethodSubscribe: conn.subscribe, wire.MethodUnsubscribe: conn.unsubscribe}
	conn.run()
}

// wsConn is one WebSocket connection: a reader that runs requests in
// order, a writer that owns the socket's write side, and the
// subscriptions' goroutines that feed it.
type wsConn struct {
	s      *Server
	c      *websocket.Conn
	ctx    context.Context
	cancel context.CancelFunc
	remote string
	out    chan []byte
	local  map[string]Method

	mu      sync.Mutex
	subs    map[string]*wsSub
	pending []*wsSub // subscribed by the request being answered; started once the answer is queued
	subWG   sync.WaitGroup
}

func (c *wsConn) run() {
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.writeLoop()
	}()
	c.readLoop()
	c.cancel()
	// Subscriptions made by a request whose answer could not be queued
	// never started; give their slots back.
	c.mu.Lock()
	for _, sub := range c.pending {
		c.s.hub.unsubscribe(sub.hs)
	}
	c.pending = nil
	c.mu.Unlock()
	c.subWG.Wait()
	<-done
	_ = c.c.Close(websocket.StatusNormalClosure, "")
	_ = c.c.CloseNow()
}

func (c *wsConn) readLoop() {
	for {
		_, data, err := c.c.Read(c.ctx)
		if err != nil {
			return
		}
		out := c.process(data)
		if out != nil && !c.enqueue(c.ctx, out) {
			return
		}
		c.mu.Lock()
		start := c.pending
		c.pending = nil
		c.mu.Unlock()
		for _, sub := range start {
			c.subWG.Add(1)
			go c.runSub(sub)
		}
	}
}

// process answers one message (a request or a batch); nil when it was
// only notifications.
func (c *wsConn) process(data []byte) []byte {
	s := c.s
	data = bytes.TrimSpace(data)
	refuse := func(code int, msg string) []byte {
		out, _ := json.Marshal(response{JSONRPC: wire.Version, ID: json.RawMessage("null"), Error: errorf(code, msg)})
		return out
	}
	if !s.guard.allowIP(c.remote) {
		return refuse(wire.CodeLimit, "too many requests from this address")
	}
	release, ok := s.guard.acquireCtx(c.ctx)
	if !ok {
		return refuse(wire.CodeLimit, "server busy: too many requests in progress")
	}
	defer release()
	if len(data) > 0 && data[0] == '[' {
		reqs, err := splitBatch(data, s.guard.lim.MaxBatchItems)
		if err != nil {
			out, _ := json.Marshal(response{JSONRPC: wire.Version, ID: json.RawMessage("null"), Error: err})
			return out
		}
		return bytes.TrimSpace(s.batch(reqs, c.local))
	}
	return s.encodeOne(s.handle(data, c.local))
}

// enqueue hands a message to the writer; false once the connection ends.
func (c *wsConn) enqueue(ctx context.Context, msg []byte) bool {
	select {
	case c.out <- msg:
		return true
	case <-ctx.Done():
		return false
	}
}

func (c *wsConn) writeLoop() {
	lim := c.s.guard.lim
	ping := time.NewTicker(wsPingInterval)
	defer ping.Stop()
	write := func(f func(context.Context) error) bool {
		ctx, cancel := context.WithTimeout(c.ctx, lim.WSWriteTimeout)
		defer cancel()
		if err := f(ctx); err != nil {
			// A client that does not read within the timeout is cut off:
			// its messages would otherwise pile up in the node.
			c.cancel()
			return false
		}
		return true
	}
	for {
		select {
		case <-c.ctx.Done():
			return
		case m := <-c.out:
			if !write(func(ctx context.Context) error { return c.c.Write(ctx, websocket.MessageText, m) }) {
				return
			}
		case <-ping.C:
			if !write(c.c.Ping) {
				return
			}
		}
	}
}

// wsSub is one subscription of a connection.
type wsSub struct {
	id     string
	f      filter
	from   views.Cursor
	head   uint64 // replayed up to here from the source; the hub sends what follows
	replay bool   // a cursor was given: replay (from, head] first
	hs     *hubSub
	ctx    context.Context
	cancel context.CancelFunc
}

func newSubID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "0x" + hex.EncodeToString(b[:])
}

// decodeSubscribe reads accord_subscribe's one parameter, refusing fields
// it does not know (a misspelt filter would otherwise widen the stream).
func decodeSubscribe(p json.RawMessage) (views.Subscribe, error) {
	var raw json.RawMessage
	var req views.Subscribe
	if err := Params(p, 1, &raw); err != nil {
		return req, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return req, errorf(wire.CodeInvalidParams, "subscription: "+err.Error())
	}
	if req.From != nil && req.From.Index < -1 {
		return req, errorf(wire.CodeInvalidParams, "from.index must be -1 or more")
	}
	return req, nil
}

func (c *wsConn) subscribe(p json.RawMessage) (any, error) {
	hub := c.s.hub
	if hub == nil {
		return nil, errorf(wire.CodeUnavailable, "this node serves no subscriptions")
	}
	req, err := decodeSubscribe(p)
	if err != nil {
		return nil, err
	}
	f, err := parseFilter(req)
	if err != nil {
		return nil, InvalidParams(err)
	}
	lim := c.s.guard.lim
	c.mu.Lock()
	n := len(c.subs)
	c.mu.Unlock()
	if lim.MaxSubsPerConn > 0 && n >= lim.MaxSubsPerConn {
		return nil, errorf(wire.CodeLimit, "too many subscriptions on this connection (limit "+strconv.Itoa(lim.MaxSubsPerConn)+")")
	}
	hs, head, err := hub.subscribe()
	if err != nil {
		code := wire.CodeLimit
		if errors.Is(err, ErrHubClosed) {
			code = wire.CodeUnavailable
		}
		return nil, errorf(code, err.Error())
	}
	// Without a cursor the stream starts after the current head.
	from, replay := views.Cursor{Height: head, Index: math.MaxInt}, req.From != nil
	if replay {
		from = *req.From
		if head > from.Height && head-from.Height > hub.lim.MaxReplay {
			hub.unsubscribe(hs)
			return nil, errorf(wire.CodeLimit, fmt.Sprintf("cursor at height %d is %d blocks behind the head %d; this node replays at most %d: "+
				"read the gap with accord_getBlockByHeight and accord_getTransactionReceipt, then subscribe from a later cursor",
				from.Height, head-from.Height, head, hub.lim.MaxReplay))
		}
	}
	ctx, cancel := context.WithCancel(c.ctx)
	sub := &wsSub{id: newSubID(), f: f, from: from, head: head, replay: replay, hs: hs, ctx: ctx, cancel: cancel}
	c.mu.Lock()
	c.subs[sub.id] = sub
	c.pending = append(c.pending, sub)
	c.mu.Unlock()
	return sub.id, nil
}

func (c *wsConn) unsubscribe(p json.RawMessage) (any, error) {
	var id string
	if err := Params(p, 1, &id); err != nil {
		return nil, err
	}
	c.mu.Lock()
	sub, ok := c.subs[id]
	delete(c.subs, id)
	c.mu.Unlock()
	if ok {
		// Freed now, so the caller can subscribe again at once.
		c.s.hub.unsubscribe(sub.hs)
		sub.cancel()
	}
	return ok, nil
}

// notification encodes an accord_subscription notification around an
// encoded result (or an error).
func notification(id string, result json.RawMessage, e *wire.Error) []byte {
	if e != nil {
		out, _ := json.Marshal(wire.Notification[wire.SubscriptionParams]{JSONRPC: wire.Version, Method: wire.MethodNotification,
			Params: wire.SubscriptionParams{Subscription: id, Error: e}})
		return out
	}
	// The result is encoded once per block for every subscriber; splicing
	// it in (the id is hex, nothing to escape) keeps json.Marshal from
	// re-validating it per subscriber, which was most of the fan-out's cost.
	out := make([]byte, 0, len(notePrefix)+len(id)+len(noteMiddle)+len(result)+2)
	out = append(out, notePrefix...)
	out = append(out, id...)
	out = append(out, noteMiddle...)
	out = append(out, result...)
	return append(out, "}}"...)
}

const (
	notePrefix = `{"jsonrpc":"2.0","method":"` + wire.MethodNotification + `","params":{"subscription":"`
	noteMiddle = `","result":`
)

// runSub replays the subscription's gap from the source, then forwards
// what the hub hands it. Replay and live blocks are encoded by the same
// code, and the hub sends only blocks after the head replay stopped at, so
// a resumed stream has neither a gap nor a repeat.
func (c *wsConn) runSub(sub *wsSub) {
	defer c.subWG.Done()
	defer c.s.hub.unsubscribe(sub.hs)
	defer func() {
		c.mu.Lock()
		delete(c.subs, sub.id)
		c.mu.Unlock()
	}()
	send := func(_ views.Cursor, res json.RawMessage) error {
		if !c.enqueue(sub.ctx, notification(sub.id, res, nil)) {
			return context.Canceled
		}
		return nil
	}
	end := func(code int, msg string) { c.enqueue(sub.ctx, notification(sub.id, nil, errorf(code, msg))) }
	for h := max(sub.from.Height, 1); sub.replay && h <= sub.head; h++ {
		if sub.ctx.Err() != nil {
			return
		}
		blk, err := c.s.hub.src.Load(h)
		if err != nil {
			end(wire.CodeSubscriptionDropped, fmt.Sprintf("subscription ended: replay of block %d: %v", h, err))
			return
		}
		if sub.f.each(blk, sub.from, send) != nil {
			return
		}
	}
	for {
		select {
		case <-sub.ctx.Done():
			return
		case blk, ok := <-sub.hs.ch:
			if !ok {
				c.s.hub.mu.Lock()
				reason := sub.hs.reason
				c.s.hub.mu.Unlock()
				if reason != "" {
					end(wire.CodeSubscriptionDropped, reason)
				}
				return
			}
			if blk.Height <= sub.head {
				continue
			}
			if sub.f.each(blk, sub.from, send) != nil {
				return
			}
		}
	}
}
