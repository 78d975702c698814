package webhook

import "time"

// Clock is the engine's source of time. Timers take an absolute deadline so
// a fake clock advanced between reading Now and arming a timer cannot push
// the deadline later.
type Clock interface {
	Now() time.Time
	// NewTimer returns a timer that fires once the clock reaches at (at
	// once if it already has).
	NewTimer(at time.Time) Timer
}

// Timer is a one-shot timer from a Clock.
type Timer interface {
	C() <-chan time.Time
	Stop() bool
}

// SystemClock is the wall clock.
type SystemClock struct{}

func (SystemClock) Now() time.Time { return time.Now() }

func (SystemClock) NewTimer(at time.Time) Timer {
	return sysTimer{time.NewTimer(time.Until(at))}
}

type sysTimer struct{ t *time.Timer }

func (t sysTimer) C() <-chan time.Time { return t.t.C }
func (t sysTimer) Stop() bool          { return t.t.Stop() }
