//go:build unix

package p2p

import (
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/types"
)

// BenchmarkConsensusGossip publishes consensus-sized messages from one of
// four in-process hosts and waits until the other three have each
// delivered it, on the signed version-1 topic (libp2p signs on
// publish, verifies its own signature on publish and every receiver
// verifies) and on the unsigned version-2 topic. cpu-us/msg is the
// process's CPU time (all four hosts) per published message, which a
// loaded machine disturbs less than ns/op; compare the two sub-benchmarks
// of one run.
func BenchmarkConsensusGossip(b *testing.B) {
	const n = 4
	var hosts []*Host
	keys := make([]types.Address, 0, n)
	cfgs := make([]Config, n)
	for i := range cfgs {
		k := newKey(b)
		cfgs[i] = Config{ListenAddr: listenTCP, Key: k, ChainID: testChain, Logger: testLogger()}
		keys = append(keys, types.PubkeyAddress(k))
	}
	delivered := make(chan struct{}, 1024)
	for i := range cfgs {
		cfgs[i].AllowList = keys
		for _, h := range hosts {
			cfgs[i].Bootstrap = append(cfgs[i].Bootstrap, h.Addrs()...)
		}
		h, err := New(cfgs[i])
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { _ = h.Close() })
		if i > 0 {
			if err := h.Subscribe(TopicConsensus, func(types.Address, []byte) { delivered <- struct{}{} }); err != nil {
				b.Fatal(err)
			}
		}
		hosts = append(hosts, h)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, h := range hosts {
		if err := h.WaitTopicPeers(ctx, TopicConsensus, n-1); err != nil {
			b.Fatal(err)
		}
		for len(h.topics[TopicConsensus-1].legacy.ListPeers()) < n-1 {
			time.Sleep(10 * time.Millisecond)
		}
	}
	time.Sleep(300 * time.Millisecond) // a few heartbeats: the meshes are grafted
	pub := hosts[0]
	gt := pub.topics[TopicConsensus-1]
	for _, size := range []int{200, 16 << 10} {
		for _, tc := range []struct {
			name    string
			publish func(data []byte) error
		}{
			{"signed-v1", func(data []byte) error { return gt.legacy.Publish(ctx, data) }},
			{"unsigned-v2", func(data []byte) error { return pub.Publish(TopicConsensus, data) }},
		} {
			b.Run(fmt.Sprintf("%s/%dB", tc.name, size), func(b *testing.B) {
				data := make([]byte, size)
				cpu0 := processCPU()
				b.ResetTimer()
				// In lockstep: a burst would overflow pubsub's queues, and
				// gossip is allowed to drop what does not fit.
				for i := 0; i < b.N; i++ {
					data[0], data[1], data[2] = byte(i), byte(i>>8), byte(i>>16)
					if err := tc.publish(data); err != nil {
						b.Fatal(err)
					}
					for range n - 1 {
						select {
						case <-delivered:
						case <-ctx.Done():
							b.Fatalf("message %d not delivered to every host", i)
						}
					}
				}
				b.StopTimer()
				b.ReportMetric(float64((processCPU()-cpu0).Microseconds())/float64(b.N), "cpu-us/msg")
			})
		}
	}
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
