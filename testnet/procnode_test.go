package testnet

import (
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// procNode is node i of an in-process Cluster moved into an accord process
// of its own, so a test can SIGKILL it: no shutdown path runs, unlike
// Cluster.Stop. The rest of the cluster stays in-process, where the test
// can read its ledgers directly.
type procNode struct {
	t    *testing.T
	i    int
	home node.Home
	addr types.Address // its validator address
	url  string        // RPC URL of the latest start (the same each time unless unpinned)
	p2p  []string      // its p2p addresses, likewise

	mu sync.Mutex
	p  *Process
}

// detachNode stops node i of c and starts it again from its home as a
// process (nodeBin). The first start listens on ports the OS picks and
// dials the running nodes; the config is then pinned to the ports it got,
// so a restart comes back where its peers (and the test) expect it, unless
// unpin is called.
func detachNode(t *testing.T, c *Cluster, i int) *procNode {
	t.Helper()
	var peers []string
	for j := 0; j < c.Layout.Nodes(); j++ {
		if n := c.Node(j); n != nil && j != i {
			peers = append(peers, n.Listening().P2P...)
		}
	}
	addr := c.Node(i).Address()
	if err := c.Stop(i); err != nil {
		t.Fatal(err)
	}
	pn := &procNode{t: t, i: i, home: c.Layout.Home(i), addr: addr}
	t.Cleanup(pn.kill)
	cfg := pn.config()
	cfg.RPCAddr, cfg.P2PListen, cfg.P2PPeers = "127.0.0.1:0", "/ip4/127.0.0.1/tcp/0", peers
	pn.save(cfg)
	pn.start()
	li, err := node.ReadListening(pn.home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RPCAddr = li.RPC
	cfg.P2PListen, _, _ = strings.Cut(li.P2P[0], "/p2p/")
	pn.save(cfg)
	return pn
}

// unpin makes the next start listen on new ports the OS picks, as a node
// moved to another host would come back: its peers cannot dial it there,
// it must dial them.
func (pn *procNode) unpin() {
	cfg := pn.config()
	cfg.RPCAddr, cfg.P2PListen = "127.0.0.1:0", "/ip4/127.0.0.1/tcp/0"
	pn.save(cfg)
}

func (pn *procNode) config() node.Config {
	cfg, err := node.LoadConfig(pn.home)
	if err != nil {
		pn.t.Fatal(err)
	}
	return cfg
}

func (pn *procNode) save(cfg node.Config) {
	if err := node.SaveConfig(pn.home, cfg); err != nil {
		pn.t.Fatal(err)
	}
}

// start runs the node and returns once it serves. A pinned port may have
// been taken meanwhile by another program's outgoing connection: the
// start is then tried again a few times.
func (pn *procNode) start() {
	pn.t.Helper()
	_ = os.Remove(pn.home.ListenFile()) // a killed node leaves its own behind
	var last error
	for try := 0; try < 5; try++ {
		p, err := StartProcess(nodeBin, "start", "--home", string(pn.home))
		if err != nil {
			pn.t.Fatal(err)
		}
		if _, err = p.WaitLog(startedRe, 90*time.Second); err == nil {
			li, err := node.ReadListening(pn.home)
			if err != nil {
				p.Kill()
				pn.t.Fatal(err)
			}
			pn.mu.Lock()
			pn.p = p
			pn.url, pn.p2p = "http://"+li.RPC, li.P2P
			pn.mu.Unlock()
			return
		}
		p.Kill()
		last = err
		if !strings.Contains(p.Log(), "address already in use") {
			break
		}
		time.Sleep(500 * time.Millisecond) // the port's holder is not ours to wait for
	}
	pn.t.Fatalf("node%d does not start: %v", pn.i, last)
}

// kill ends the process with SIGKILL, if it runs.
func (pn *procNode) kill() {
	pn.mu.Lock()
	p := pn.p
	pn.p = nil
	pn.mu.Unlock()
	if p != nil {
		p.Kill()
	}
}

// log is the current process's stderr, the last n lines.
func (pn *procNode) log(n int) string {
	pn.mu.Lock()
	defer pn.mu.Unlock()
	if pn.p == nil {
		return "(not running)"
	}
	return lastLines(pn.p.Log(), n)
}
