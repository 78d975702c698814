package deploy

import (
	"bytes"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// promtoolInstall says how to get promtool, which Debian ships in its
// prometheus package.
const promtoolInstall = "install it with `apt-get install -y prometheus` (Debian's package ships promtool), " +
	"or set PROMTOOL to its path"

// promtool finds promtool ($PROMTOOL, else PATH). In CI (CI=true) its
// absence fails the test, so the checks cannot silently stop running;
// elsewhere the test is skipped with the same advice.
func promtool(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("PROMTOOL"); p != "" {
		return p
	}
	p, err := exec.LookPath("promtool")
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("promtool not found, and CI=true requires it: %s", promtoolInstall)
	}
	t.Skipf("promtool not found: %s (it is required when CI=true)", promtoolInstall)
	return ""
}

func runPromtool(t *testing.T, bin, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("promtool %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func TestPromtool(t *testing.T) {
	bin := promtool(t)
	dir := deployPath("prometheus")
	runPromtool(t, bin, dir, "check", "config", "prometheus.yml")
	runPromtool(t, bin, dir, "check", "rules", "alerts.yml")
	runPromtool(t, bin, dir, "test", "rules", "alerts_test.yml")

	// The dashboard's queries, as recording rules, so promtool parses each
	// one as PromQL (with the dashboard's variables filled in).
	d := loadDashboard(t)
	var rules []map[string]string
	for _, p := range d.Panels {
		for _, tg := range p.Targets {
			expr := strings.ReplaceAll(tg.Expr, "$instance", ".*")
			rules = append(rules, map[string]string{"record": fmt.Sprintf("dashboard:panel%d:%s", p.ID, strings.ToLower(tg.RefID)), "expr": expr})
		}
	}
	raw, err := yaml.Marshal(map[string]any{"groups": []any{map[string]any{"name": "dashboard", "rules": rules}}})
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(t.TempDir(), "dashboard-queries.yml")
	if err := os.WriteFile(f, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	runPromtool(t, bin, dir, "check", "rules", f)

	// What the live node serves passes promtool's exposition lint.
	code, body := httpGet(t, nodeURL(t)+metricsPath)
	if code != http.StatusOK {
		t.Fatalf("GET %s: %d", metricsPath, code)
	}
	cmd := exec.Command(bin, "check", "metrics")
	cmd.Stdin = bytes.NewReader(body)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("promtool check metrics on the node's %s: %v\n%s", metricsPath, err, out)
	}
}
