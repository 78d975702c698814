// Package parallel runs independent work items on all cores; signature
// recovery in the mempool, the sender cache and the load generator share it.
package parallel

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// ForEach calls fn(i) for every i in [0, n) on up to workers goroutines
// (workers <= 0 means runtime.GOMAXPROCS(0)), the caller's among them, and
// returns when all calls are done. Indices are handed out one at a time, so
// uneven work (cache hits next to signature recoveries) still keeps every
// core busy. With one worker or one item it runs on the calling goroutine.
func ForEach(n, workers int, fn func(i int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	if workers > n {
		workers = n
	}
	if workers <= 1 {
		for i := 0; i < n; i++ {
			fn(i)
		}
		return
	}
	var next atomic.Int64
	work := func() {
		for {
			i := int(next.Add(1) - 1)
			if i >= n {
				return
			}
			fn(i)
		}
	}
	var wg sync.WaitGroup
	for w := 1; w < workers; w++ {
		wg.Go(work)
	}
	work()
	wg.Wait()
}
