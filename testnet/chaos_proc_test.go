package testnet

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// chaosFault is one step of a process chaos schedule: after wait, node
// suffers kind for hold, then the schedule waits until it has caught up.
type chaosFault struct {
	wait, hold time.Duration
	node       int
	kind       string // "kill" (SIGKILL, restart), "freeze" (SIGSTOP, SIGCONT), "partition" (link down, up)
}

func (f chaosFault) String() string {
	return fmt.Sprintf("after %v: %s node%d for %v", f.wait, f.kind, f.node, f.hold)
}

// chaosSchedule draws faults from seed until their planned time covers
// load; the first len(kinds) faults are each kind once, in a drawn order,
// so a short run sees every kind. It depends on nothing but its
// arguments, so a seed names one schedule.
func chaosSchedule(seed uint64, load time.Duration, nodes int, kinds []string) []chaosFault {
	rng := rand.New(rand.NewPCG(seed, 0))
	ms := func(lo, hi int) time.Duration { return time.Duration(lo+rng.IntN(hi-lo)) * time.Millisecond }
	first := rng.Perm(len(kinds))
	var out []chaosFault
	for planned := time.Duration(0); planned < load || len(out) < len(kinds); {
		kind := kinds[rng.IntN(len(kinds))]
		if k := len(out); k < len(kinds) {
			kind = kinds[first[k]]
		}
		f := chaosFault{wait: ms(1000, 3000), node: rng.IntN(nodes), kind: kind, hold: ms(1000, 4000)}
		out = append(out, f)
		planned += f.wait + f.hold
	}
	return out
}

func TestChaosScheduleIsASeedsFunction(t *testing.T) {
	kinds := []string{"kill", "freeze", "partition"}
	a := chaosSchedule(42, time.Minute, 4, kinds)
	b := chaosSchedule(42, time.Minute, 4, kinds)
	c := chaosSchedule(43, time.Minute, 4, kinds)
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Fatalf("same seed, two schedules:\n%v\n%v", a, b)
	}
	if fmt.Sprint(a) == fmt.Sprint(c) {
		t.Fatal("seeds 42 and 43 drew the same schedule")
	}
	seen := map[string]bool{}
	var total time.Duration
	for _, f := range a {
		seen[f.kind] = true
		total += f.wait + f.hold
		if f.node < 0 || f.node >= 4 {
			t.Fatalf("fault on node%d of 4", f.node)
		}
	}
	if total < time.Minute || len(seen) != len(kinds) {
		t.Fatalf("schedule covers %v with kinds %v", total, seen)
	}
	// However short the load, every kind runs once.
	for seed := uint64(0); seed < 50; seed++ {
		kindsSeen := map[string]bool{}
		for _, f := range chaosSchedule(seed, time.Second, 4, kinds) {
			kindsSeen[f.kind] = true
		}
		if len(kindsSeen) != len(kinds) {
			t.Fatalf("seed %d, 1 s of load: kinds %v", seed, kindsSeen)
		}
	}
}

// procCluster runs the validators of a testnet as accord processes, each
// in a network namespace of its own when a netLab is given, else on
// loopback.
type procCluster struct {
	t   *testing.T
	l   Layout
	lab *netLab
	ids []string // libp2p peer ID of each node
	// nofile, if set, is each node's RLIMIT_NOFILE (soft and hard, via
	// prlimit(1)), so a descriptor budget can be tested at a small limit.
	nofile int
	mu     sync.Mutex
	procs  []*Process
	urls   []string
}

const chaosRPCPort, chaosP2PPort = 26657, 26656

func newProcCluster(t *testing.T, n int, lab *netLab) *procCluster {
	return newProcClusterLimited(t, n, lab, 0)
}

