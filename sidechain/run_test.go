package sidechain

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"
)

// TestRunRetriesFailedStepsUntilCancelled: failing steps are retried (the
// loop does not give up), a success follows, and cancelling ends Run with
// nil even mid-failure.
func TestRunRetriesFailedStepsUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	calls, okAt := 0, 3
	var okCalls int
	step := func(context.Context) error {
		calls++
		if calls < okAt {
			return errors.New("chain unreachable")
		}
		okCalls++
		if okCalls == 2 {
			cancel()
			return errors.New("failed while stopping")
		}
		return nil
	}
	if err := Run(ctx, step, time.Microsecond, slog.New(slog.DiscardHandler)); err != nil {
		t.Fatalf("Run returned %v on cancel", err)
	}
	if calls != okAt+1 {
		t.Fatalf("%d steps, want %d (two failures, a success, the cancelled one)", calls, okAt+1)
	}
}
