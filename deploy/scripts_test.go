package deploy

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestGenNetworkRefuses checks that gen-network.sh refuses bad requests
// with a reason and writes nothing, and never overwrites a network.
func TestGenNetworkRefuses(t *testing.T) {
	existing := genNetwork(t, []string{"--target", "compose", "--validators", "2", "--out", "x"})
	genesis := readFile(t, filepath.Join(existing, "validator0", "config", "genesis.json"))
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"one validator", []string{"--validators", "1"}, "need 2 or more validators"},
		{"too many nodes", []string{"--validators", "60", "--rpc-nodes", "40"}, "at most 99 nodes"},
		{"not a number", []string{"--validators", "four"}, "are numbers"},
		{"unknown target", []string{"--target", "swarm"}, "compose or k8s"},
		{"unknown argument", []string{"--peers", "x"}, "unknown argument --peers"},
		{"existing network", []string{"--out", existing}, "already holds a network"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "net")
			args := append([]string{deployPath("scripts", "gen-network.sh"), "--out", out}, tc.args...)
			cmd := exec.Command("sh", args...)
			cmd.Env = append(os.Environ(), "ACCORD_BIN="+accordBin)
			b, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(b), tc.want) {
				t.Fatalf("gen-network.sh %q: err %v, output %q; want a failure saying %q", tc.args, err, b, tc.want)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) && !strings.Contains(strings.Join(tc.args, " "), existing) {
				t.Errorf("a refused run wrote %s", out)
			}
		})
	}
	if got := readFile(t, filepath.Join(existing, "validator0", "config", "genesis.json")); string(got) != string(genesis) {
		t.Error("a refused run changed an existing network's genesis")
	}
	// --keep-existing turns the refusal into a no-op (compose's second up).
	cmd := exec.Command("sh", deployPath("scripts", "gen-network.sh"), "--out", existing, "--keep-existing")
	cmd.Env = append(os.Environ(), "ACCORD_BIN="+accordBin)
	if b, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(b), "keeping it") {
		t.Errorf("--keep-existing on an existing network: %v %s", err, b)
	}
	if got := readFile(t, filepath.Join(existing, "validator0", "config", "genesis.json")); string(got) != string(genesis) {
		t.Error("--keep-existing changed the genesis")
	}
}
