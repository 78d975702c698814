package testnet

import (
	"bufio"
	"context"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/node"
)

// TestSystemStoryThroughTheCLI runs what `make testnet` runs — every
// process of the two-chain system as a child of SystemUp, one validator
// per chain, every port the OS's pick — and walks the story through it
// with testnet/e2e_bridge.sh as a user would: 1,000 USDT into the vault on
// the external chain, minted on main, 600 locked to side and used there in
// a C2C order that completes, 200 burned on side and released on main once
// a checkpoint is anchored, 300 withdrawn to the external chain, with the
// supply relation checked at each quiescent point (by the script). Then
// Ctrl-C stops every process cleanly, and a second run resumes.
func TestSystemStoryThroughTheCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the whole system")
	}
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	_, file, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(file), "e2e_bridge.sh")
	s := System{Dir: filepath.Join(t.TempDir(), "sys"), Validators: 1, CheckpointInterval: 4,
		Step: 250 * time.Millisecond, DevBlockEvery: 500 * time.Millisecond}
	if err := InitSystem(s); err != nil {
		t.Fatal(err)
	}
	u, banner := startSystem(t, s)
	if !strings.Contains(banner, "New Accord system") {
		t.Fatalf("banner:\n%s", banner)
	}
	ep, err := ReadEndpoints(s.EndpointsFile())
	if err != nil {
		t.Fatal(err)
	}
	// Every endpoint is the port a process actually got, and the banner
	// names it.
	for _, k := range []string{"MAIN", "SIDE", "ETH", "CHECKPOINTERS"} {
		host, port, err := net.SplitHostPort(strings.TrimPrefix(ep[k], "http://"))
		if err != nil || host != "127.0.0.1" || port == "0" {
			t.Fatalf("endpoints.env %s=%q", k, ep[k])
		}
		if !strings.Contains(banner, ep[k]) {
			t.Errorf("the banner does not name %s %s:\n%s", k, ep[k], banner)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bash, script, s.Dir)
	cmd.Env = append(os.Environ(), "ACCORD="+nodeBin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		var logs strings.Builder
		for _, f := range []string{"relayer.log", "signer0.log", "checkpointer0.log", "devchain.log"} {
			logs.WriteString("--- " + f + "\n" + tail(filepath.Join(s.LogDir(), f), 15) + "\n")
		}
		t.Fatalf("e2e_bridge.sh: %v\n%s\n%s", err, out, logs.String())
	}
	t.Logf("e2e_bridge.sh:\n%s", out)
	for _, want := range []string{"attested and minted on main", "COMPLETED", "anchored on main", "PAID", "OK: bridge walk passed"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("script output lacks %q", want)
		}
	}
	if n := strings.Count(string(out), "supply relation holds"); n != 5 {
		t.Errorf("the supply relation was checked %d times, want 5", n)
	}

	// Ctrl-C: every process stops on SIGINT (none needs the SIGKILL) and
	// removes its listen file.
	if err := u.stop(); err != nil {
		t.Fatal(err)
	}
	if len(u.after) == 0 || u.after[len(u.after)-1] != "stopped 6 processes" {
		t.Errorf("want all 6 processes (2 nodes, devchain, checkpointer, signer, relayer) stopped by SIGINT; the stop printed:\n%s", strings.Join(u.after, "\n"))
	}
	for _, h := range []string{string(s.Side().Home(0)), string(s.Main().Home(0)), s.DevchainHome(), s.CheckpointerHome(0)} {
		if _, err := os.Stat(node.Home(h).ListenFile()); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s still has a listen file after the stop (%v): not stopped cleanly", h, err)
		}
	}

	// A second run resumes the same chains: nothing is re-created.
	_, banner = startSystem(t, s)
	if !strings.Contains(banner, "Resumed Accord system") {
		t.Fatalf("second banner:\n%s", banner)
	}
	ep2, err := ReadEndpoints(s.EndpointsFile())
	if err != nil {
		t.Fatal(err)
	}
	if ep2["TOKEN"] != ep["TOKEN"] {
		t.Fatalf("the token moved on resume: %s -> %s", ep["TOKEN"], ep2["TOKEN"])
	}
}

// TestTestnetUpRunsTheOneChainItFinds: `accord testnet up` on a directory
// holding one chain (testnet init's, or a testnet from before the system)
// runs that chain alone and says so, rather than refusing or adding a
// system around it; Ctrl-C stops it.
func TestTestnetUpRunsTheOneChainItFinds(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tn")
	mustCLI(t, "testnet", "init", "--validators", "1", "--base-port", "0", "--bench-accounts", "0", "--dir", dir)
	cmd := exec.Command(nodeBin, "testnet", "up", "--validators", "1", "--dir", dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	lines := make(chan string, 256)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var out []string
	timeout := time.After(2 * time.Minute)
	for banner := false; !banner; {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("testnet up ended: %v\n%s", cmd.Wait(), strings.Join(out, "\n"))
			}
			out = append(out, line)
			banner = strings.Contains(line, `dev key: "dev"`)
		case <-timeout:
			t.Fatalf("no banner within 2 minutes:\n%s", strings.Join(out, "\n"))
		}
	}
	text := strings.Join(out, "\n")
	if !strings.Contains(text, dir+" holds a single chain: running it alone") || !strings.Contains(text, `New Accord testnet "accord-local"`) {
		t.Fatalf("testnet up on one chain printed:\n%s", text)
	}
	if _, err := os.Stat(filepath.Join(dir, "main")); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("testnet up added a main chain to a single chain's directory (%v)", err)
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	for range lines {
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("testnet up after Ctrl-C: %v", err)
	}
}
