package node

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestApplyGCTuning: the config sets the collector unless GOGC/GOMEMLIMIT
// are in the environment, and unset keys change nothing.
func TestApplyGCTuning(t *testing.T) {
	prevPercent := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(math.MaxInt64)
	t.Cleanup(func() { debug.SetGCPercent(prevPercent); debug.SetMemoryLimit(prevLimit) })
	noEnv := func(string) string { return "" }
	cases := []struct {
		name        string
		cfg         Config
		env         func(string) string
		wantPercent int   // what the runtime has after
		wantLimit   int64 // what the runtime has after
		wantApplied GCTuning
	}{
		{"unset keys change nothing", Config{}, noEnv, 100, math.MaxInt64, GCTuning{}},
		{"both keys", Config{GCPercent: 300, MemoryLimitMB: 512}, noEnv, 300, 512 << 20, GCTuning{300, 512 << 20}},
		{"environment wins", Config{GCPercent: 300, MemoryLimitMB: 512},
			func(k string) string { return map[string]string{"GOGC": "50", "GOMEMLIMIT": "1GiB"}[k] }, 100, math.MaxInt64, GCTuning{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			debug.SetGCPercent(100)
			debug.SetMemoryLimit(math.MaxInt64)
			if got := ApplyGCTuning(c.cfg, c.env); got != c.wantApplied {
				t.Fatalf("applied %+v, want %+v", got, c.wantApplied)
			}
			if p := debug.SetGCPercent(100); p != c.wantPercent {
				t.Fatalf("GC percent %d, want %d", p, c.wantPercent)
			}
			if l := debug.SetMemoryLimit(-1); l != c.wantLimit {
				t.Fatalf("memory limit %d, want %d", l, c.wantLimit)
			}
		})
	}
}

func TestConfigRefusesUnboundedGC(t *testing.T) {
	for _, c := range []struct {
		name string
		gc   int
		mb   int
		ok   bool
	}{
		{"off with a limit", -1, 1024, true},
		{"off without a limit", -1, 0, false},
		{"below -1", -2, 1024, false},
		{"negative limit", 100, -1, false},
	} {
		cfg := DefaultConfig()
		cfg.GCPercent, cfg.MemoryLimitMB = c.gc, c.mb
		if err := cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: Validate() = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
