package testnet

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// businessSeries are the families derived from committed events and state.
var businessSeries = []string{"accord_txs_total", "accord_orders_total", "accord_order_completion_seconds",
	"accord_disputes_open", "accord_risk_events_total", "accord_frozen_accounts", "accord_kyc_attestations_total",
	"accord_oracle_rate_stale"}

// scrapeBusiness reads node rpc's business series as "name{labels} value"
// lines (histograms as their count and sum), sorted, and the height they
// are tallied to.
func scrapeBusiness(t *testing.T, rpc string) ([]string, float64) {
	t.Helper()
	resp, err := http.Get("http://" + rpc + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, name := range businessSeries {
		f, ok := fams[name]
		if !ok {
			t.Fatalf("%s: /metrics lacks %s", rpc, name)
		}
		for _, m := range f.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, l.GetName()+"="+l.GetValue())
			}
			id := name + "{" + strings.Join(labels, ",") + "}"
			switch f.GetType() {
			case dto.MetricType_COUNTER:
				out = append(out, fmt.Sprintf("%s %g", id, m.Counter.GetValue()))
			case dto.MetricType_GAUGE:
				out = append(out, fmt.Sprintf("%s %g", id, m.Gauge.GetValue()))
			case dto.MetricType_HISTOGRAM:
				out = append(out, fmt.Sprintf("%s count %d sum %g", id, m.Histogram.GetSampleCount(), m.Histogram.GetSampleSum()))
			}
		}
	}
	sort.Strings(out)
	tallied := fams["accord_business_tallied_height"].Metric[0].Gauge.GetValue()
	return out, tallied
}

// TestBusinessMetricsAgreeOnEveryNode drives the C2C flow on four
// validators, restarts one (its counters start from nothing and are
// tallied again from its store), and checks that all four report the same
// business figures at the same height, and that the figures are the
// flow's: so they come from the chain, not from what each process saw.
func TestBusinessMetricsAgreeOnEveryNode(t *testing.T) {
	c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 4, Logger: testLogger(t), Params: businessParams})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	driveBusiness(t, c)
	if err := c.Stop(3); err != nil {
		t.Fatal(err)
	}
	if err := c.Start(3); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Blocks keep coming (empty ones on the interval), so compare at a
	// moment when every node has tallied the same height: poll until four
	// scrapes in a row agree on it.
	var series [4][]string
	for {
		var tallied [4]float64
		for i := range 4 {
			series[i], tallied[i] = scrapeBusiness(t, c.RPCAddr(i))
		}
		if tallied[0] == tallied[1] && tallied[1] == tallied[2] && tallied[2] == tallied[3] && tallied[0] > 0 {
			t.Logf("all four tallied to height %v", tallied[0])
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("nodes never tallied one height together: %v", tallied)
		case <-time.After(20 * time.Millisecond):
		}
	}
	for i := 1; i < 4; i++ {
		if strings.Join(series[i], "\n") != strings.Join(series[0], "\n") {
			t.Fatalf("node%d's business series differ from node0's:\nnode0:\n%s\nnode%d:\n%s", i, strings.Join(series[0], "\n"), i, strings.Join(series[i], "\n"))
		}
	}
	got := map[string]bool{}
	for _, s := range series[0] {
		got[s] = true
	}
	// What driveBusiness did: 3 attestations and 1 revocation committed, 1
	// attestation failed; 3 orders created and locked, 1 cancelled, 1
	// paid and completed; no dispute, freeze or risk hit.
	for _, want := range []string{
		"accord_kyc_attestations_total{result=attested} 3", "accord_kyc_attestations_total{result=revoked} 1",
		"accord_kyc_attestations_total{result=refused} 1",
		"accord_orders_total{state=CREATED} 3", "accord_orders_total{state=LOCKED} 3", "accord_orders_total{state=CANCELLED} 1",
		"accord_orders_total{state=PAID} 1", "accord_orders_total{state=COMPLETED} 1",
		"accord_txs_total{result=failed} 1", "accord_disputes_open{} 0", "accord_frozen_accounts{} 0",
		"accord_risk_events_total{rule=velocity} 0", "accord_oracle_rate_stale{currency=USD} 0",
	} {
		if !got[want] {
			t.Errorf("node0 lacks %q; it has:\n%s", want, strings.Join(series[0], "\n"))
		}
	}
	var completion string
	for _, s := range series[0] {
		if strings.HasPrefix(s, "accord_order_completion_seconds") {
			completion = s
		}
	}
	if !strings.Contains(completion, "count 1 ") {
		t.Errorf("order completion histogram %q: want one sample", completion)
	}
}
