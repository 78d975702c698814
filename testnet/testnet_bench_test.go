package testnet

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

// BenchmarkFinalizedTransfers4 measures finalized transfer throughput and
// finality latency on four in-process validators talking libp2p over
// loopback, with the load generator in the same process (so on a 2-core
// machine the load generator competes with the validators). One iteration
// is one 10-second load run at ACCORD_BENCH_RATE tx/s (default 3000).
func BenchmarkFinalizedTransfers4(b *testing.B) {
	rate := 3000
	if s := os.Getenv("ACCORD_BENCH_RATE"); s != "" {
		r, err := strconv.Atoi(s)
		if err != nil || r <= 0 {
			b.Fatalf("ACCORD_BENCH_RATE=%q: want a positive integer", s)
		}
		rate = r
	}
	c, err := NewCluster(b.TempDir(), ClusterOptions{Validators: 4, BenchAccounts: 1000, Logger: testLogger(b)})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := Timeout(60 * time.Second)
	defer cancel()
	if err := c.WaitAll(ctx, 2); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := Bench(context.Background(), BenchConfig{URLs: c.URLs(), Duration: 10 * time.Second,
			Rate: rate, Accounts: 1000, Progress: os.Stderr})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(r.FinalizedTPS, "finalized-tx/s")
		b.ReportMetric(r.P50Ms, "p50-ms")
		b.ReportMetric(r.P99Ms, "p99-ms")
		b.Logf("%s", r)
	}
	// What proposals cost on the wire (compact: hashes, not bodies).
	var sent, bytes, bodies float64
	for i := range 4 {
		sent += metricValue(b, c.RPCAddr(i), "accord_proposals_sent_total")
		bytes += metricValue(b, c.RPCAddr(i), "accord_proposal_bytes_total")
		bodies += metricValue(b, c.RPCAddr(i), "accord_proposal_tx_body_bytes_total")
	}
	if sent > 0 {
		b.ReportMetric(bytes/sent, "proposal-bytes")
		b.ReportMetric(bodies/sent, "proposal-body-bytes-not-sent")
	}
	if err := c.CheckAgreement(); err != nil {
		b.Fatal(err)
	}
}