func newProcClusterLimited(t *testing.T, n int, lab *netLab, nofile int) *procCluster {
	t.Helper()
	// Init with fixed ports only to learn each node's peer ID from the
	// peer lists it writes; the addresses are rewritten below.
	l := Layout{Dir: filepath.Join(t.TempDir(), "tn"), Validators: n, BasePort: 20000, ChainID: "chaos-proc"}
	if _, err := Init(l, InitOptions{BenchAccounts: 40}); err != nil {
		t.Fatal(err)
	}
	pc := &procCluster{t: t, l: l, lab: lab, nofile: nofile, ids: make([]string, n), procs: make([]*Process, n), urls: make([]string, n)}
	t.Cleanup(pc.killAll)
	for i := 0; i < n; i++ {
		cfg := pc.config(i)
		for _, p := range cfg.P2PPeers {
			addr, id, ok := strings.Cut(p, "/p2p/")
			if !ok {
				t.Fatalf("node%d peer %q has no /p2p/ID", i, p)
			}
			port, _ := strconv.Atoi(addr[strings.LastIndex(addr, "/")+1:])
			pc.ids[port-l.BasePort-100] = id
		}
	}
	if lab != nil {
		// Every node has an address of its own, so the ports can be fixed
		// and every peer list complete from the start.
		for i := 0; i < n; i++ {
			cfg := pc.config(i)
			cfg.RPCAddr = fmt.Sprintf("%s:%d", lab.IP(i), chaosRPCPort)
			cfg.P2PListen = fmt.Sprintf("/ip4/%s/tcp/%d", lab.IP(i), chaosP2PPort)
			cfg.P2PPeers = nil
			for j := 0; j < n; j++ {
				if j != i {
					cfg.P2PPeers = append(cfg.P2PPeers, fmt.Sprintf("/ip4/%s/tcp/%d/p2p/%s", lab.IP(j), chaosP2PPort, pc.ids[j]))
				}
			}
			pc.saveConfig(i, cfg)
			pc.urls[i] = "http://" + cfg.RPCAddr
		}
		for i := 0; i < n; i++ {
			pc.start(i)
		}
		return pc
	}
	// On loopback the OS picks each port on the first start (a test never
	// races another program for a port it chose), node i is told of the
	// nodes before it, and then every config is pinned to the addresses
	// the nodes got, so a restart comes back where its peers expect it.
	live := make([]node.Listening, n)
	for i := 0; i < n; i++ {
		cfg := pc.config(i)
		cfg.RPCAddr, cfg.P2PListen, cfg.P2PPeers = "127.0.0.1:0", "/ip4/127.0.0.1/tcp/0", nil
		for j := 0; j < i; j++ {
			cfg.P2PPeers = append(cfg.P2PPeers, live[j].P2P...)
		}
		pc.saveConfig(i, cfg)
		pc.start(i)
		li, err := node.ReadListening(l.Home(i))
		if err != nil {
			t.Fatal(err)
		}
		live[i] = li
	}
	for i := 0; i < n; i++ {
		cfg := pc.config(i)
		cfg.RPCAddr = live[i].RPC
		cfg.P2PListen, _, _ = strings.Cut(live[i].P2P[0], "/p2p/")
		cfg.P2PPeers = nil
		for j := 0; j < n; j++ {
			if j != i {
				cfg.P2PPeers = append(cfg.P2PPeers, live[j].P2P...)
			}
		}
		pc.saveConfig(i, cfg)
		pc.urls[i] = "http://" + live[i].RPC
	}
	return pc
}

func (pc *procCluster) config(i int) node.Config {
	cfg, err := node.LoadConfig(pc.l.Home(i))
	if err != nil {
		pc.t.Fatal(err)
	}
	return cfg
}

func (pc *procCluster) saveConfig(i int, cfg node.Config) {
	if err := node.SaveConfig(pc.l.Home(i), cfg); err != nil {
		pc.t.Fatal(err)
	}
}

// start runs node i and returns once it serves RPC. On loopback a port
// the node had may have been taken meanwhile by some other program's
// outgoing connection; the start is then tried again a few times.
func (pc *procCluster) start(i int) {
	pc.t.Helper()
	home := string(pc.l.Home(i))
	_ = os.Remove(pc.l.Home(i).ListenFile()) // a killed node leaves its own behind
	bin, args := nodeBin, []string{"start", "--home", home}
	if pc.nofile > 0 {
		bin, args = "prlimit", append([]string{fmt.Sprintf("--nofile=%d:%d", pc.nofile, pc.nofile), bin}, args...)
	}
	if pc.lab != nil {
		bin, args = pc.lab.Command(i, bin, args...)
	}
	var last error
	for try := 0; try < 5; try++ {
		p, err := StartProcess(bin, args...)
		if err != nil {
			pc.t.Fatal(err)
		}
		if _, err = p.WaitLog(startedRe, 90*time.Second); err == nil {
			pc.mu.Lock()
			pc.procs[i] = p
			pc.mu.Unlock()
			return
		}
		p.Kill()
		last = err
		if !strings.Contains(p.Log(), "address already in use") {
			break
		}
		time.Sleep(500 * time.Millisecond) // the port's holder is not ours to wait for
	}
	pc.t.Fatalf("node%d does not start: %v", i, last)
}

func (pc *procCluster) proc(i int) *Process {
	pc.mu.Lock()
	defer pc.mu.Unlock()
	return pc.procs[i]
}

func (pc *procCluster) killAll() {
	for i := range pc.procs {
		if p := pc.proc(i); p != nil {
			_ = p.Cmd.Process.Signal(syscall.SIGCONT)
			p.Kill()
		}
	}
}

// height is node i's height, or an error when it does not answer in time.
func (pc *procCluster) height(ctx context.Context, i int) (uint64, error) {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	st, err := client.New(pc.urls[i]).Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.Height, nil
}

