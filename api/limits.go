package api

import (
	"context"
	"mime"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Limits bound what one client can make the server do. Zero fields take
// the defaults below; a negative one turns that limit off.
type Limits struct {
	// MaxBatchItems is the most requests in one JSON-RPC batch.
	MaxBatchItems int
	// MaxResponseBytes is the most bytes of one HTTP response: batch items
	// past it are answered with an error instead of their result.
	MaxResponseBytes int
	// MaxConcurrent bounds JSON-RPC requests served at once; past it a
	// request waits up to QueueWait, then gets 503.
	MaxConcurrent int
	QueueWait     time.Duration
	// RatePerIP and BurstPerIP are each client address's request budget
	// (token bucket); past it the answer is 429.
	RatePerIP  float64
	BurstPerIP int
	// Hosts are the names the Host header may carry, against DNS
	// rebinding: an IP literal is always accepted (rebinding needs a
	// name), a name only if listed; "*" accepts any. Default: localhost.
	Hosts []string

	// MaxWSConns and MaxWSConnsPerIP bound open WebSocket connections (a
	// connection outlives its request, so the request bounds above do not
	// hold it).
	MaxWSConns      int
	MaxWSConnsPerIP int
	// MaxSubsPerConn bounds one connection's subscriptions (HubLimits
	// bounds all of them together).
	MaxSubsPerConn int
	// MaxWSMessageBytes bounds one incoming WebSocket message; a larger
	// one closes the connection (status 1009).
	MaxWSMessageBytes int
	// WSWriteTimeout bounds writing one message (and answering a ping); a
	// client that does not read for that long is disconnected.
	WSWriteTimeout time.Duration
	// WSOrigins are the origins (host patterns, as path.Match; with a
	// scheme, "https://console.example.com") whose browser pages may open a
	// WebSocket. A page from the node's own host is always allowed, pages
	// of other origins are refused unless listed; "*" allows any. Clients
	// that send no Origin (not browsers) are not affected.
	WSOrigins []string
}

// Limit defaults.
const (
	DefaultMaxBatchItems     = 1000
	DefaultMaxResponseBytes  = 32 << 20
	DefaultMaxConcurrent     = 64
	DefaultQueueWait         = 2 * time.Second
	DefaultRatePerIP         = 2000
	DefaultMaxWSConns        = 256
	DefaultMaxWSConnsPerIP   = 32
	DefaultMaxSubsPerConn    = 64
	DefaultMaxWSMessageBytes = 1 << 20
	DefaultWSWriteTimeout    = 10 * time.Second
	// maxTrackedIPs bounds the per-IP limiter table; a sweep forgets idle
	// addresses, and past the bound new addresses share one bucket.
	maxTrackedIPs = 16384
)

func (l Limits) withDefaults() Limits {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&l.MaxBatchItems, DefaultMaxBatchItems)
	def(&l.MaxResponseBytes, DefaultMaxResponseBytes)
	def(&l.MaxConcurrent, DefaultMaxConcurrent)
	def(&l.MaxWSConns, DefaultMaxWSConns)
	def(&l.MaxWSConnsPerIP, DefaultMaxWSConnsPerIP)
	def(&l.MaxSubsPerConn, DefaultMaxSubsPerConn)
	def(&l.MaxWSMessageBytes, DefaultMaxWSMessageBytes)
	if l.WSWriteTimeout <= 0 {
		l.WSWriteTimeout = DefaultWSWriteTimeout
	}
	if l.QueueWait <= 0 {
		l.QueueWait = DefaultQueueWait
	}
	if l.RatePerIP == 0 {
		l.RatePerIP = DefaultRatePerIP
	}
	if l.BurstPerIP <= 0 {
		l.BurstPerIP = max(1, int(2*l.RatePerIP))
	}
	if len(l.Hosts) == 0 {
		l.Hosts = []string{"localhost"}
	}
	return l
}

// guard holds the state of the limits.
type guard struct {
	lim   Limits
	slots chan struct{}
	hosts map[string]bool
	any   bool

	mu       sync.Mutex
	perIP    map[string]*ipLimiter
	overflow *rate.Limiter
	swept    time.Time
}

type ipLimiter struct {
	l    *rate.Limiter
	seen time.Time
}

func newGuard(l Limits) *guard {
	l = l.withDefaults()
	g := &guard{lim: l, hosts: map[string]bool{}, perIP: map[string]*ipLimiter{}}
	if l.MaxConcurrent > 0 {
		g.slots = make(chan struct{}, l.MaxConcurrent)
	}
	for _, h := range l.Hosts {
		if h == "*" {
			g.any = true
		}
		g.hosts[strings.ToLower(h)] = true
	}
	if l.RatePerIP > 0 {
		g.overflow = rate.NewLimiter(rate.Limit(l.RatePerIP), l.BurstPerIP)
	}
	return g
}

// hostAllowed checks the Host header against the allow-list.
func (g *guard) hostAllowed(hostport string) bool {
	if g.any {
		return true
	}
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if net.ParseIP(host) != nil {
		return true
	}
	return g.hosts[strings.ToLower(host)]
}

// allowIP takes one token from the client address's bucket.
func (g *guard) allowIP(remote string) bool {
	if g.lim.RatePerIP < 0 {
		return true
	}
	ip := remote
	if h, _, err := net.SplitHostPort(remote); err == nil {
		ip = h
	}
	now := time.Now()
	g.mu.Lock()
	if now.Sub(g.swept) > time.Minute {
		for k, v := range g.perIP {
			if now.Sub(v.seen) > time.Minute {
				delete(g.perIP, k)
			}
		}
		g.swept = now
	}
	e := g.perIP[ip]
	if e == nil {
		if len(g.perIP) >= maxTrackedIPs {
			g.mu.Unlock()
			return g.overflow.Allow()
		}
		e = &ipLimiter{l: rate.NewLimiter(rate.Limit(g.lim.RatePerIP), g.lim.BurstPerIP)}
		g.perIP[ip] = e
	}
	e.seen = now
	g.mu.Unlock()
	return e.l.Allow()
}

// acquire takes a request slot, waiting up to QueueWait; release frees it.
func (g *guard) acquire(r *http.Request) (release func(), ok bool) { return g.acquireCtx(r.Context()) }

// acquireCtx is acquire for a request that ends with ctx (a WebSocket
// message).
func (g *guard) acquireCtx(ctx context.Context) (release func(), ok bool) {
	if g.slots == nil {
		return func() {}, true
	}
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, true
	default:
	}
	t := time.NewTimer(g.lim.QueueWait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, true
	case <-t.C:
	case <-ctx.Done():
	}
	return nil, false
}

// jsonContent reports whether a request body is declared JSON. Browsers
// send text/plain (and form types) cross-origin without a preflight, so
// anything else is refused: a web page cannot post to a local node.
func jsonContent(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "application/json"
}

// protect wraps the whole mux: the Host check applies to every route
// (health, metrics) since a rebinding page could read them too; the rate
// limit too.
func (s *Server) protect(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.guard.hostAllowed(r.Host) {
			http.Error(w, "host not allowed: "+r.Host+" (add it to rpc_hosts)", http.StatusForbidden)
			return
		}
		if !s.guard.allowIP(r.RemoteAddr) {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "too many requests from this address", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}
