package testnet

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
)

// BuildBinary compiles cmd/node into dir as "accord" and returns its path.
func BuildBinary(dir string) (string, error) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Dir(filepath.Dir(file))
	out := filepath.Join(dir, "accord")
	cmd := exec.Command("go", "build", "-o", out, "./cmd/node")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build accord: %v\n%s", err, b)
	}
	return out, nil
}

// Process is a node process whose log is scanned for events.
type Process struct {
	Cmd  *exec.Cmd
	mu   sync.Mutex
	log  []string
	cond *sync.Cond
	done chan struct{}
	err  error
}

// StartProcess runs bin with args, capturing stderr lines.
func StartProcess(bin string, args ...string) (*Process, error) {
	cmd := exec.Command(bin, args...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout = io.Discard
	p := &Process{Cmd: cmd, done: make(chan struct{})}
	p.cond = sync.NewCond(&p.mu)
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.log = append(p.log, sc.Text())
			p.cond.Broadcast()
			p.mu.Unlock()
		}
		p.err = cmd.Wait()
		p.mu.Lock()
		close(p.done)
		p.cond.Broadcast()
		p.mu.Unlock()
	}()
	return p, nil
}

// WaitLog blocks until a log line matches re, the process exits, or the
// timeout passes. It returns the matching line.
func (p *Process) WaitLog(re *regexp.Regexp, timeout time.Duration) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stop := context.AfterFunc(ctx, func() {
		p.mu.Lock()
		p.cond.Broadcast()
		p.mu.Unlock()
	})
	defer stop()
	p.mu.Lock()
	defer p.mu.Unlock()
	seen := 0
	for {
		for ; seen < len(p.log); seen++ {
			if re.MatchString(p.log[seen]) {
				return p.log[seen], nil
			}
		}
		select {
		case <-p.done:
			return "", fmt.Errorf("process exited (%v) before logging %s; log:\n%s", p.err, re, strings.Join(p.log, "\n"))
		default:
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("no log line matching %s within %s; log:\n%s", re, timeout, strings.Join(p.log, "\n"))
		}
		p.cond.Wait()
	}
}

// Log returns the captured stderr.
func (p *Process) Log() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.log, "\n")
}

// Signal sends sig and waits for the process to exit; it returns the exit error.
func (p *Process) Signal(sig syscall.Signal, timeout time.Duration) error {
	if err := p.Cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return err
	}
	select {
	case <-p.done:
		return p.err
	case <-time.After(timeout):
		_ = p.Cmd.Process.Kill()
		<-p.done
		return fmt.Errorf("process did not exit within %s after %v", timeout, sig)
	}
}

// Kill ends the process at once (SIGKILL) and waits for it.
func (p *Process) Kill() {
	_ = p.Cmd.Process.Kill()
	<-p.done
}
