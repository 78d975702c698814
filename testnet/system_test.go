package testnet

import (
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

	// Ctrl-C: every process stops on SIGINT and removes its listen file.
	if err := u.stop(); err != nil {
		t.Fatal(err)
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
