package webhook

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/ledger/kv"
)

// BenchmarkDeliveryLatency measures, over 1,000 events per iteration, the
// time from Publish to the request reaching a receiver on loopback, on the
// wall clock, with the store on disk (fsync per write) and in memory.
// "sequential" publishes the next event once the previous one arrived;
// "burst" publishes all 1,000 back to back.
func BenchmarkDeliveryLatency(b *testing.B) {
	for _, store := range []string{"pebble", "memory"} {
		for _, mode := range []string{"sequential", "burst"} {
			b.Run(store+"/"+mode, func(b *testing.B) {
				var lat []time.Duration
				for range b.N {
					lat = append(lat, measureLatency(b, store, mode == "burst", 1000)...)
				}
				slices.Sort(lat)
				q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
				b.ReportMetric(q(0.50), "p50_ms")
				b.ReportMetric(q(0.99), "p99_ms")
				b.ReportMetric(q(1), "max_ms")
			})
		}
	}
}

func measureLatency(b *testing.B, store string, burst bool, n int) []time.Duration {
	b.Helper()
	var db kv.DB
	var err error
	if store == "pebble" {
		db, err = kv.OpenPebble(b.TempDir(), kv.Options{})
		if err != nil {
			b.Fatal(err)
		}
	} else {
		db = kv.NewMemory()
	}
	defer db.Close()
	arrived := make(chan string, n)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- r.Header.Get("Accord-Event-Id")
	}))
	defer srv.Close()
	e, err := Open(Config{Store: db})
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	if _, err := e.AddEndpoint(EndpointSpec{URL: srv.URL}); err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	sent := make(map[string]time.Time, n)
	out := make([]time.Duration, 0, n)
	publish := func(i int) {
		id := EventID(uint64(i), 0, 0)
		mu.Lock()
		sent[id] = time.Now()
		mu.Unlock()
		if err := e.Publish(Event{ID: id, Type: "order.paid", Data: []byte(`{"order":` + strconv.Itoa(i) + `}`)}); err != nil {
			b.Error(err)
		}
	}
	collect := func() {
		select {
		case id := <-arrived:
			mu.Lock()
			out = append(out, time.Since(sent[id]))
			mu.Unlock()
		case <-time.After(30 * time.Second):
			b.Fatal("delivery did not arrive")
		}
	}
	if burst {
		go func() {
			for i := range n {
				publish(i)
			}
		}()
		for range n {
			collect()
		}
	} else {
		for i := range n {
			publish(i)
			collect()
		}
	}
	return out
}
