package testnet

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

const (
	// fdTestNofile is the victim's RLIMIT_NOFILE: small, so that a budget
	// that did not hold would run out within the attack.
	fdTestNofile = 1024
	// fdTestFree is how many descriptors must stay free under the limit at
	// the peak of the attack, for the database's flushes and compactions.
	fdTestFree     = 256
	fdAttackLength = 10 * time.Second
)

func openFDs(pid int) (int, error) {
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	return len(ents), err
}

// socketsByLocalPort counts pid's TCP sockets by local port (from its
// descriptors' socket inodes and /proc/net/tcp*); other descriptors
// (files, pipes, epoll, UDP) count under port -1.
func socketsByLocalPort(pid int) map[int]int {
	out := map[int]int{}
	ents, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	if err != nil {
		return out
	}
	inodes := map[string]int{} // inode -> local port
	for _, f := range []string{"tcp", "tcp6"} {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/net/%s", pid, f))
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n")[1:] {
			fs := strings.Fields(line)
			if len(fs) < 10 {
				continue
			}
			_, hexPort, _ := strings.Cut(fs[1], ":")
			port, err := strconv.ParseInt(hexPort, 16, 32)
			if err == nil {
				inodes[fs[9]] = int(port)
			}
		}
	}
	for _, e := range ents {
		link, err := os.Readlink(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name()))
		if err != nil {
			continue
		}
		ino, ok := strings.CutPrefix(link, "socket:[")
		if port, found := inodes[strings.TrimSuffix(ino, "]")]; ok && found {
			out[port]++
		} else {
			out[-1]++
		}
	}
	return out
}

