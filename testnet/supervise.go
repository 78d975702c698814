package testnet

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
)

// LogFile of validator i (its stderr when run by Up).
func (l Layout) LogFile(i int) string { return filepath.Join(string(l.Home(i)), "node.log") }

// stopGrace is how long a stopping process gets after SIGINT before it is
// killed.
const stopGrace = 15 * time.Second

// child is one process run by a supervisor, its output in its log file.
type child struct {
	name string
	log  string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process was reaped
	err  error         // its exit, once done
}

// supervisor runs processes of the accord binary as its children and stops
// them together: SIGINT to all, then SIGKILL to any still running after
// stopGrace. Exited reports each child that ends on its own.
type supervisor struct {
	bin      string
	children []*child
	exited   chan *child
}

func newSupervisor(bin string) *supervisor {
	// Buffered for every child a system has, so a reaper never blocks.
	return &supervisor{bin: bin, exited: make(chan *child, 64)}
}

// start runs bin with args, appending its stdout and stderr to logPath.
func (s *supervisor) start(name, logPath string, args ...string) (*child, error) {
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		return nil, err
	}
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	c := &child{name: name, log: logPath, cmd: cmd, done: make(chan struct{})}
	s.children = append(s.children, c)
	go func() {
		c.err = cmd.Wait()
		logf.Close()
		close(c.done)
		select {
		case s.exited <- c:
		default:
		}
	}()
	return c, nil
}

// stopAll stops every child: SIGINT, and SIGKILL after stopGrace. It
// returns the names of those that had to be killed.
func (s *supervisor) stopAll() []string {
	for _, c := range s.children {
		_ = c.cmd.Process.Signal(syscall.SIGINT)
	}
	deadline := time.After(stopGrace)
	var killed []string
	for _, c := range s.children {
		select {
		case <-c.done:
			continue
		case <-deadline:
		}
		// Past the grace period: kill whatever still runs.
		for _, c := range s.children {
			select {
			case <-c.done:
			default:
				killed = append(killed, c.name)
				_ = c.cmd.Process.Kill()
			}
		}
		break
	}
	for _, c := range s.children {
		<-c.done
	}
	return killed
}

// alive counts the children still running.
func (s *supervisor) alive() int {
	n := 0
	for _, c := range s.children {
		select {
		case <-c.done:
		default:
			n++
		}
	}
	return n
}

// exitReport says how a child ended, with the end of its log.
func (c *child) exitReport() string {
	return fmt.Sprintf("%s exited (%v); last log lines of %s:\n%s", c.name, c.err, c.log, tail(c.log, 5))
}

// Up runs every node of an initialized testnet as a process of bin,
// prints their endpoints to out, reports heights every statusEvery, and on
// ctx's end stops them all with SIGINT (SIGKILL after 15 s).
//
// Before it starts anything it checks every port the nodes will listen on
// (CheckPorts) and returns ErrPortInUse naming the first that is taken.
func Up(ctx context.Context, l Layout, bin string, out io.Writer, statusEvery time.Duration) error {
	if err := l.CheckPorts(); err != nil {
		return err
	}
	resumed := l.resumed()
	sup := newSupervisor(bin)
	if err := startNodes(sup, l, ""); err != nil {
		sup.stopAll()
		return err
	}
	fmt.Fprint(out, banner(ctx, l, resumed))
	return supervise(ctx, sup, out, statusEvery, func() string {
		return time.Now().Format("15:04:05") + " heights: " + heights(ctx, l, "")
	})
}

// resumed reports whether the testnet ran before: a node creates its
// ledger on its first start.
func (l Layout) resumed() bool {
	_, err := os.Stat(l.Home(0).LedgerDir())
	return err == nil
}

// startNodes starts `accord start` for every node of l, named prefix+"nodeI".
func startNodes(sup *supervisor, l Layout, prefix string) error {
	for i := 0; i < l.Nodes(); i++ {
		// A node killed last time left its address behind; the new one
		// writes its own once it listens.
		_ = os.Remove(l.Home(i).ListenFile())
		if _, err := sup.start(fmt.Sprintf("%snode%d", prefix, i), l.LogFile(i), "start", "--home", string(l.Home(i))); err != nil {
			return err
		}
	}
	return nil
}

