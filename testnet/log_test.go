package testnet

import (
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// testLogger routes logs to t.Log, so `go test` shows them for a failing
// test (or with -v) and a passing run prints none. Records arriving after
// the test's cleanup began are dropped: t.Log panics once a test is over,
// and a node's last goroutines may still log while it stops.
func testLogger(t testing.TB) *slog.Logger {
	w := &tWriter{t: t}
	t.Cleanup(w.close) // runs after cleanups registered later (the cluster's Close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

type tWriter struct {
	mu   sync.Mutex
	t    testing.TB
	done bool
}

func (w *tWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimSuffix(string(p), "\n"))
	}
	return len(p), nil
}

func (w *tWriter) close() {
	w.mu.Lock()
	w.done = true
	w.mu.Unlock()
}