// TestDescriptorsHoldUnderP2PAndRPCFloods runs four validator processes,
// one of them with RLIMIT_NOFILE 1024, and floods that one's p2p port
// with raw TCP connections that never handshake (redialled as soon as the
// node drops them), outsiders completing the libp2p handshake with keys
// the allow-list refuses, and its RPC port with slow-body connections, all
// at once, while the bench keeps a steady load on all four. The RPC cap
// (node/rpcserve.go) bounds RPC; libp2p's resource manager bounds
// connections that have not yet handshaken (and the gater drops outsiders
// once they have; under the raw flood they mostly find every handshake slot
// taken, as a validator dialling in from the flood's own address would: a
// validator's own addresses have a reserve, see
// TestValidatorRejoinsUnderHandshakeFlood). So the node's open descriptors must stay fdTestFree
// below its limit, it must never hit "too many open files", and every
// transaction must still be finalized.
func TestDescriptorsHoldUnderP2PAndRPCFloods(t *testing.T) {
	if _, err := exec.LookPath("prlimit"); err != nil {
		t.Skipf("needs prlimit(1) to give the node a small descriptor limit: %v", err)
	}
	if _, err := openFDs(os.Getpid()); err != nil {
		t.Skipf("needs /proc: %v", err)
	}
	pc := newProcClusterLimited(t, 4, nil, fdTestNofile)
	ctx, cancel := Timeout(4 * time.Minute)
	defer cancel()
	for i := range pc.urls {
		if _, err := pc.waitCaughtUp(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	victim := pc.proc(0)
	pid := victim.Cmd.Process.Pid
	li, err := node.ReadListening(pc.l.Home(0))
	if err != nil {
		t.Fatal(err)
	}
	p2pMaddr := li.P2P[0]
	_, p2pAddr, err := multiaddrHostPort(strings.SplitN(p2pMaddr, "/p2p/", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	rpcAddr := li.RPC
	fd0, err := openFDs(pid)
	if err != nil {
		t.Fatal(err)
	}
	h0, err := pc.height(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}

	attackCtx, stopAttack := context.WithTimeout(ctx, fdAttackLength)
	defer stopAttack()
	var wg sync.WaitGroup
	var outsiderIn atomic.Int64
	var rawDials, rawHeld1s, outsiderTries, outsiderRefused, slowDials atomic.Int64
	// hold dials addr until the attack ends, keeping each connection open
	// (sending first, if given) until the node closes it.
	hold := func(addr string, first []byte, dials, lasted *atomic.Int64) {
		defer wg.Done()
		for attackCtx.Err() == nil {
			var d net.Dialer
			c, err := d.DialContext(attackCtx, "tcp", addr)
			if err != nil {
				if attackCtx.Err() == nil {
					time.Sleep(10 * time.Millisecond) // the node's backlog is full; this is load, not sync
				}
				continue
			}
			dials.Add(1)
			t0 := time.Now()
			if first != nil {
				_, _ = c.Write(first)
			}
			stop := context.AfterFunc(attackCtx, func() { c.Close() })
			_, _ = io.Copy(io.Discard, c)
			stop()
			c.Close()
			if lasted != nil && time.Since(t0) > time.Second {
				lasted.Add(1)
			}
		}
	}
	for range 2000 { // raw TCP to p2p that never says a word
		wg.Add(1)
		go hold(p2pAddr, nil, &rawDials, &rawHeld1s)
	}
	slowBody := []byte("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{")
	for range 1000 {
		wg.Add(1)
		go hold(rpcAddr, slowBody, &slowDials, nil)
	}
	// The outsiders allow the validators (or they would not dial them);
	// the validators do not allow the outsiders.
	vals := make([]types.Address, 0, 4)
	for _, id := range pc.ids {
		pid, err := peer.Decode(id)
		if err != nil {
			t.Fatal(err)
		}
		a, err := p2p.PeerAddress(pid)
		if err != nil {
			t.Fatal(err)
		}
		vals = append(vals, a)
	}
	for range 4 { // outsiders that complete the handshake and are refused
		wg.Add(1)
		go func() {
			defer wg.Done()
			for attackCtx.Err() == nil {
				key, _ := crypto.GenerateKey()
				h, err := p2p.New(p2p.Config{ListenAddr: "/ip4/127.0.0.1/tcp/0", Key: key, ChainID: pc.l.ChainID,
					AllowList: vals, Logger: testLogger(t).With("node", "outsider")})
				if err != nil {
					t.Error(err)
					return
				}
				for k := 0; k < 20 && attackCtx.Err() == nil; k++ {
					outsiderTries.Add(1)
					cctx, cancel := context.WithTimeout(attackCtx, 3*time.Second)
					switch err := h.Connect(cctx, p2pMaddr); {
					case err == nil:
						outsiderIn.Add(1)
					case errors.Is(err, p2p.ErrRefused):
						outsiderRefused.Add(1)
					}
					cancel()
				}
				h.Close()
			}
		}()
	}

	var report *BenchReport
	var benchErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		// node0 last: the bench reads the chain from the first node that
		// answers, and node0 is the one under attack.
		urls := append(append([]string{}, pc.urls[1:]...), pc.urls[0])
		report, benchErr = Bench(ctx, BenchConfig{URLs: urls, Duration: fdAttackLength, Rate: 100,
			Accounts: 40, BatchSize: 10, Drain: 60 * time.Second, SubmitTimeout: 3 * time.Second})
	}()

	peak, atPeak := fd0, map[int]int{}
	tick := time.NewTicker(100 * time.Millisecond)
sample:
	for {
		select {
		case <-attackCtx.Done():
			break sample
		case <-tick.C:
			if n, err := openFDs(pid); err == nil && n > peak {
				peak, atPeak = n, socketsByLocalPort(pid)
			}
		}
	}
	tick.Stop()
	wg.Wait()
	if benchErr != nil {
		t.Fatal(benchErr)
	}
	h1, err := pc.waitCaughtUp(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	fd1, _ := openFDs(pid)
	t.Logf("attack %v on node0 (nofile %d): %d raw p2p dials (%d held over 1 s), %d outsider dials (%d refused by the gater after the handshake, the rest found no free handshake slot), %d slow RPC bodies",
		fdAttackLength, fdTestNofile, rawDials.Load(), rawHeld1s.Load(), outsiderTries.Load(), outsiderRefused.Load(), slowDials.Load())
	_, rpcPort, _ := net.SplitHostPort(rpcAddr)
	_, p2pPort, _ := net.SplitHostPort(p2pAddr)
	rp, _ := strconv.Atoi(rpcPort)
	pp, _ := strconv.Atoi(p2pPort)
	t.Logf("node0 descriptors: %d before, peak %d (RPC sockets %d, p2p-port sockets %d, other %d), %d after; height %d -> %d",
		fd0, peak, atPeak[rp], atPeak[pp], peak-atPeak[rp]-atPeak[pp], fd1, h0, h1)
	t.Logf("bench: %s", report)
	if strings.Contains(victim.Log(), "too many open files") {
		t.Errorf("node0 ran out of descriptors:\n%s", lastLines(victim.Log(), 20))
	}
	if peak > fdTestNofile-fdTestFree {
		t.Errorf("node0 peaked at %d descriptors: fewer than %d of %d left for the database", peak, fdTestFree, fdTestNofile)
	}
	if report.Rejected != 0 || report.Finalized != report.Submitted {
		t.Errorf("under the flood: %d submitted, %d rejected (first: %s), %d finalized", report.Submitted, report.Rejected, report.FirstReject, report.Finalized)
	}
	if outsiderIn.Load() != 0 {
		t.Errorf("%d outsider connections were accepted", outsiderIn.Load())
	}
	if rawDials.Load() < 2000 {
		t.Errorf("only %d raw p2p connections were made", rawDials.Load())
	}
}
