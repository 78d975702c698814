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

type child struct {
	i    int
	cmd  *exec.Cmd
	done chan error
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
	// A node creates its ledger on its first start, so a ledger means this
	// testnet ran before and now resumes.
	_, err := os.Stat(l.Home(0).LedgerDir())
	resumed := err == nil
	children := make([]*child, 0, l.Nodes())
	stopAll := func() {
		for _, c := range children {
			_ = c.cmd.Process.Signal(syscall.SIGINT)
		}
		for _, c := range children {
			select {
			case <-c.done:
			case <-time.After(15 * time.Second):
				_ = c.cmd.Process.Kill()
				<-c.done
			}
		}
	}
	for i := 0; i < l.Nodes(); i++ {
		logf, err := os.OpenFile(l.LogFile(i), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			stopAll()
			return err
		}
		// A node killed last time left its address behind; the new one
		// writes its own once it listens.
		_ = os.Remove(l.Home(i).ListenFile())
		cmd := exec.Command(bin, "start", "--home", string(l.Home(i)))
		cmd.Stdout, cmd.Stderr = logf, logf
		if err := cmd.Start(); err != nil {
			logf.Close()
			stopAll()
			return fmt.Errorf("start node%d: %w", i, err)
		}
		c := &child{i: i, cmd: cmd, done: make(chan error, 1)}
		go func() { c.done <- cmd.Wait(); logf.Close() }()
		children = append(children, c)
	}
	fmt.Fprint(out, banner(ctx, l, resumed))

	exited := make(chan *child, len(children))
	for _, c := range children {
		go func(c *child) {
			err := <-c.done
			c.done <- err // keep it readable for stopAll
			exited <- c
		}(c)
	}
	tick := time.NewTicker(statusEvery)
	defer tick.Stop()
	alive := len(children)
	for {
		select {
		case <-ctx.Done():
			fmt.Fprintln(out, "stopping nodes...")
			stopAll()
			return nil
		case c := <-exited:
			alive--
			err := <-c.done
			c.done <- err
			fmt.Fprintf(out, "node%d exited (%v); last log lines:\n%s\n", c.i, err, tail(l.LogFile(c.i), 5))
			if alive == 0 {
				return fmt.Errorf("all nodes exited")
			}
		case <-tick.C:
			fmt.Fprintln(out, heights(ctx, l))
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

func heights(ctx context.Context, l Layout) string {
	parts := make([]string, l.Nodes())
	for i := range parts {
		cctx, cancel := context.WithTimeout(ctx, time.Second)
		st, err := client.New(l.LiveRPCAddr(i)).Status(cctx)
		cancel()
		if err != nil {
			parts[i] = fmt.Sprintf("node%d=down", i)
			continue
		}
		parts[i] = fmt.Sprintf("node%d=%d", i, st.Height)
	}
	return time.Now().Format("15:04:05") + " heights: " + strings.Join(parts, " ")
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
