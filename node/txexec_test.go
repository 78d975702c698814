package node

import (
	"net/http"
	"path/filepath"
	"testing"

	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// execCounts returns accord_tx_exec_seconds' sample count per type label,
// failing on any other label.
func execCounts(t *testing.T, fams map[string]*dto.MetricFamily) map[string]uint64 {
	t.Helper()
	out := map[string]uint64{}
	f, ok := fams["accord_tx_exec_seconds"]
	if !ok {
		return out
	}
	if f.GetType() != dto.MetricType_HISTOGRAM {
		t.Fatalf("accord_tx_exec_seconds is a %v, want a histogram", f.GetType())
	}
	for _, m := range f.GetMetric() {
		if len(m.GetLabel()) != 1 || m.GetLabel()[0].GetName() != "type" {
			t.Fatalf("accord_tx_exec_seconds labels %v, want only type", m.GetLabel())
		}
		out[m.GetLabel()[0].GetValue()] = m.GetHistogram().GetSampleCount()
	}
	return out
}

func gathered(t *testing.T, r *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	mfs, err := r.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*dto.MetricFamily{}
	for _, mf := range mfs {
		out[mf.GetName()] = mf
	}
	return out
}

// TestTimedAppTimesIncludedTxsByRouteName builds a block of two transfers,
// a transfer with a wrong nonce and a transaction of a type no module
// routes: only the two included transfers are timed, under their route's
// name; the unknown type creates no series.
func TestTimedAppTimesIncludedTxsByRouteName(t *testing.T) {
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	c, err := banktest.New(l, 2)
	if err != nil {
		t.Fatal(err)
	}
	r := prometheus.NewRegistry()
	vec := newTxExecHistogram()
	r.MustRegister(vec)
	a := newTimedApp(c.Router, vec)
	if got := execCounts(t, gathered(t, r)); len(got) != 0 {
		t.Fatalf("series before any execution: %v", got)
	}
	to := types.PubkeyAddress(c.Keys[1])
	unknown, err := types.SignTx(&types.Tx{ChainID: banktest.ChainID, Nonce: 1, Type: 0x7f01,
		Payload: core.Encode(&struct{ X uint64 }{1}), Fee: banktest.MinFee}, c.Keys[1])
	if err != nil {
		t.Fatal(err)
	}
	txs := []*types.Tx{
		banktest.Transfer(c.Keys[0], 0, to, 1),
		banktest.Transfer(c.Keys[0], 5, to, 1), // nonce gap: left out
		unknown,
		banktest.Transfer(c.Keys[1], 0, to, 1),
	}
	x, dropped, err := l.Build(ledger.Template{Time: l.Last().Time + 1000, Proposer: types.PubkeyAddress(c.Validator)}, txs, a)
	if err != nil {
		t.Fatal(err)
	}
	if len(x.Block.Txs) != 2 || len(dropped) != 2 {
		t.Fatalf("%d included, %d dropped; want 2 and 2", len(x.Block.Txs), len(dropped))
	}
	got := execCounts(t, gathered(t, r))
	if len(got) != 1 || got["bank.transfer"] != 2 {
		t.Fatalf("accord_tx_exec_seconds counts %v, want bank.transfer: 2 and nothing else", got)
	}
	// A validator executing the block times it again, on its own node.
	if _, err := l.Execute(x.Block, a); err != nil {
		t.Fatal(err)
	}
	if got := execCounts(t, gathered(t, r)); got["bank.transfer"] != 4 {
		t.Fatalf("after Execute: %v, want bank.transfer: 4", got)
	}
}

// TestTxExecSecondsExported runs transfers through a live node and reads
// the histogram off its /metrics, as Prometheus does.
func TestTxExecSecondsExported(t *testing.T) {
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), nil, 0)
	s.start()
	var last types.Hash
	for i := 0; i < 3; i++ {
		h, err := s.transfer()
		if err != nil {
			t.Fatal(err)
		}
		last = h
	}
	s.waitTx(last)
	resp, err := http.Get("http://" + s.n.RPCAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	got := execCounts(t, fams)
	// At least 3: a proposal rebuilt after a view change is timed again.
	if got["bank.transfer"] < 3 {
		t.Fatalf("accord_tx_exec_seconds counts %v, want bank.transfer >= 3", got)
	}
	names := map[string]bool{}
	for _, m := range s.n.app.Modules() {
		for _, rt := range m.Routes() {
			names[rt.Name] = true
		}
	}
	for typ := range got {
		if !names[typ] {
			t.Errorf("type label %q is not a registered route", typ)
		}
	}
	if b := fams["accord_tx_exec_seconds"].GetMetric()[0].GetHistogram().GetBucket(); len(b) != len(txExecBuckets)+1 { // and +Inf
		t.Errorf("%d buckets, want %d", len(b), len(txExecBuckets)+1)
	}
}
