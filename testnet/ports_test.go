package testnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/accordnet/accord/node"
)

// holdTCP binds 127.0.0.1:0 and keeps it for the test: a port that is
// certainly taken.
func holdTCP(t *testing.T) (int, string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port, ln.Addr().String()
}

func TestCheckPortsNamesTheTakenPort(t *testing.T) {
	tcpPort, tcpAddr := holdTCP(t)
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	udpAddr := udp.LocalAddr().String()
	_, udpPort, _ := net.SplitHostPort(udpAddr)

	// Initialized testnets: every port but the one under test is :0,
	// which is always free, so the check can only trip on the held one.
	initialized := func(t *testing.T, p2p1 string) Layout {
		l := Layout{Dir: t.TempDir(), Validators: 2, BasePort: 1, ChainID: "ports"}
		_, err := Init(l, InitOptions{Config: func(i int, c *node.Config) {
			c.RPCAddr = "127.0.0.1:0"
			c.P2PListen = "/ip4/127.0.0.1/tcp/0"
			if i == 1 && p2p1 != "" {
				c.P2PListen = p2p1
			}
		}})
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	for _, c := range []struct {
		name   string
		layout func(t *testing.T) Layout
		want   string // "" = all free
	}{
		{"new testnet, node0 RPC taken", func(t *testing.T) Layout {
			return Layout{Dir: filepath.Join(t.TempDir(), "tn"), Validators: 1, BasePort: tcpPort}
		}, fmt.Sprintf("node0's RPC port %s is taken", tcpAddr)},
		{"resumed testnet, node1 p2p TCP taken", func(t *testing.T) Layout {
			return initialized(t, "/ip4/127.0.0.1/tcp/"+fmt.Sprint(tcpPort))
		}, fmt.Sprintf("node1's p2p port %s is taken", tcpAddr)},
		{"resumed testnet, node1 p2p QUIC taken", func(t *testing.T) Layout {
			return initialized(t, "/ip4/127.0.0.1/tcp/0,/ip4/127.0.0.1/udp/"+udpPort+"/quic-v1")
		}, fmt.Sprintf("node1's p2p port %s is taken", udpAddr)},
		{"all free", func(t *testing.T) Layout { return initialized(t, "") }, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := c.layout(t).CheckPorts()
			if c.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if !errors.Is(err, ErrPortInUse) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("CheckPorts = %v, want ErrPortInUse saying %q", err, c.want)
			}
		})
	}
}

// TestUpChecksPortsBeforeStartingAnything: with a port taken, Up fails
// with ErrPortInUse before it would run the (here missing) binary.
func TestUpChecksPortsBeforeStartingAnything(t *testing.T) {
	port, _ := holdTCP(t)
	l := Layout{Dir: t.TempDir(), Validators: 1, BasePort: port, ChainID: "ports"}
	if _, err := Init(l, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	err := Up(context.Background(), l, filepath.Join(t.TempDir(), "no-such-binary"), os.Stdout, 0)
	if !errors.Is(err, ErrPortInUse) {
		t.Fatalf("Up = %v, want ErrPortInUse", err)
	}
}

// TestTestnetUpRefusesATakenPort runs `accord testnet up` (the system, and
// one chain with --single) on a taken base port: one line naming the port,
// exit 1, and no testnet written.
func TestTestnetUpRefusesATakenPort(t *testing.T) {
	port, addr := holdTCP(t)
	for _, c := range []struct {
		name  string
		extra []string
		who   string
	}{
		{"system", nil, "side node0"},
		{"single chain", []string{"--single"}, "node0"},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tn")
			_, errOut, err := cli(t, append([]string{"testnet", "up", "--validators", "1", "--dir", dir, "--base-port", fmt.Sprint(port)}, c.extra...)...)
			if err == nil {
				t.Fatal("testnet up on a taken port succeeded")
			}
			want := fmt.Sprintf("Error: port in use: %s's RPC port %s is taken by another program; pick other ports with --base-port N", c.who, addr)
			if !strings.HasPrefix(errOut, want) || strings.Contains(errOut, "\n") {
				t.Fatalf("stderr %q, want one line starting %q", errOut, want)
			}
			if _, err := os.Stat(dir); !os.IsNotExist(err) {
				t.Fatalf("a refused testnet up wrote %s (%v)", dir, err)
			}
		})
	}
}

