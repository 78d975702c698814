package webhook

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accordnet/accord/ledger/kv"
)

func TestMetricsRegisteredAndSharedAcrossReopen(t *testing.T) {
	reg := prometheus.NewRegistry()
	db := kv.NewMemory()
	defer db.Close()
	e1, err := Open(Config{Store: db, Registerer: reg, Clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	e1.m.deliveries.WithLabelValues(ResultDropped).Inc()
	if err := e1.Close(); err != nil {
		t.Fatal(err)
	}
	// A node that reopens the engine in the same process keeps its series.
	e2, err := Open(Config{Store: db, Registerer: reg, Clock: newFakeClock()})
	if err != nil {
		t.Fatal(err)
	}
	defer e2.Close()
	e2.m.deliveries.WithLabelValues(ResultDropped).Inc()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, mf := range mfs {
		if mf.GetName() != "accord_webhook_deliveries_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetCounter().GetValue()
		}
	}
	want := map[string]float64{ResultDelivered: 0, ResultRetry: 0, ResultFailed: 0, ResultDropped: 2}
	if len(got) != len(want) {
		t.Fatalf("series %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("series %v, want %v", got, want)
		}
	}
}
