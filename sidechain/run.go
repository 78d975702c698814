package sidechain

import (
	"context"
	"log/slog"
	"time"
)

// MaxBackoff bounds the wait after failed steps.
const MaxBackoff = 30 * time.Second

// Run calls step every interval until ctx ends. A failed step is logged
// and retried after a wait that doubles per failure up to MaxBackoff: the
// processes keep their progress in their stores, so a failure (a chain
// unreachable, a crash mid-step) costs only the retry. Run returns nil
// when ctx ends.
func Run(ctx context.Context, step func(context.Context) error, interval time.Duration, log *slog.Logger) error {
	wait, failures := time.Duration(0), 0
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if err := step(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			failures++
			wait = min(interval<<min(failures, 16), MaxBackoff)
			log.Warn("step failed; retrying", "err", err, "failures", failures, "retry_in", wait)
		} else {
			if failures > 0 {
				log.Info("step succeeded again", "after_failures", failures)
			}
			failures, wait = 0, interval
		}
		t.Reset(wait)
	}
}
