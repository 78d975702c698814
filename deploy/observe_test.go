package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/report"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// liveNode is one running single-validator node with networking on, so the
// p2p series are registered too.
var liveNode struct {
	once sync.Once
	url  string
	err  error
}

func nodeURL(t *testing.T) string {
	t.Helper()
	liveNode.once.Do(func() { liveNode.url, liveNode.err = startNode() })
	if liveNode.err != nil {
		t.Fatal(liveNode.err)
	}
	return liveNode.url
}

// startNode starts a node that lives until the test binary exits, and
// returns once it has committed a transfer (so the block and transaction
// histograms have samples).
func startNode() (string, error) {
	home := node.Home(filepath.Join(workDir, "node"))
	cfg := node.DefaultConfig()
	cfg.RPCAddr = "127.0.0.1:0"
	cfg.P2PListen = "/ip4/127.0.0.1/tcp/0"
	// A funded sender, so a transaction runs and its series exist
	// (accord_tx_exec_seconds{type} appears per type once one executes).
	sender, err := crypto.GenerateKey()
	if err != nil {
		return "", err
	}
	if _, err := node.Init(home, node.InitOptions{ChainID: "accord-deploy-test", Config: &cfg,
		Allocs: []node.Alloc{{Address: types.PubkeyAddress(sender), Micro: 10 * types.MicroPerUSDT}}}); err != nil {
		return "", err
	}
	// As `accord report` does after a run, so the report-age series
	// exists (the store is locked while the node runs).
	for _, k := range report.Kinds() {
		if err := report.RecordSuccess(string(home), k, time.Now()); err != nil {
			return "", err
		}
	}
	n, err := node.New(home, node.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return "", err
	}
	commits, stop := n.SubscribeCommits(1)
	defer stop()
	if err := n.Start(context.Background()); err != nil {
		n.Stop()
		return "", err
	}
	stopNode = func() { n.Stop() }
	tx, err := types.SignTx(&types.Tx{ChainID: "accord-deploy-test", Type: bank.TypeTransfer,
		Payload: core.Encode(&bank.MsgTransfer{To: types.Address{0xaa}, Amount: 1}), Fee: n.MinFee()}, sender)
	if err != nil {
		return "", err
	}
	h, err := n.SubmitTx(tx.Encode())
	if err != nil {
		return "", err
	}
	deadline := time.After(60 * time.Second)
	for {
		if _, err := n.Ledger().Tx(h); err == nil {
			return "http://" + n.RPCAddr(), nil
		}
		select {
		case <-commits:
		case err := <-n.Err():
			return "", err
		case <-deadline:
			return "", fmt.Errorf("node committed no transfer in 60 s")
		}
	}
}

func httpGet(t *testing.T, url string) (int, []byte) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, b
}

// TestProbePathsServed checks the paths the manifests probe and Prometheus
// scrapes on a running, caught-up node.
func TestProbePathsServed(t *testing.T) {
	url := nodeURL(t)
	for _, p := range []string{readinessPath, livenessPath, metricsPath} {
		code, body := httpGet(t, url+p)
		if code != http.StatusOK {
			t.Errorf("GET %s: %d %s; the manifests and compose file rely on it answering 200 on a caught-up node", p, code, strings.TrimSpace(string(body)))
		}
	}
}

// exportedMetrics scrapes the live node and returns every sample name it
// serves (histograms with their _bucket, _sum and _count series).
func exportedMetrics(t *testing.T) map[string]bool {
	t.Helper()
	url := nodeURL(t)
	// A refused submission creates the accord_txs_rejected_total series,
	// which a counter vector does not export before its first use.
	req := `{"jsonrpc":"2.0","id":1,"method":"accord_sendRawTransaction","params":["0xc0"]}`
	resp, err := http.Post(url, "application/json", strings.NewReader(req))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	code, body := httpGet(t, url+metricsPath)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d", metricsPath, code)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(string(body)))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	out := map[string]bool{"up": true} // Prometheus's own series per target
	for name, f := range fams {
		out[name] = true
		if f.GetType() == dto.MetricType_HISTOGRAM || f.GetType() == dto.MetricType_SUMMARY {
			out[name+"_sum"], out[name+"_count"] = true, true
			if f.GetType() == dto.MetricType_HISTOGRAM {
				out[name+"_bucket"] = true
			}
		}
	}
	return out
}

