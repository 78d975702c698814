package parallel

import (
	"sync/atomic"
	"testing"
)

func TestForEachVisitsEveryIndexOnce(t *testing.T) {
	for _, c := range []struct{ n, workers int }{{0, 4}, {1, 4}, {7, 1}, {1000, 2}, {1000, 0}, {3, 16}} {
		seen := make([]atomic.Int32, c.n)
		ForEach(c.n, c.workers, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if got := seen[i].Load(); got != 1 {
				t.Fatalf("n=%d workers=%d: index %d visited %d times", c.n, c.workers, i, got)
			}
		}
	}
}