// waitCaughtUp polls node i until it reaches the highest height the other
// nodes report at the time of the call.
func (pc *procCluster) waitCaughtUp(ctx context.Context, i int) (uint64, error) {
	target := uint64(0)
	for j := range pc.urls {
		if j != i {
			if h, err := pc.height(ctx, j); err == nil {
				target = max(target, h)
			}
		}
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		h, err := pc.height(ctx, i)
		if err == nil && h >= target {
			return target, nil
		}
		select {
		case <-ctx.Done():
			return target, fmt.Errorf("node%d at %d (%v), not caught up to %d: %w", i, h, err, target, ctx.Err())
		case <-tick.C:
		}
	}
}

// inject applies f and undoes it after f.hold.
func (pc *procCluster) inject(ctx context.Context, f chaosFault) error {
	p := pc.proc(f.node)
	switch f.kind {
	case "kill":
		p.Kill() // SIGKILL: no shutdown path runs
		sleep(ctx, f.hold)
		pc.start(f.node)
	case "freeze":
		if err := p.Cmd.Process.Signal(syscall.SIGSTOP); err != nil {
			return err
		}
		sleep(ctx, f.hold)
		if err := p.Cmd.Process.Signal(syscall.SIGCONT); err != nil {
			return err
		}
	case "partition":
		if err := pc.lab.Cut(f.node, true); err != nil {
			return err
		}
		sleep(ctx, f.hold)
		if err := pc.lab.Cut(f.node, false); err != nil {
			return err
		}
	default:
		return fmt.Errorf("unknown fault %q", f.kind)
	}
	return nil
}

// TestChaosProcesses runs four validators as separate accord processes
// under steady load from the bench while a seeded schedule SIGKILLs and
// restarts them, freezes them with SIGSTOP/SIGCONT and, where network
// namespaces can be made (root on Linux), cuts one off the network and
// heals it; one node at a time, and the next fault waits until the last
// victim has caught up, so never more than f = 1 is out. Then every node
// is stopped and its store opened: all agree on every block hash, state
// root and receipt root (recomputed from the stored receipts), each holds
// every transaction the bench saw final, and none is in two blocks.
//
// ACCORD_CHAOS_SEED replays a schedule (the faults, their nodes and
// lengths; not the scheduler's timing); ACCORD_CHAOS_LONG=1 runs 3 minutes
// of load instead of 25 s; ACCORD_CHAOS_NETNS=0 keeps the nodes on loopback.
func TestChaosProcesses(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ACCORD_CHAOS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ACCORD_CHAOS_SEED=%q: %v", s, err)
		}
		seed = v
	}
	load, drain := 25*time.Second, 20*time.Second
	if os.Getenv("ACCORD_CHAOS_LONG") != "" {
		load, drain = 3*time.Minute, 60*time.Second
	}
	kinds := []string{"kill", "freeze"}
	var lab *netLab
	if os.Getenv("ACCORD_CHAOS_NETNS") != "0" {
		var err error
		if lab, err = newNetLab(4); err != nil {
			t.Logf("no partitions, nodes on loopback: %v", err)
			lab = nil
		} else {
			t.Cleanup(lab.Close)
			kinds = append(kinds, "partition")
		}
	}
	schedule := chaosSchedule(seed, load, 4, kinds)
	t.Logf("chaos seed %d (replay with ACCORD_CHAOS_SEED=%d); %d faults:", seed, seed, len(schedule))
	for k, f := range schedule {
		t.Logf("  %d: %v", k, f)
	}

	pc := newProcCluster(t, 4, lab)
	ctx, cancel := Timeout(load + drain + 5*time.Minute)
	defer cancel()
	for i := range pc.urls {
		if _, err := pc.waitCaughtUp(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	var report *BenchReport
	var benchErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		report, benchErr = Bench(ctx, BenchConfig{URLs: pc.urls, Duration: load, Rate: 150,
			Accounts: 40, BatchSize: 10, Drain: drain, SubmitTimeout: 3 * time.Second})
	}()
	start := time.Now()
	failed := func(format string, args ...any) {
		t.Helper()
		for i := range pc.procs {
			if p := pc.proc(i); p != nil {
				t.Logf("node%d log tail:\n%s", i, lastLines(p.Log(), 15))
			}
		}
		t.Fatalf(format, args...)
	}
	for k, f := range schedule {
		sleep(ctx, f.wait)
		t0 := time.Now()
		if err := pc.inject(ctx, f); err != nil {
			failed("fault %d (%v): %v", k, f, err)
		}
		h, err := pc.waitCaughtUp(ctx, f.node)
		if err != nil {
			failed("fault %d (%v): %v", k, f, err)
		}
		t.Logf("t=%4.1fs fault %d: %s node%d for %v; caught up to %d %v after the fault ended",
			time.Since(start).Seconds(), k, f.kind, f.node, f.hold, h, (time.Since(t0) - f.hold).Round(time.Millisecond))
	}
	wg.Wait()
	if benchErr != nil {
		failed("bench: %v", benchErr)
	}
	t.Logf("bench: %s", report)
	if report.Finalized == 0 {
		failed("nothing finalized under chaos")
	}

	// All four caught up, then stopped cleanly, then their stores read.
	// Each store holds at least the height its node was seen at; the
	// chain may move on while the others are checked and stopped (empty
	// blocks), so a node stopped first can be a block behind the highest
	// height seen: the stores must cover the lowest.
	top := uint64(math.MaxUint64)
	for i := range pc.urls {
		h, err := pc.waitCaughtUp(ctx, i)
		if err != nil {
			failed("%v", err)
		}
		top = min(top, h)
	}
	for i := range pc.urls {
		if err := pc.proc(i).Signal(syscall.SIGINT, 30*time.Second); err != nil {
			failed("node%d did not stop cleanly: %v", i, err)
		}
	}
	ledgers := make([]*ledger.Ledger, len(pc.urls))
	for i := range ledgers {
		l, err := ledger.Open(pc.config(i).DB, pc.l.Home(i).LedgerDir(), kv.Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("node%d: %v", i, err)
		}
		defer l.Close()
		ledgers[i] = l
	}
	checked, err := checkStores(ledgers, report.Final)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := checkStores(ledgers, []types.Hash{{0xde, 0xad}}); err == nil {
		t.Fatal("the store check accepts a final tx no store holds")
	}
	if checked < top {
		t.Fatalf("stores compared up to height %d; every node had reached %d", checked, top)
	}
	t.Logf("%d blocks agree on all 4 stores (hash, state root, receipt root); %d final txs on every store, "+
		"none in two blocks; %d submitted, %d never final (a victim's unsent mempool and the nonce gaps it left)",
		checked, len(report.Final), report.Submitted, report.Submitted-report.Finalized)
}

