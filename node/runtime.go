package node

import (
	"runtime/debug"
)

// GCTuning is what ApplyGCTuning set (zero fields: left as they were).
type GCTuning struct {
	GCPercent        int   // 0: unchanged
	MemoryLimitBytes int64 // 0: unchanged
}

// ApplyGCTuning sets the garbage collector from cfg's gc_percent and
// memory_limit_mb, for a process that runs one node: these settings are
// process-wide, so in-process testnets leave them alone. getenv reads the
// environment; GOGC and GOMEMLIMIT, when set, win (the runtime already
// applied them).
//
// Why a node may want them: a validator's heap is mostly short-lived
// transaction and block buffers, so GC cost tracks the allocation rate
// (about 2% of node CPU at saturation on 2 cores); a higher gc_percent
// trades memory for fewer collections, and a memory limit caps the heap
// where the machine's memory ends instead of where the next doubling lands.
func ApplyGCTuning(cfg Config, getenv func(string) string) GCTuning {
	var t GCTuning
	if cfg.GCPercent != 0 && getenv("GOGC") == "" {
		debug.SetGCPercent(cfg.GCPercent)
		t.GCPercent = cfg.GCPercent
	}
	if cfg.MemoryLimitMB > 0 && getenv("GOMEMLIMIT") == "" {
		t.MemoryLimitBytes = int64(cfg.MemoryLimitMB) << 20
		debug.SetMemoryLimit(t.MemoryLimitBytes)
	}
	return t
}
