package testnet

import (
	"testing"
	"time"
)

// TestBenchRoutesAroundADeadNode runs the load generator with a stopped
// node listed first: its batches must go to the others (no nonce gaps,
// nothing rejected, everything final) and the watcher must not depend on
// the dead node.
func TestBenchRoutesAroundADeadNode(t *testing.T) {
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, BenchAccounts: 40})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if err := c.Stop(3); err != nil {
		t.Fatal(err)
	}
	urls := c.URLs()
	urls = append([]string{urls[3]}, urls[:3]...)
	ctx, cancel := Timeout(2 * time.Minute)
	defer cancel()
	r, err := Bench(ctx, BenchConfig{URLs: urls, Duration: 3 * time.Second, Rate: 400, Accounts: 40,
		BatchSize: 50, Drain: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s", r)
	if r.Retried == 0 {
		t.Error("no batch was retried, but a quarter went to a dead node")
	}
	if r.Rejected != 0 {
		t.Errorf("%d rejected (first: %s)", r.Rejected, r.FirstReject)
	}
	if r.Submitted == 0 || r.Finalized != r.Submitted {
		t.Errorf("finalized %d of %d submitted", r.Finalized, r.Submitted)
	}
	if r.Blocks == 0 {
		t.Error("no blocks watched")
	}
	if err := c.CheckAgreement(); err != nil {
		t.Fatal(err)
	}
}
