package testnet

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/node"
)

// Bounds TestHostileClientsAgainstALiveNode states.
const (
	hostileRSSBoundMB   = 400
	hostileHonestBound  = 10 * time.Second // measured worst 2-4.6 s on a shared 2-core box
	hostileAttackLength = 8 * time.Second
)

var rpcLogRe = regexp.MustCompile(`rpc=http://(\S+)`)

// rssMB reads a process's resident set size.
func rssMB(t *testing.T, pid int) int {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Skipf("no /proc: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSuffix(strings.TrimSpace(rest), " kB"))
			return kb / 1024
		}
	}
	return 0
}

// TestHostileClientsAgainstALiveNode runs the attacks of issue 13 against
// a node process for a bounded time, all at once: million-item batches
// from clients that never read, slow-body connections that reconnect when
// dropped, text/plain posts. The node's RSS stays under a bound, it keeps
// finalizing, and an honest client keeps getting answers.
func TestHostileClientsAgainstALiveNode(t *testing.T) {
	home := t.TempDir()
	mustCLI(t, "init", "--home", home, "--chain-id", "hostile", "--rpc.addr", "127.0.0.1:0")
	cfg, err := node.LoadConfig(node.Home(home))
	if err != nil {
		t.Fatal(err)
	}
	cfg.RPCMaxConns, cfg.RPCReadTimeoutMs = 64, 500
	if err := node.SaveConfig(node.Home(home), cfg); err != nil {
		t.Fatal(err)
	}
	p, err := StartProcess(nodeBin, "start", "--home", home)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	line, err := p.WaitLog(startedRe, 30*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	addr := rpcLogRe.FindStringSubmatch(line)[1]
	pid := p.Cmd.Process.Pid
	honest := client.New("http://" + addr)
	ctx := context.Background()
	st0, err := honest.Status(ctx) // connects before the attack, as a long-lived client would
	if err != nil {
		t.Fatal(err)
	}
	rss0 := rssMB(t, pid)

	deadline := time.Now().Add(hostileAttackLength)
	var wg sync.WaitGroup
	var refused415, batchesSent, slowDials atomic.Int64
	million := []byte("[" + strings.TrimSuffix(strings.Repeat("1,", 1_000_000), ",") + "]")
	for range 6 { // batches from clients that never read the answer
		wg.Add(1)
		go func() {
			defer wg.Done()
			var held []net.Conn
			defer func() {
				for _, c := range held {
					c.Close()
				}
			}()
			for time.Now().Before(deadline) && len(held) < 8 {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					continue
				}
				c.SetWriteDeadline(deadline)
				fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", len(million))
				if _, err := c.Write(million); err == nil {
					batchesSent.Add(1)
				}
				held = append(held, c)
			}
			time.Sleep(time.Until(deadline))
		}()
	}
	for range 200 { // slow bodies, redialled when the server drops them
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) {
				c, err := net.DialTimeout("tcp", addr, time.Until(deadline))
				if err != nil {
					return
				}
				slowDials.Add(1)
				fmt.Fprintf(c, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
				c.SetReadDeadline(deadline)
				io.Copy(io.Discard, c)
				c.Close()
			}
		}()
	}
	wg.Add(1)
	go func() { // a web page's simple cross-origin POST
		defer wg.Done()
		for time.Now().Before(deadline) {
			resp, err := http.Post("http://"+addr+"/", "text/plain", bytes.NewReader([]byte(`{"jsonrpc":"2.0","id":1,"method":"accord_status"}`)))
			if err == nil {
				if resp.StatusCode == http.StatusUnsupportedMediaType {
					refused415.Add(1)
				}
				resp.Body.Close()
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()

	peak, worst := rss0, time.Duration(0)
	for time.Now().Before(deadline) {
		start := time.Now()
		if _, err := honest.Status(ctx); err != nil {
			t.Errorf("honest request during the attack: %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Logf("slow honest request at +%v: %v", time.Until(deadline).Round(time.Millisecond), d.Round(time.Millisecond))
		}
		worst = max(worst, time.Since(start))
		peak = max(peak, rssMB(t, pid))
		time.Sleep(200 * time.Millisecond)
	}
	wg.Wait()
	st1, err := honest.Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("attack %v: %d never-read million-item batches, %d slow-body dials, %d text/plain refused; RSS %d -> peak %d MB; honest worst %v; height %d -> %d",
		hostileAttackLength, batchesSent.Load(), slowDials.Load(), refused415.Load(), rss0, peak, worst.Round(time.Millisecond), st0.Height, st1.Height)
	if peak > hostileRSSBoundMB {
		t.Errorf("RSS peaked at %d MB, bound %d MB", peak, hostileRSSBoundMB)
	}
	if worst > hostileHonestBound {
		t.Errorf("honest request took %v, bound %v", worst, hostileHonestBound)
	}
	if st1.Height < st0.Height+3 {
		t.Errorf("height %d -> %d during the attack: the node stopped finalizing", st0.Height, st1.Height)
	}
	if refused415.Load() == 0 {
		t.Error("no text/plain post was refused with 415")
	}
}
