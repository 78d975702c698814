package testnet

import (
	"bufio"
	"context"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// upRun is `testnet up` run in-process (nodes as processes of the test
// binary), with its output readable line by line.
type upRun struct {
	lines chan string
	stop  func() error
	after []string // what it printed from the banner until stop returned
}

// startUp runs Up and returns once it printed its banner (up to the "dev
// key" line), with the banner.
func startUp(t *testing.T, l Layout) (*upRun, string) {
	t.Helper()
	return startRun(t, func(ctx context.Context, out io.Writer) error { return Up(ctx, l, nodeBin, out, time.Hour) })
}

// startSystem is startUp for SystemUp.
func startSystem(t *testing.T, s System) (*upRun, string) {
	t.Helper()
	return startRun(t, func(ctx context.Context, out io.Writer) error { return SystemUp(ctx, s, nodeBin, out, time.Hour) })
}

func startRun(t *testing.T, up func(context.Context, io.Writer) error) (*upRun, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		err := up(ctx, pw)
		pw.CloseWithError(err)
		done <- err
	}()
	u := &upRun{lines: make(chan string, 1024)}
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			u.lines <- sc.Text()
		}
		close(u.lines)
	}()
	var once bool
	var result error
	u.stop = func() error {
		if !once {
			once = true
			cancel()
			result = <-done
			for line := range u.lines {
				u.after = append(u.after, line)
			}
		}
		return result
	}
	t.Cleanup(func() { _ = u.stop() })
	var banner strings.Builder
	timeout := time.After(4 * time.Minute)
	for {
		select {
		case line, ok := <-u.lines:
			if !ok {
				t.Fatalf("testnet up ended (%v) before its banner:\n%s", u.stop(), banner.String())
			}
			banner.WriteString(line + "\n")
			if strings.Contains(line, `dev key: "dev"`) {
				return u, banner.String()
			}
		case <-timeout:
			t.Fatalf("no banner within 4 minutes:\n%s", banner.String())
		}
	}
}

// TestUpSaysWhenItResumes: a second `testnet up` on the same directory
// says it resumed, from which height, and shows the dev key's balance
// now, not the genesis one.
func TestUpSaysWhenItResumes(t *testing.T) {
	l := Layout{Dir: filepath.Join(t.TempDir(), "tn"), Validators: 1, BasePort: 0, ChainID: "resume-1"}
	if _, err := Init(l, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	u, banner := startUp(t, l)
	if !strings.Contains(banner, `New Accord testnet "resume-1"`) || !strings.Contains(banner, "(1000000 USDT now)") {
		t.Fatalf("first banner:\n%s", banner)
	}
	home := string(l.Home(0))
	out := mustCLI(t, "tx", "transfer", "--home", home, "--from", "dev", "--password-file", l.DevPasswordFile(),
		"--to", "0x000000000000000000000000000000000000dEaD", "--amount", "1.5", "--wait")
	m := regexp.MustCompile(`block +(\d+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("receipt: %s", out)
	}
	txHeight, _ := strconv.Atoi(m[1])
	if err := u.stop(); err != nil {
		t.Fatal(err)
	}

	_, banner = startUp(t, l)
	m = regexp.MustCompile(`resumed at height (\d+)`).FindStringSubmatch(banner)
	if !strings.Contains(banner, `Resumed Accord testnet "resume-1"`) || m == nil {
		t.Fatalf("second banner does not say it resumed:\n%s", banner)
	}
	if h, _ := strconv.Atoi(m[1]); h < txHeight {
		t.Fatalf("resumed at height %d, below the transfer's block %d", h, txHeight)
	}
	// 1,000,000 less 1.5 and the 0.01 fee.
	if !strings.Contains(banner, "(999998.49 USDT now)") || strings.Contains(banner, "1000000 USDT") {
		t.Fatalf("second banner does not show the live balance:\n%s", banner)
	}
}
