package kv

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
)

// TestPebbleFullDiskReachesFatalHook fills pebble's file system (every
// write fails with ENOSPC) under a commit and checks the fatal error goes
// to Options.Fatal as one line, so a node can end with one clear line
// instead of a goroutine dump, and that what was committed before
// survives.
func TestPebbleFullDiskReachesFatalHook(t *testing.T) {
	mem := vfs.NewCrashableMem()
	full := &errorfs.Toggle{Injector: errorfs.InjectorFunc(func(op errorfs.Op) error {
		if op.Kind.ReadOrWrite() == errorfs.OpIsWrite {
			return fmt.Errorf("write %s: %w", op.Path, syscall.ENOSPC)
		}
		return nil
	})}
	var fatal []string
	opts := Options{Fatal: func(msg string) { fatal = append(fatal, msg) }}
	eng, err := openPebble("db", errorfs.Wrap(mem, full), opts)
	if err != nil {
		t.Fatal(err)
	}
	db := newStore(BackendPebble, eng, opts)
	put := func(k string) error {
		b := db.NewBatch()
		defer b.Close()
		if err := b.Set([]byte(k), []byte("v")); err != nil {
			return err
		}
		return b.Commit()
	}
	if err := put("before"); err != nil {
		t.Fatal(err)
	}
	full.On()
	var recovered any
	func() {
		defer func() { recovered = recover() }()
		err = put("after")
	}()
	switch {
	case recovered == nil && err == nil:
		t.Fatal("commit on a full disk succeeded")
	case recovered != nil:
		t.Logf("pebble panicked after calling the hook with %q", fatal)
		if len(fatal) != 1 || !strings.Contains(fatal[0], "no space left on device") || strings.Contains(fatal[0], "\n") {
			t.Fatalf("fatal hook got %q, want one line naming the full disk", fatal)
		}
	default: // an error returned is fine too: it must name the cause
		if !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("commit error %v, want ENOSPC", err)
		}
	}
	// The committed key is durable: a crash now (only synced data kept),
	// then a restart with space back, finds it.
	reopened, err := openPebble("db", mem.CrashClone(vfs.CrashCloneCfg{}), Options{})
	if err != nil {
		t.Fatal(err)
	}
	db2 := newStore(BackendPebble, reopened, Options{})
	defer db2.Close()
	if v, err := db2.Get([]byte("before")); err != nil || string(v) != "v" {
		t.Fatalf("committed key after the failure: %q, %v", v, err)
	}
}

func TestBackgroundErrorsAreRateLimited(t *testing.T) {
	var mu sync.Mutex
	var lines []string
	h := &captureHandler{mu: &mu, lines: &lines}
	r := &rateLimitedErrors{log: slog.New(h), every: time.Hour}
	for i := 0; i < 1000; i++ {
		r.report(errors.New("write 000005.sst: no space left on device\n(1) attached stack trace\n  -- stack trace:"))
	}
	mu.Lock()
	got := append([]string(nil), lines...)
	mu.Unlock()
	if len(got) != 1 || strings.Contains(got[0], "stack trace") {
		t.Fatalf("logged %d lines (%q), want 1 without the stack trace", len(got), got)
	}
	r.last = time.Now().Add(-2 * time.Hour) // the interval passed
	r.report(errors.New("again"))
	mu.Lock()
	defer mu.Unlock()
	if len(lines) != 2 || !strings.Contains(lines[1], "suppressed_since_last=999") {
		t.Fatalf("second line %q, want the suppressed count", lines[len(lines)-1])
	}
}

type captureHandler struct {
	mu    *sync.Mutex
	lines *[]string
	attrs []slog.Attr
}

func (h *captureHandler) Enabled(_ context.Context, _ slog.Level) bool { return true }
func (h *captureHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool { fmt.Fprintf(&b, " %s=%v", a.Key, a.Value); return true })
	h.mu.Lock()
	*h.lines = append(*h.lines, b.String())
	h.mu.Unlock()
	return nil
}
func (h *captureHandler) WithAttrs(as []slog.Attr) slog.Handler { return h }
func (h *captureHandler) WithGroup(string) slog.Handler         { return h }