var metricName = regexp.MustCompile(`\baccord_[a-z0-9_]+\b|\bup\b`)

// queried lists the metric names a PromQL expression reads.
func queried(expr string) []string {
	// Label values and strings are not metric names.
	expr = regexp.MustCompile(`"[^"]*"`).ReplaceAllString(expr, `""`)
	names := metricName.FindAllString(expr, -1)
	slices.Sort(names)
	return slices.Compact(names)
}

// plannedCovers reports whether a metric (or the histogram it is a series
// of) is named in a planned description.
func plannedCovers(description, metric string) bool {
	base := metric
	for _, s := range []string{"_bucket", "_sum", "_count"} {
		base = strings.TrimSuffix(base, s)
	}
	for _, n := range metricName.FindAllString(description, -1) {
		if n == metric || n == base {
			return true
		}
	}
	return false
}

// checkQueries holds one panel's or rule's queries to the live node: each
// metric is exported, or the thing is planned and names it; a planned
// thing whose metrics are all exported now must lose its mark.
func checkQueries(t *testing.T, what string, exprs []string, planned bool, description string, exported map[string]bool) {
	t.Helper()
	missing := 0
	for _, e := range exprs {
		names := queried(e)
		if len(names) == 0 {
			t.Errorf("%s: query %q reads no accord metric", what, e)
		}
		for _, m := range names {
			if exported[m] {
				continue
			}
			missing++
			if !planned {
				t.Errorf("%s queries %s, which the node does not export; export it or mark the %s planned", what, m, what)
			} else if !plannedCovers(description, m) {
				t.Errorf("%s is planned but its description does not name %s", what, m)
			}
		}
	}
	if planned && missing == 0 {
		t.Errorf("%s is marked planned, but the node exports every metric it queries now: drop the mark", what)
	}
	if planned && !strings.HasPrefix(description, "PLANNED:") {
		t.Errorf("%s is planned; its description must start with PLANNED:", what)
	}
}

// dimensions are the dashboard's rows and the alert rules' groups, in order.
var dimensions = []string{"chain", "network", "business", "security", "compliance"}

type dashPanel struct {
	Type        string `json:"type"`
	Title       string `json:"title"`
	Description string `json:"description"`
	ID          int    `json:"id"`
	Datasource  struct {
		UID string `json:"uid"`
	} `json:"datasource"`
	Targets []struct {
		Expr  string `json:"expr"`
		RefID string `json:"refId"`
	} `json:"targets"`
}

type dashboard struct {
	UID        string      `json:"uid"`
	Panels     []dashPanel `json:"panels"`
	Templating struct {
		List []struct {
			Name, Type string
		} `json:"list"`
	} `json:"templating"`
}

func loadDashboard(t *testing.T) dashboard {
	t.Helper()
	var d dashboard
	if err := json.Unmarshal(readFile(t, deployPath("grafana", "accord.json")), &d); err != nil {
		t.Fatalf("grafana/accord.json: %v", err)
	}
	return d
}

func (p dashPanel) planned() bool { return strings.HasSuffix(p.Title, "(planned)") }

