package node

import (
	"testing"

	"github.com/accordnet/accord/mempool"
	"github.com/accordnet/accord/types"
	"github.com/prometheus/client_golang/prometheus"
)

type emptyState struct{}

func (emptyState) Account(types.Address) (uint64, uint64, error) { return 0, 0, nil }

func TestMempoolEvictionMetricsRegistered(t *testing.T) {
	r := prometheus.NewRegistry()
	pool := mempool.New(mempool.Config{}, emptyState{}, func(*types.Tx) (uint64, error) { return 0, nil }, nil)
	registerMempoolMetrics(r, pool)
	mfs, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	reasons := map[string]bool{}
	for _, mf := range mfs {
		if mf.GetName() != "accord_mempool_evicted_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" {
					reasons[l.GetValue()] = true
				}
			}
		}
	}
	if !reasons["age"] || !reasons["pressure"] {
		t.Fatalf("accord_mempool_evicted_total reasons %v, want age and pressure", reasons)
	}
}
