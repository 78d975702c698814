package testnet

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readmeBlock is a fenced sh block of the README.
type readmeBlock struct {
	line int // of the opening fence
	body string
	skip string // why it is not run, from a "<!-- readme-test: skip (...) -->" line before it
}

var readmeSkip = regexp.MustCompile(`^<!-- readme-test: skip(.*)-->$`)

// readmeBlocks extracts the ```sh blocks of a markdown text.
func readmeBlocks(md string) []readmeBlock {
	var out []readmeBlock
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		if strings.TrimSpace(lines[i]) != "```sh" {
			continue
		}
		b := readmeBlock{line: i + 1}
		if i > 0 {
			if m := readmeSkip.FindStringSubmatch(strings.TrimSpace(lines[i-1])); m != nil {
				b.skip = strings.TrimSpace(m[1])
			}
		}
		var body []string
		for i++; i < len(lines) && strings.TrimSpace(lines[i]) != "```"; i++ {
			body = append(body, lines[i])
		}
		b.body = strings.Join(body, "\n") + "\n"
		out = append(out, b)
	}
	return out
}

func TestReadmeBlocks(t *testing.T) {
	md := "intro\n```sh\necho a\n```\ntext\n<!-- readme-test: skip (slow) -->\n```sh\nmake test\n```\n```\nnot sh\n```\n```sh\necho b\necho c\n```\n"
	got := readmeBlocks(md)
	want := []readmeBlock{{2, "echo a\n", ""}, {7, "make test\n", "(slow)"}, {13, "echo b\necho c\n", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %d blocks %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("block %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

// TestREADME runs every sh block of the README, as written, with bash in a
// directory laid out like the repository after `make testnet`: bin/accord
// and the running two-chain system in ./testnet-data, one validator per
// chain (which the README's C2C walk also names as a way to run it) on
// ports the OS picks (nothing here binds a port it picked itself). Then it
// checks what the README's comments promise.
func TestREADME(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a testnet")
	}
	_, file, _, _ := runtime.Caller(0)
	md, err := os.ReadFile(filepath.Join(filepath.Dir(filepath.Dir(file)), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := readmeBlocks(string(md))

	work := t.TempDir()
	tmp := filepath.Join(work, "tmp")
	if err := os.MkdirAll(filepath.Join(work, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(nodeBin, filepath.Join(work, "bin", "accord")); err != nil {
		t.Fatal(err)
	}
	s := System{Dir: filepath.Join(work, "testnet-data"), Validators: 1, CheckpointInterval: DefaultCheckpointInterval}
	if err := InitSystem(s); err != nil {
		t.Fatal(err)
	}
	startSystem(t, s)

	outputs := map[int]string{}
	ran := 0
	for _, b := range blocks {
		if b.skip != "" {
			t.Logf("README line %d: skipped %s", b.line, b.skip)
			continue
		}
		ran++
		outputs[b.line] = runBlock(t, work, tmp, b)
	}
	if ran < 2 {
		t.Fatalf("ran %d README blocks; the five-minute walk and the C2C walk should be among them", ran)
	}
	// What the README's comments say the walks print.
	for _, c := range []struct{ marker, want string }{
		{"./bin/accord query account $BOB", `"balance": "1.5"`},
		{"accord query account $MERCHANT", `"balance": "109.38"`},
		{"accord tx order confirm $ORDER", "state        COMPLETED"},
	} {
		found := false
		for _, b := range blocks {
			if strings.Contains(b.body, c.marker) {
				found = true
				if !strings.Contains(outputs[b.line], c.want) {
					t.Errorf("README block at line %d: output lacks %q:\n%s", b.line, c.want, outputs[b.line])
				}
			}
		}
		if !found {
			t.Errorf("no README block runs %q; update this test with the README", c.marker)
		}
	}
}

// runBlock runs one README block with bash -euo pipefail in its own
// process group (the five-minute walk starts a node in the background),
// and returns its output.
func runBlock(t *testing.T, work, tmp string, b readmeBlock) string {
	t.Helper()
	script := filepath.Join(work, "block.sh")
	if err := os.WriteFile(script, []byte("set -euo pipefail\n"+b.body), 0o644); err != nil {
		t.Fatal(err)
	}
	// A file, not a pipe: a background process left holding a pipe would
	// keep Wait from returning.
	logf, err := os.CreateTemp(work, "block-*.log")
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-x", script)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	runErr := cmd.Run()
	if cmd.Process != nil {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
			t.Logf("kill block's process group: %v", err)
		}
	}
	out, _ := os.ReadFile(logf.Name())
	if runErr != nil {
		t.Fatalf("README block at line %d failed (%v); bash -x output:\n%s", b.line, runErr, out)
	}
	return string(out)
}
