package mempool

import (
	"sync"
	"sync/atomic"
)

// forEach calls fn(i) for every i in [0, n) on up to workers goroutines, the
// caller's among them, and returns when all calls are done. Indices are
// handed out one at a time so a mix of cheap items (cache hits, rejects) and
// signature recoveries keeps every core busy.
func forEach(n, workers int, fn func(i int)) {
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
