package api_test

import (
	"context"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
)

// BenchmarkWSFanout measures notifications delivered per second to many
// WebSocket subscribers of the events topic (server and clients in one
// process, over loopback). Blocks are published in rounds of 8, each round
// waited for by every subscriber, so the rate is one the subscribers keep
// up with (none is dropped). It reports events/s (delivered, summed over
// subscribers) and the hub's time per block (what the commit path would
// wait if Publish ran on it; Notify does not even wait for that).
func BenchmarkWSFanout(b *testing.B) {
	for _, subs := range []int{100, 1000} {
		b.Run(strconv.Itoa(subs)+"subs", func(b *testing.B) { benchFanout(b, subs, 10) })
	}
}

func benchFanout(b *testing.B, subs, eventsPer int) {
	ss := newStreamServer(b, 0, eventsPer, api.Limits{MaxWSConns: -1, MaxWSConnsPerIP: -1, RatePerIP: -1, MaxConcurrent: -1},
		api.HubLimits{MaxSubs: subs + 1})
	const round = 8
	progress := make(chan struct{}, subs)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for i := 0; i < subs; i++ {
		w := mustDial(b, ss.url)
		w.subscribe(views.Subscribe{Topic: views.TopicEvents})
		go func() {
			n := 0
			for {
				if _, _, err := w.c.Read(ctx); err != nil {
					return
				}
				if n++; n == round*eventsPer {
					n = 0
					progress <- struct{}{}
				}
			}
		}()
	}
	blocks := make([]*api.Committed, 0, round)
	var publish, busy time.Duration
	cpu0 := cpuTime()
	b.ResetTimer()
	published := 0
	for published < b.N || published%round != 0 {
		b.StopTimer()
		blocks = blocks[:0]
		for range round {
			blocks = append(blocks, ss.src.add(b))
		}
		b.StartTimer()
		t0 := time.Now()
		for _, c := range blocks {
			ss.hub.Publish(c)
		}
		publish += time.Since(t0)
		published += round
		for range subs {
			<-progress
		}
		busy += time.Since(t0)
	}
	el := busy
	b.StopTimer()
	cpu := cpuTime() - cpu0
	if n := ss.hub.Subscriptions(); n != subs {
		b.Fatalf("%d of %d subscriptions left: some were dropped", n, subs)
	}
	b.ReportMetric(float64(published*eventsPer*subs)/el.Seconds(), "events/s")
	b.ReportMetric(float64(publish.Microseconds())/float64(published), "publish-µs/block")
	// The machine is shared: events per second of this process's CPU
	// (server and clients together) says more than the wall clock.
	b.ReportMetric(float64(published*eventsPer*subs)/cpu.Seconds(), "events/cpu-s")
	b.ReportMetric(0, "ns/op")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