func TestDashboard(t *testing.T) {
	d := loadDashboard(t)
	exported := exportedMetrics(t)
	vars := map[string]bool{}
	for _, v := range d.Templating.List {
		vars[v.Name] = true
	}
	var rows []string
	ids := map[int]bool{}
	perRow := map[string]int{}
	for _, p := range d.Panels {
		if ids[p.ID] {
			t.Errorf("panel id %d used twice", p.ID)
		}
		ids[p.ID] = true
		if p.Type == "row" {
			dim, _, _ := strings.Cut(strings.ToLower(p.Title), ":")
			rows = append(rows, dim)
			continue
		}
		if len(rows) == 0 {
			t.Fatalf("panel %q comes before the first row", p.Title)
		}
		perRow[rows[len(rows)-1]]++
		if uid := strings.Trim(p.Datasource.UID, "${}"); !vars[uid] {
			t.Errorf("panel %q uses data source %q, not the dashboard's variable", p.Title, p.Datasource.UID)
		}
		if p.Description == "" {
			t.Errorf("panel %q has no description", p.Title)
		}
		var exprs []string
		for _, tg := range p.Targets {
			exprs = append(exprs, tg.Expr)
		}
		if len(exprs) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		checkQueries(t, fmt.Sprintf("panel %q", p.Title), exprs, p.planned(), p.Description, exported)
	}
	if !slices.Equal(rows, dimensions) {
		t.Errorf("dashboard rows %q, want one per dimension %q", rows, dimensions)
	}
	for _, dim := range dimensions {
		if perRow[dim] == 0 {
			t.Errorf("row %s has no panel", dim)
		}
	}
}

// alertRule is one rule of alerts.yml.
type alertRule struct {
	group, name, expr string
	labels, annot     map[string]string
}

func alertRules(t *testing.T) []alertRule {
	t.Helper()
	doc := yamlDocs(t, deployPath("prometheus", "alerts.yml"))[0]
	var out []alertRule
	for _, g := range list(doc, "groups") {
		for _, r := range list(g, "rules") {
			ar := alertRule{group: str(g, "name"), name: str(r, "alert"), expr: str(r, "expr"), labels: map[string]string{}, annot: map[string]string{}}
			if ar.name == "" {
				t.Errorf("group %s has a rule that is not an alert (recording rules would need their own check)", ar.group)
				continue
			}
			for k, v := range get(r, "labels").(map[string]any) {
				ar.labels[k] = fmt.Sprint(v)
			}
			for k, v := range get(r, "annotations").(map[string]any) {
				ar.annot[k] = fmt.Sprint(v)
			}
			out = append(out, ar)
		}
	}
	return out
}

// requiredAlerts are the conditions operators asked to be paged for.
var requiredAlerts = []string{
	"AccordChainHalted",        // no new block for 10 s
	"AccordViewChangeStorm",    // view change storm
	"AccordPeersBelowQuorum",   // peers below quorum
	"AccordMempoolNearFull",    // mempool near full
	"AccordTxSuccessRateLow",   // success rate dropping
	"AccordFrozenAccountSpike", // frozen-account spike
	"AccordOracleRateStale",    // stale oracle rate
}

func TestAlertRules(t *testing.T) {
	exported := exportedMetrics(t)
	rules := alertRules(t)
	names := map[string]bool{}
	for _, r := range rules {
		names[r.name] = true
		what := "alert " + r.name
		if s := r.labels["severity"]; s != "critical" && s != "warning" {
			t.Errorf("%s: severity %q", what, s)
		}
		if dim := r.labels["dimension"]; !slices.Contains(dimensions, dim) || r.group != "accord-"+dim {
			t.Errorf("%s: dimension %q in group %s", what, dim, r.group)
		}
		if r.annot["summary"] == "" || r.annot["description"] == "" {
			t.Errorf("%s: needs a summary and a description", what)
		}
		planned := r.labels["planned"] == "true"
		checkQueries(t, what, []string{r.expr}, planned, r.annot["description"], exported)
	}
	for _, a := range requiredAlerts {
		if !names[a] {
			t.Errorf("alerts.yml has no %s", a)
		}
	}

	// Every alert has a promtool unit test in which it fires.
	tests := yamlDocs(t, deployPath("prometheus", "alerts_test.yml"))[0]
	fires := map[string]bool{}
	for _, tc := range list(tests, "tests") {
		for _, at := range list(tc, "alert_rule_test") {
			if len(list(at, "exp_alerts")) > 0 {
				fires[str(at, "alertname")] = true
			}
		}
	}
	for _, r := range rules {
		if !fires[r.name] {
			t.Errorf("alerts_test.yml has no case in which %s fires", r.name)
		}
	}
}