// supervise waits for ctx's end, then stops every child. Meanwhile it
// prints status() every statusEvery and reports each child that exits; it
// returns an error once all have.
func supervise(ctx context.Context, sup *supervisor, out io.Writer, statusEvery time.Duration, status func() string) error {
	if statusEvery <= 0 {
		statusEvery = time.Hour
	}
	tick := time.NewTicker(statusEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "stopping...")
			if killed := sup.stopAll(); len(killed) > 0 {
				fmt.Fprintf(out, "stopped %d processes; killed %s (still running %s after SIGINT)\n", len(sup.children), strings.Join(killed, ", "), stopGrace)
			} else {
				fmt.Fprintf(out, "stopped %d processes\n", len(sup.children))
			}
			return nil
		case c := <-sup.exited:
			fmt.Fprintln(out, c.exitReport())
			if sup.alive() == 0 {
				return fmt.Errorf("every process exited")
			}
		case <-tick.C:
			fmt.Fprintln(out, status())
		}
	}
}

// URLs are the nodes' RPC URLs (validators first).
func (l Layout) URLs() []string {
	out := make([]string, l.Nodes())
	for i := range out {
		out[i] = "http://" + l.LiveRPCAddr(i)
	}
	return out
}

// heights reads every node's height, each named prefix+"nodeI".
func heights(ctx context.Context, l Layout, prefix string) string {
	parts := make([]string, l.Nodes())
	for i := range parts {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		st, err := client.New(l.LiveRPCAddr(i)).Status(cctx)
		cancel()
		if err != nil {
			parts[i] = fmt.Sprintf("%snode%d=down", prefix, i)
			continue
		}
		parts[i] = fmt.Sprintf("%snode%d=%d", prefix, i, st.Height)
	}
	return strings.Join(parts, " ")
}

func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// banner describes a running testnet: its nodes, the dev key and commands
// to try. The chain ID, height and the dev key's balance are read live
// from node0 (waiting up to 30 s for it to answer), so a resumed testnet
// says where it resumed and what dev holds now, not what genesis gave it.
func banner(ctx context.Context, l Layout, resumed bool) string {
	var b strings.Builder
	dev, _ := l.DevAddress()
	st, err := waitStatus(ctx, l, 30*time.Second)
	c := client.New(l.LiveRPCAddr(0))
	chainID := l.ChainID
	if err == nil {
		chainID = st.ChainID
	}
	if resumed {
		fmt.Fprintf(&b, "\nResumed Accord testnet %q", chainID)
	} else {
		fmt.Fprintf(&b, "\nNew Accord testnet %q", chainID)
	}
	fmt.Fprintf(&b, ": %d validator(s), %d full node(s) in %s\n", l.Validators, l.FullNodes, l.Dir)
	switch {
	case err != nil:
		fmt.Fprintf(&b, "  node0 does not answer yet (%v); see its log\n", err)
	case resumed:
		fmt.Fprintf(&b, "  resumed at height %d\n", st.Height)
	default:
		fmt.Fprintf(&b, "  from genesis, height %d\n", st.Height)
	}
	for i := 0; i < l.Nodes(); i++ {
		role := "validator"
		if !l.IsValidator(i) {
			role = "full node"
		}
		fmt.Fprintf(&b, "  node%d  %-9s  RPC http://%s   log %s\n", i, role, l.LiveRPCAddr(i), l.LogFile(i))
	}
	balance := "balance unknown: node0 does not answer"
	if err == nil {
		actx, cancel := context.WithTimeout(ctx, 5*time.Second)
		acc, aerr := c.Account(actx, dev)
		cancel()
		if aerr == nil {
			balance = acc.Balance + " USDT now"
		} else {
			balance = "balance unknown: " + aerr.Error()
		}
	}
	fmt.Fprintf(&b, `  dev key: "dev" = %s (%s), password file %s
Try:
  ./bin/accord status --home %s
  ./bin/accord tx transfer --home %s --from dev --password-file %s --to 0x000000000000000000000000000000000000dEaD --amount 1.5 --wait
  ./bin/accord query account 0x000000000000000000000000000000000000dEaD --node http://%s
  ./bin/accord testnet bench --node %s --duration 30s
Stop with Ctrl-C; run again to resume.
`, dev.Hex(), balance, l.DevPasswordFile(), l.Home(0), l.Home(0), l.DevPasswordFile(), l.LiveRPCAddr(l.Nodes()-1), strings.Join(l.URLs()[:l.Validators], ","))
	return b.String()
}

// waitStatus polls starting node0 until it answers, ctx ends or within
// passes. The address is read anew each time: a node whose port the OS
// chooses writes it once it listens.
func waitStatus(ctx context.Context, l Layout, within time.Duration) (*views.Status, error) {
	ctx, cancel := context.WithTimeout(ctx, within)
	defer cancel()
	for {
		rctx, rcancel := context.WithTimeout(ctx, time.Second)
		st, err := client.New(l.LiveRPCAddr(0)).Status(rctx)
		rcancel()
		if err == nil {
			return st, nil
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(200 * time.Millisecond):
		}
	}
}
