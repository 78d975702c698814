//go:build linux

package node

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/types"
)

// mountTmpfs mounts a size-limited tmpfs at a temp dir, or skips the test
// where that is not allowed (not root, no tmpfs).
func mountTmpfs(t *testing.T, size string) string {
	t.Helper()
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+size); err != nil {
		t.Skipf("cannot mount a tmpfs here (needs root): %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	return dir
}

// fillTo grows the ballast file until at most free bytes remain under dir.
func fillTo(t *testing.T, ballast string, free uint64) {
	t.Helper()
	f, err := os.OpenFile(ballast, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 256<<10)
	for {
		now, err := statFree(filepath.Dir(ballast))
		if err != nil {
			t.Fatal(err)
		}
		if now <= free {
			return
		}
		n := min(uint64(len(chunk)), now-free)
		if _, err := f.Write(chunk[:n]); err != nil {
			t.Fatal(err)
		}
	}
}

// TestDiskGuardOnTmpfs runs a node on a 64 MiB tmpfs (real pebble, real
// statfs) and fills the disk under it.
func TestDiskGuardOnTmpfs(t *testing.T) {
	dir := mountTmpfs(t, "64m")
	// The minimum leaves room for pebble's WAL and flushes; a quarter of it
	// is the stop line.
	s := newSingleNode(t, Home(filepath.Join(dir, "home")), nil, 24<<20)
	s.start()
	var final []types.Hash
	for range 20 {
		h, err := s.transfer()
		if err != nil {
			t.Fatal(err)
		}
		final = append(final, h)
	}
	s.waitTx(final[len(final)-1])

	ballast := filepath.Join(dir, "ballast")
	fillTo(t, ballast, 20<<20)
	if err := s.n.disk.check(s.n); err != nil || !s.n.disk.tripped() {
		t.Fatalf("guard not tripped at 20 MiB free (err %v)", err)
	}
	if _, err := s.transfer(); !errors.Is(err, ErrDiskLow) {
		t.Fatalf("tx on a low disk: %v", err)
	}

	fillTo(t, ballast, 4<<20)
	select {
	case err := <-s.n.Err():
		if !errors.Is(err, ErrDiskFull) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("stop error %q, want one line wrapping ErrDiskFull", err)
		}
		t.Logf("node stopped: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("node did not stop on a full disk")
	}
	top := s.n.Ledger().Last().Height
	if err := s.n.Stop(); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := s.open(); !errors.Is(err, ErrDiskLow) {
		t.Fatalf("start on the full disk: %v, want ErrDiskLow", err)
	} else {
		t.Logf("start on the full disk refused in %v: %v", time.Since(start).Round(time.Millisecond), err)
	}

	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	s.start()
	if h := s.n.Ledger().Last().Height; h < top {
		t.Fatalf("restarted at height %d, had committed %d", h, top)
	}
	for _, h := range final {
		if _, err := s.n.Ledger().Tx(h); err != nil {
			t.Fatalf("committed tx %s lost: %v", h.Hex(), err)
		}
	}
	h, err := s.transfer()
	if err != nil {
		t.Fatal(err)
	}
	s.waitTx(h)
}