// TestSystemPortsCoverEveryProcess: the ports a new system checks are
// every listener of every process, at the documented offsets, each once.
func TestSystemPortsCoverEveryProcess(t *testing.T) {
	s := System{Dir: filepath.Join(t.TempDir(), "sys"), Validators: 2, BasePort: 30000, CheckpointInterval: 4}
	ps, err := s.Ports()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	seen := map[string]bool{}
	for _, p := range ps {
		got = append(got, p.String())
		if seen[p.Network+p.Addr] {
			t.Errorf("%s listed twice", p.Addr)
		}
		seen[p.Network+p.Addr] = true
	}
	want := []string{
		"side node0's RPC port 127.0.0.1:30000", "side node0's p2p port 127.0.0.1:30100",
		"side node1's RPC port 127.0.0.1:30001", "side node1's p2p port 127.0.0.1:30101",
		"main node0's RPC port 127.0.0.1:30200", "main node0's p2p port 127.0.0.1:30300",
		"main node1's RPC port 127.0.0.1:30201", "main node1's p2p port 127.0.0.1:30301",
		"the devchain's RPC port 127.0.0.1:30400",
		"checkpointer0's HTTP port 127.0.0.1:30500", "checkpointer1's HTTP port 127.0.0.1:30501",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("ports:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A port the OS holds is named whatever process needs it.
	_, addr := holdTCP(t)
	if err := checkPorts([]Port{{Node: 0, Chain: "side ", Purpose: "RPC", Network: "tcp", Addr: "127.0.0.1:0"}, {Proc: "checkpointer1", Purpose: "HTTP", Network: "tcp", Addr: addr}}); !errors.Is(err, ErrPortInUse) ||
		!strings.Contains(err.Error(), "checkpointer1's HTTP port "+addr+" is taken") {
		t.Fatalf("checkPorts = %v", err)
	}
	// Out of range, or port 0 with more than one validator, is refused.
	for _, bad := range []System{{Validators: 2, BasePort: 65535 - 400, CheckpointInterval: 1}, {Validators: 2, CheckpointInterval: 1},
		{Validators: 1, BasePort: 30000}, {Validators: 101, BasePort: 30000, CheckpointInterval: 1}} {
		if err := bad.check(); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

// TestMakeTestnetPassesPortsAndValidators: `make testnet BASE_PORT=…
// VALIDATORS=…` reaches `accord testnet up`, and without BASE_PORT the
// flag is left out so a resumed testnet keeps the ports in its configs.
func TestMakeTestnetPassesPortsAndValidators(t *testing.T) {
	mk, err := exec.LookPath("make")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("make is not installed, and CI must run this test")
		}
		t.Skip("no make")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"BASE_PORT=31000", "VALIDATORS=2"}, "./bin/accord testnet up --validators 2 --dir ./testnet-data --base-port 31000"},
		{nil, "./bin/accord testnet up --validators 4 --dir ./testnet-data"},
	} {
		cmd := exec.Command(mk, append([]string{"-n", "--no-print-directory", "testnet"}, c.args...)...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "BASE_PORT=", "VALIDATORS=") // set but empty counts as unset
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("make -n testnet %v: %v", c.args, err)
		}
		lines := strings.Split(strings.TrimSpace(string(out)), "\n")
		if last := strings.TrimSpace(lines[len(lines)-1]); last != c.want {
			t.Errorf("make testnet %v runs %q, want %q", c.args, last, c.want)
		}
	}
}
