package testnet

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/node"
)

var nodeBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "accord-bin-")
	if err != nil {
		panic(err)
	}
	nodeBin, err = BuildBinary(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the accord binary and returns stdout, stderr and the exit error.
func cli(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(nodeBin, args...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return strings.TrimSpace(out.String()), strings.TrimSpace(errb.String()), err
}

func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, err := cli(t, args...)
	if err != nil {
		t.Fatalf("node %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

var startedRe = regexp.MustCompile(`msg="node started"`)

// startNode runs `node start` on home and waits until it serves. The CLI
// finds it through the home's listen file, whatever port it got.
func startNode(t *testing.T, home string) *Process {
	t.Helper()
	p, err := StartProcess(nodeBin, "start", "--home", home)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Kill)
	if _, err := p.WaitLog(startedRe, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	return p
}

// listening reads where home's running node listens and checks that the
// port is the OS's pick, not the 0 of the config.
func listening(t *testing.T, home string) node.Listening {
	t.Helper()
	l, err := node.ReadListening(node.Home(home))
	if err != nil {
		t.Fatal(err)
	}
	if _, port, err := net.SplitHostPort(l.RPC); err != nil || port == "0" {
		t.Fatalf("listen file names RPC %q", l.RPC)
	}
	return l
}

func account(t *testing.T, home, addr string) views.Account {
	t.Helper()
	var a views.Account
	if err := json.Unmarshal([]byte(mustCLI(t, "query", "account", addr, "--home", home)), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func status(t *testing.T, home string) views.Status {
	t.Helper()
	var s views.Status
	if err := json.Unmarshal([]byte(mustCLI(t, "status", "--home", home)), &s); err != nil {
		t.Fatal(err)
	}
	return s
}

// TestSingleNodeWalkthrough is the README's five-minute walk, with every
// bad input a user can make along the way, and a restart.
func TestSingleNodeWalkthrough(t *testing.T) {
	home := t.TempDir()
	pw := filepath.Join(home, "pw")
	os.WriteFile(pw, []byte("secret\n"), 0o600)
	wrongPw := filepath.Join(home, "wrong")
	os.WriteFile(wrongPw, []byte("guess\n"), 0o600)

	alice := mustCLI(t, "keys", "new", "alice", "--home", home, "--password-file", pw, "--light-kdf")
	bob := mustCLI(t, "keys", "add", "bob", "--home", home, "--password-file", pw, "--light-kdf")
	if got := mustCLI(t, "keys", "show", "alice", "--home", home); got != alice {
		t.Fatalf("keys show = %s, want %s", got, alice)
	}
	if list := mustCLI(t, "keys", "list", "--home", home); !strings.Contains(list, alice) || !strings.Contains(list, bob) {
		t.Fatalf("keys list: %s", list)
	}
	if _, errOut, err := cli(t, "keys", "new", "alice", "--home", home, "--password-file", pw); err == nil || !strings.Contains(errOut, "already exists") {
		t.Fatalf("duplicate key name: %v %s", err, errOut)
	}
	// Port 0: the node takes a port from the OS at each start and records
	// it in its home, where the CLI looks first.
	mustCLI(t, "init", "--home", home, "--chain-id", "walk-1", "--alloc", alice+"=1000", "--rpc.addr", "127.0.0.1:0")
	p := startNode(t, home)
	listening(t, home)

	transfer := func(extra ...string) (string, string, error) {
		args := append([]string{"tx", "transfer", "--home", home, "--from", "alice", "--password-file", pw, "--to", bob}, extra...)
		return cli(t, args...)
	}
	out, errOut, err := transfer("--amount", "1.5", "--wait")
	if err != nil {
		t.Fatalf("transfer: %v %s", err, errOut)
	}
	if !strings.Contains(out, "status  ok") {
		t.Fatalf("receipt: %s", out)
	}
	a, b := account(t, home, alice), account(t, home, bob)
	treasury := account(t, home, bank.ModuleAddress("treasury").Hex())
	if a.BalanceMicro != 1000_000000-1_500000-10_000 || a.Nonce != 1 || a.Balance != "998.49" {
		t.Fatalf("alice %+v", a)
	}
	if b.BalanceMicro != 1_500000 || b.Balance != "1.5" || treasury.BalanceMicro != 10_000 {
		t.Fatalf("bob %+v treasury %+v", b, treasury)
	}

	bad := []struct {
		name string
		args []string
		want string
	}{
		{"over balance", []string{"--amount", "5000"}, "insufficient funds"},
		{"wrong chain ID", []string{"--amount", "1", "--chain-id", "other-chain"}, "wrong chain ID"},
		{"replayed nonce", []string{"--amount", "1", "--nonce", "0"}, "nonce"},
		{"malformed address", []string{"--amount", "1", "--to", "0x1234"}, "malformed address"},
		{"bad amount", []string{"--amount", "1.0000001"}, "more than 6 decimals"},
	}
	for _, c := range bad {
		t.Run(c.name, func(t *testing.T) {
			_, errOut, err := transfer(c.args...)
			if err == nil || !strings.Contains(errOut, c.want) {
				t.Fatalf("err=%v stderr=%q, want %q", err, errOut, c.want)
			}
			if lines := strings.Count(errOut, "\n"); lines != 0 {
				t.Fatalf("rejection is not one line: %q", errOut)
			}
		})
	}
	t.Run("bad password", func(t *testing.T) {
		_, errOut, err := cli(t, "tx", "transfer", "--home", home, "--from", "alice", "--password-file", wrongPw, "--to", bob, "--amount", "1")
		if err == nil || !strings.Contains(errOut, "wrong password") {
			t.Fatalf("err=%v stderr=%q", err, errOut)
		}
	})
	if a2, b2 := account(t, home, alice), account(t, home, bob); a2 != a || b2 != b {
		t.Fatalf("rejected transactions changed state: alice %+v -> %+v, bob %+v -> %+v", a, a2, b, b2)
	}

	before := status(t, home)
	if err := p.Signal(syscall.SIGINT, 15*time.Second); err != nil {
		t.Fatalf("Ctrl-C: %v\n%s", err, p.Log())
	}
	if _, err := node.ReadListening(node.Home(home)); !os.IsNotExist(err) {
		t.Fatalf("listen file after the node stopped: %v", err)
	}
	startNode(t, home)
	listening(t, home)
	after := status(t, home)
	if after.Height < before.Height || after.ChainID != "walk-1" {
		t.Fatalf("restart lost blocks: before %+v after %+v", before, after)
	}
	if a2, b2 := account(t, home, alice), account(t, home, bob); a2 != a || b2 != b {
		t.Fatalf("restart changed accounts: alice %+v -> %+v, bob %+v -> %+v", a, a2, b, b2)
	}
	var blk views.Block
	json.Unmarshal([]byte(mustCLI(t, "query", "block", "1", "--home", home)), &blk)
	if blk.Height != 1 || blk.Hash == "" {
		t.Fatalf("block 1 after restart: %+v", blk)
	}
	// The validator set, as a joiner's operator reads it for --join.trust.
	var vs views.Validators
	if err := json.Unmarshal([]byte(mustCLI(t, "query", "validators", "--json", "--home", home)), &vs); err != nil {
		t.Fatal(err)
	}
	if vs.Height <= after.Height || len(vs.Validators) != 1 || !strings.EqualFold(vs.Validators[0].Hex(), after.Validator) {
		t.Fatalf("query validators: %+v, want the next block's set of %s", vs, after.Validator)
	}
	if out := mustCLI(t, "query", "validators", "1", "--home", home); !strings.Contains(out, vs.Validators[0].Hex()) || !strings.Contains(out, vs.Hash.Hex()) {
		t.Fatalf("query validators 1:\n%s", out)
	}
	// The next transfer continues from nonce 1.
	if out, errOut, err := transfer("--amount", "0.5", "--wait"); err != nil || !strings.Contains(out, "nonce   1") {
		t.Fatalf("transfer after restart: %v %s %s", err, out, errOut)
	}
}
