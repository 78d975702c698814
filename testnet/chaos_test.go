package testnet

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/types"
)

// TestChaos runs four in-process validators under steady load from the
// bench while a seeded schedule stops and restarts a validator or cuts it
// off from the others and heals it, one at a time (never more than f = 1
// out). At the end every node agrees on every block, holds every
// transaction the bench saw final, and no transaction is in two blocks.
// ACCORD_CHAOS_SEED replays a schedule; ACCORD_CHAOS_LONG=1 runs 3 minutes
// of load instead of 20 s. In-process, a stop is a clean shutdown and a
// freeze is a partition; TestChaosProcesses sends real signals (SIGKILL,
// SIGSTOP) to validator processes.
func TestChaos(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("ACCORD_CHAOS_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("ACCORD_CHAOS_SEED=%q: %v", s, err)
		}
		seed = v
	}
	t.Logf("chaos seed %d (replay with ACCORD_CHAOS_SEED=%d)", seed, seed)
	load := 20 * time.Second
	if os.Getenv("ACCORD_CHAOS_LONG") != "" {
		load = 3 * time.Minute
	}
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, BenchAccounts: 40})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx, cancel := Timeout(load + 4*time.Minute)
	defer cancel()
	if err := c.WaitAll(ctx, 2); err != nil {
		t.Fatal(err)
	}

	var report *BenchReport
	var benchErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		report, benchErr = Bench(ctx, BenchConfig{URLs: c.URLs(), Duration: load, Rate: 200,
			Accounts: 40, BatchSize: 20, Drain: 90 * time.Second})
	}()

	rng := rand.New(rand.NewPCG(seed, 0))
	pause := func() time.Duration { return time.Duration(1000+rng.IntN(2000)) * time.Millisecond }
	end := time.Now().Add(load)
	for step := 0; time.Now().Before(end); step++ {
		sleep(ctx, pause())
		i := rng.IntN(c.Layout.Validators)
		d := pause()
		if rng.IntN(2) == 0 {
			t.Logf("step %d: stop node%d for %v", step, i, d)
			if err := c.Stop(i); err != nil {
				t.Fatal(err)
			}
			sleep(ctx, d)
			if err := c.Start(i); err != nil {
				t.Fatal(err)
			}
		} else {
			t.Logf("step %d: partition node%d for %v", step, i, d)
			c.Isolate(i, true)
			sleep(ctx, d)
			c.Isolate(i, false)
		}
	}
	t.Logf("schedule done at %v", time.Since(end.Add(-load)).Round(time.Second))
	wg.Wait()
	t.Logf("bench done at %v", time.Since(end.Add(-load)).Round(time.Second))
	if benchErr != nil {
		t.Fatal(benchErr)
	}
	t.Logf("%s", report)
	if report.Finalized == 0 {
		t.Fatal("nothing finalized under chaos")
	}

	top := uint64(0)
	for i := range c.Layout.Validators {
		top = max(top, c.Height(i))
	}
	if err := c.WaitAll(ctx, top); err != nil {
		t.Fatal(err)
	}
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
	t.Logf("all nodes at height %d at %v", top, time.Since(end.Add(-load)).Round(time.Second))
	for i := range c.Layout.Validators {
		n := c.Node(i)
		for _, h := range report.Final {
			if _, err := n.Ledger().Tx(h); err != nil {
				t.Fatalf("node%d lacks final tx %s: %v", i, h.Hex(), err)
			}
		}
	}
	seen := map[types.Hash]uint64{}
	l := c.Node(0).Ledger()
	for h := uint64(1); h <= top; h++ {
		b, err := l.Block(h)
		if err != nil {
			t.Fatal(err)
		}
		for _, tx := range b.Txs {
			if prev, dup := seen[tx.Hash()]; dup {
				t.Fatalf("tx %s in blocks %d and %d", tx.Hash().Hex(), prev, h)
			}
			seen[tx.Hash()] = h
		}
	}
	t.Logf("%d blocks agree on all 4 nodes; %d final txs on every node, none doubled (%d submitted)",
		top, len(report.Final), report.Submitted)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
