package node

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
)

func openFDs(t *testing.T) int {
	t.Helper()
	es, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	return len(es)
}

// TestSlowBodyClientsCannotExhaustDescriptors opens many connections that
// send headers and never finish the body against a node with a small
// connection cap and read timeout: the node holds at most the cap of them,
// drops each after the timeout, keeps finalizing, and an honest request
// is answered.
func TestSlowBodyClientsCannotExhaustDescriptors(t *testing.T) {
	const maxConns, attackers = 16, 64
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), nil, -1, func(c *Config) {
		c.RPCMaxConns = maxConns
		c.RPCReadTimeoutMs = 500
	})
	s.start()
	addr := s.n.RPCAddr()
	fds0 := openFDs(t)
	conns := make([]net.Conn, 0, attackers)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range attackers {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
		conns = append(conns, c)
	}
	// Sample descriptors while an honest client waits for its answer.
	peak := 0
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		_, err := client.New("http://" + addr).Status(context.Background())
		done <- err
	}()
	h0 := s.n.Ledger().Last().Height
	var honest time.Duration
wait:
	for {
		peak = max(peak, openFDs(t))
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("honest request during the attack: %v", err)
			}
			honest = time.Since(start)
			break wait
		case <-time.After(20 * time.Millisecond):
		}
	}
	// Each attacker costs this process one client-side descriptor; the
	// server side may hold at most maxConns of them (plus the honest one).
	if extra := peak - fds0; extra > attackers+maxConns+8 {
		t.Fatalf("descriptors grew by %d with %d slow clients, want at most %d", extra, attackers, attackers+maxConns+8)
	}
	t.Logf("%d slow-body clients: descriptors +%d (cap %d), honest request answered in %v", attackers, peak-fds0, maxConns, honest.Round(time.Millisecond))
	if honest > 15*time.Second {
		t.Fatalf("honest request took %v", honest)
	}
	// The server drops a slow body at the read timeout.
	conns[0].SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadAll(conns[0]); err != nil && !strings.Contains(err.Error(), "reset") {
		t.Fatalf("slow connection not closed by the server: %v", err)
	}
	s.waitHeight(h0 + 2)
}

func (s *singleNode) waitHeight(h uint64) {
	s.t.Helper()
	ch, cancel := s.n.SubscribeCommits(16)
	defer cancel()
	deadline := time.After(30 * time.Second)
	for s.n.Ledger().Last().Height < h {
		select {
		case <-ch:
		case <-deadline:
			s.t.Fatalf("height %d not reached (at %d)", h, s.n.Ledger().Last().Height)
		}
	}
}

func TestPprofOnlyOnItsOwnLoopbackListener(t *testing.T) {
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), nil, -1, func(c *Config) { c.PprofAddr = "127.0.0.1:0" })
	s.start()
	get := func(url string) int {
		resp, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get("http://" + s.n.RPCAddr() + "/debug/pprof/"); code == http.StatusOK {
		t.Fatalf("pprof served on the RPC listener")
	}
	if code := get("http://" + s.n.PprofAddr() + "/debug/pprof/"); code != http.StatusOK {
		t.Fatalf("pprof on its listener: %d, want 200", code)
	}
	for _, addr := range []string{"0.0.0.0:6060", "10.1.2.3:6060", ":6060"} {
		c := DefaultConfig()
		c.PprofAddr = addr
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "loopback only") {
			t.Errorf("pprof_addr %q: err %v, want a loopback-only refusal", addr, err)
		}
	}
}

func TestRPCConnectionCapKeepsAReserve(t *testing.T) {
	cases := []struct {
		cfg    int
		nofile uint64
		want   int
	}{
		{0, 1 << 20, DefaultRPCMaxConns},
		{100, 1 << 20, 100},
		{0, 1024, 256},  // (1024-512)/2
		{0, 600, 44},    // (600-512)/2
		{0, 500, 16},    // never below 16
		{5000, 0, 5000}, // limit unknown
	}
	for _, tc := range cases {
		if got := (Config{RPCMaxConns: tc.cfg}).rpcMaxConns(tc.nofile); got != tc.want {
			t.Errorf("cap %d with nofile %d: %d, want %d", tc.cfg, tc.nofile, got, tc.want)
		}
	}
}

type addrConn struct {
	net.Conn
	remote net.Addr
	closed bool
}

func (c *addrConn) RemoteAddr() net.Addr { return c.remote }
func (c *addrConn) Close() error         { c.closed = true; return nil }

func TestPerIPConnectionCap(t *testing.T) {
	p := newPerIPConns(2)
	conn := func(ip string, port int) *addrConn {
		return &addrConn{remote: &net.TCPAddr{IP: net.ParseIP(ip), Port: port}}
	}
	a1, a2, a3 := conn("10.0.0.1", 1), conn("10.0.0.1", 2), conn("10.0.0.1", 3)
	b1 := conn("10.0.0.2", 1)
	for _, c := range []*addrConn{a1, a2, a3, b1} {
		p.state(c, http.StateNew)
	}
	if a1.closed || a2.closed || !a3.closed || b1.closed {
		t.Fatalf("closed a1=%v a2=%v a3=%v b1=%v, want only a3 (third from one address)", a1.closed, a2.closed, a3.closed, b1.closed)
	}
	p.state(a3, http.StateClosed)
	p.state(a1, http.StateClosed)
	a4 := conn("10.0.0.1", 4)
	p.state(a4, http.StateNew)
	if a4.closed {
		t.Fatal("a slot freed by a closed connection was not reused")
	}
	p.state(a2, http.StateClosed)
	p.state(a4, http.StateClosed)
	p.state(b1, http.StateClosed)
	if len(p.n) != 0 || len(p.ip) != 0 {
		t.Fatalf("bookkeeping left %v %v", p.n, p.ip)
	}
}