// checkStores compares the stores block by block up to the lowest head:
// the same header hash everywhere, tx and receipt roots recomputed from
// what each store holds, no tx hash in two blocks; then each store must
// locate every tx in final. It returns the number of heights compared.
func checkStores(ls []*ledger.Ledger, final []types.Hash) (uint64, error) {
	top := ls[0].Last().Height
	for _, l := range ls {
		top = min(top, l.Last().Height)
	}
	seen := map[types.Hash]uint64{}
	for h := uint64(1); h <= top; h++ {
		var want *types.Block
		for i, l := range ls {
			b, err := l.Block(h)
			if err != nil {
				return 0, fmt.Errorf("node%d height %d: %w", i, h, err)
			}
			rs, err := l.Receipts(h)
			if err != nil {
				return 0, fmt.Errorf("node%d height %d receipts: %w", i, h, err)
			}
			if got := types.ReceiptRoot(rs); got != b.Header.ReceiptRoot {
				return 0, fmt.Errorf("node%d height %d: stored receipts hash to %s, header says %s", i, h, got.Hex(), b.Header.ReceiptRoot.Hex())
			}
			if got := types.TxRoot(b.Txs); got != b.Header.TxRoot {
				return 0, fmt.Errorf("node%d height %d: stored txs hash to %s, header says %s", i, h, got.Hex(), b.Header.TxRoot.Hex())
			}
			if i == 0 {
				want = b
				continue
			}
			if b.Hash() != want.Hash() {
				return 0, fmt.Errorf("fork at height %d: node0 %s (state %s, receipts %s), node%d %s (state %s, receipts %s)",
					h, want.Hash().Hex(), want.Header.StateRoot.Hex(), want.Header.ReceiptRoot.Hex(),
					i, b.Hash().Hex(), b.Header.StateRoot.Hex(), b.Header.ReceiptRoot.Hex())
			}
		}
		for _, tx := range want.Txs {
			if prev, dup := seen[tx.Hash()]; dup {
				return 0, fmt.Errorf("tx %s in blocks %d and %d", tx.Hash().Hex(), prev, h)
			}
			seen[tx.Hash()] = h
		}
	}
	for i, l := range ls {
		for _, th := range final {
			h, _, err := l.TxLocation(th)
			if err != nil {
				return 0, fmt.Errorf("node%d lacks final tx %s: %w", i, th.Hex(), err)
			}
			if at, ok := seen[th]; !ok || at != h {
				return 0, fmt.Errorf("node%d puts final tx %s at height %d; the blocks have it at %d", i, th.Hex(), h, at)
			}
		}
	}
	if top == 0 {
		return 0, errors.New("no blocks")
	}
	return top, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
