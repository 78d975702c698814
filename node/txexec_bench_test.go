//go:build unix

package node

import (
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// BenchmarkBuildTxExecMetrics measures the cost of accord_tx_exec_seconds:
// building a block of bank transfers through the bare router and through
// the node's timed wrapper (two clock reads and one histogram observation
// per transaction). Compare the two cpu-ns/tx figures (the process's CPU
// time, which a busy neighbour distorts far less than ns/tx):
//
//	go test ./node -run '^$' -bench TxExecMetrics -count 6
func BenchmarkBuildTxExecMetrics(b *testing.B) {
	const accounts, perBlock = 1000, 2000
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c, err := banktest.New(l, accounts)
	if err != nil {
		b.Fatal(err)
	}
	txs, err := c.Ring(perBlock) // recovered at admission, as in a node
	if err != nil {
		b.Fatal(err)
	}
	tpl := ledger.Template{Time: l.Last().Time + 1000, Proposer: types.PubkeyAddress(c.Validator)}
	// Warm the state cache first, or whichever runs first pays for it.
	for range 5 {
		if _, _, err := l.Build(tpl, txs, c.Router); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		app  ledger.App
	}{
		{"router", c.Router},
		{"timed", newTimedApp(c.Router, newTxExecHistogram())},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu0 := cpuTime()
			for b.Loop() {
				x, dropped, err := l.Build(tpl, txs, bc.app)
				if err != nil || len(dropped) != 0 || len(x.Receipts) != perBlock {
					b.Fatalf("build: %v, %d dropped", err, len(dropped))
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perBlock), "ns/tx")
			b.ReportMetric(float64((cpuTime()-cpu0).Nanoseconds())/float64(b.N*perBlock), "cpu-ns/tx")
		})
	}
}

// BenchmarkTxExecObserve is what the wrapper adds per transaction, alone:
// the map lookup, two clock reads and the observation. On a noisy machine
// it is steadier than the difference of the two Build figures above.
func BenchmarkTxExecObserve(b *testing.B) {
	a := newTimedApp(banktest.NewRouter(), newTxExecHistogram())
	typ := types.TxType(0x0101)
	for b.Loop() {
		t := a.byType[typ]
		start := time.Now()
		t.observe(time.Since(start))
	}
}

// cpuTime is the CPU time (user + system, every thread) this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
