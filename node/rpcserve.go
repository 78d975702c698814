package node

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"sync"
	"time"

	"github.com/accordnet/accord/api"
	"golang.org/x/net/netutil"
)

// RPC server bounds. A connection holds a file descriptor; 20,000
// slow-body connections once used every descriptor the process had, and
// p2p and the database starved with it. So connections are capped (the
// rest wait in the kernel's accept queue, holding no descriptor of ours),
// the cap leaves a reserve of descriptors, and every phase of a request
// has a deadline.
const (
	DefaultRPCMaxConns    = 512
	DefaultRPCReadTimeout = 10 * time.Second
	rpcReadHeaderTimeout  = 5 * time.Second
	rpcWriteTimeout       = 30 * time.Second
	rpcIdleTimeout        = 60 * time.Second
	rpcMaxHeaderBytes     = 64 << 10
	fdReserve             = 512 // descriptors kept for p2p, the database and the WAL
	defaultPprofAddr      = "127.0.0.1:6060"
)

// rpcLimits turns config into the API's limits.
func (c Config) rpcLimits() api.Limits {
	return api.Limits{MaxBatchItems: c.RPCMaxBatchItems, MaxResponseBytes: c.RPCMaxResponseBytes,
		MaxConcurrent: c.RPCMaxConcurrent, RatePerIP: c.RPCRatePerIP, Hosts: c.RPCHosts,
		MaxWSConns: c.RPCMaxWSConns, MaxWSConnsPerIP: c.RPCMaxWSConnsPerIP, MaxSubsPerConn: c.RPCMaxSubsPerConn,
		WSOrigins: c.RPCWSOrigins}
}

// hubLimits turns config into the subscription stream's limits.
func (c Config) hubLimits() api.HubLimits {
	return api.HubLimits{Buffer: c.RPCSubBuffer, MaxSubs: c.RPCMaxSubs, MaxReplay: c.RPCMaxReplay}
}

// rpcMaxConns is the connection cap: the configured one, lowered so that
// fdReserve descriptors stay free under the process's limit.
func (c Config) rpcMaxConns(nofile uint64) int {
	n := c.RPCMaxConns
	if n <= 0 {
		n = DefaultRPCMaxConns
	}
	if nofile > 0 {
		room := int64(nofile) - fdReserve
		n = int(max(16, min(int64(n), room/2)))
	}
	return n
}

// limitListener caps ln's open connections.
func (n *Node) limitListener(ln net.Listener) net.Listener {
	soft, hard, err := raiseFileLimit()
	if err != nil {
		n.log.Warn("cannot raise the open-file limit", "err", err)
	} else if soft < hard {
		n.log.Warn("open-file limit below its hard limit", "soft", soft, "hard", hard)
	}
	max := n.cfg.rpcMaxConns(soft)
	n.log.Debug("rpc connection cap", "conns", max, "nofile", soft)
	return netutil.LimitListener(ln, max)
}

// newHTTPServer is the RPC server with a deadline on every phase.
func (n *Node) newHTTPServer() *http.Server {
	read := DefaultRPCReadTimeout
	if n.cfg.RPCReadTimeoutMs > 0 {
		read = time.Duration(n.cfg.RPCReadTimeoutMs) * time.Millisecond
	}
	perIP := n.cfg.RPCMaxConnsPerIP
	if perIP <= 0 {
		perIP = DefaultRPCMaxConnsPerIP
	}
	return &http.Server{Handler: n.api, ReadHeaderTimeout: min(rpcReadHeaderTimeout, read), ReadTimeout: read,
		WriteTimeout: rpcWriteTimeout, IdleTimeout: rpcIdleTimeout, MaxHeaderBytes: rpcMaxHeaderBytes,
		ConnState: newPerIPConns(perIP).state,
		ErrorLog:  slog.NewLogLogger(n.log.With("component", "rpc").Handler(), slog.LevelWarn)}
}

// pprofAddr is where profiles are served ("" for nowhere).
func (c Config) pprofAddr() string {
	if c.PprofAddr != "" {
		return c.PprofAddr
	}
	if c.Pprof {
		return defaultPprofAddr
	}
	return ""
}

// checkPprofAddr refuses a profile listener off loopback: profiles expose
// internals and a CPU profile costs CPU while it runs.
func checkPprofAddr(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("config pprof_addr %q: %w", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("config pprof_addr %q: profiles are served on loopback only (127.0.0.1, ::1 or localhost)", addr)
	}
	return nil
}

// startPprof serves Go's runtime profiles on their own loopback listener.
func (n *Node) startPprof() error {
	addr := n.cfg.pprofAddr()
	if addr == "" {
		return nil
	}
	if err := checkPprofAddr(addr); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("pprof listen %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	// No write timeout: a CPU profile or trace streams for its duration.
	n.pprof = &http.Server{Handler: mux, ReadHeaderTimeout: rpcReadHeaderTimeout}
	n.pprofLn = ln
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.pprof.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("pprof server stopped", "err", err)
		}
	}()
	n.log.Info("serving profiles", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	return nil
}

// PprofAddr is the address profiles are served on ("" when off).
func (n *Node) PprofAddr() string {
	if n.pprofLn == nil {
		return ""
	}
	return n.pprofLn.Addr().String()
}

// DefaultRPCMaxConnsPerIP bounds one client address's share of the
// connection cap, so a single remote host cannot hold every slot.
const DefaultRPCMaxConnsPerIP = 128

// perIPConns closes a new connection whose address already holds max
// open ones. It runs as http.Server.ConnState.
type perIPConns struct {
	max int
	mu  sync.Mutex
	n   map[string]int
	ip  map[net.Conn]string
}

func newPerIPConns(max int) *perIPConns {
	return &perIPConns{max: max, n: map[string]int{}, ip: map[net.Conn]string{}}
}

func (p *perIPConns) state(c net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		ip, _, err := net.SplitHostPort(c.RemoteAddr().String())
		if err != nil {
			ip = c.RemoteAddr().String()
		}
		p.mu.Lock()
		p.n[ip]++
		p.ip[c] = ip
		over := p.n[ip] > p.max
		p.mu.Unlock()
		if over {
			c.Close() // the server then reports StateClosed
		}
	case http.StateClosed, http.StateHijacked:
		p.mu.Lock()
		if ip, ok := p.ip[c]; ok {
			delete(p.ip, c)
			if p.n[ip]--; p.n[ip] <= 0 {
				delete(p.n, ip)
			}
		}
		p.mu.Unlock()
	}
}
