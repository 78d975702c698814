package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var (
	// workDir holds the accord binary built once for the package's tests
	// and the live node's home; TestMain removes it.
	workDir   string
	accordBin string
	// stopNode stops the live node, once started (observe_test.go).
	stopNode func()
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "accord-deploy-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	workDir = dir
	accordBin = filepath.Join(dir, "accord")
	cmd := exec.Command("go", "build", "-o", accordBin, "./cmd/node")
	cmd.Dir = repoRoot()
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build accord: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if stopNode != nil {
		stopNode()
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoRoot is the module root (the parent of this directory).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Dir(filepath.Dir(file))
}

// deployPath names a file under deploy/.
func deployPath(parts ...string) string {
	return filepath.Join(append([]string{repoRoot(), "deploy"}, parts...)...)
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// yamlDocs decodes every document of a YAML file into generic maps.
func yamlDocs(t *testing.T, path string) []map[string]any {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, path)))
	var docs []map[string]any
	for {
		var d map[string]any
		err := dec.Decode(&d)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return docs
			}
			t.Fatalf("%s: %v", path, err)
		}
		if d != nil {
			docs = append(docs, d)
		}
	}
}

// get walks a decoded YAML/JSON value by map keys and list indexes.
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

func strs(v any, path ...any) []string {
	var out []string
	for _, x := range list(v, path...) {
		out = append(out, fmt.Sprint(x))
	}
	return out
}

// flag is one flag of an accord command.
type flag struct{ takesValue bool }

var helpFlag = regexp.MustCompile(`(?m)^\s+(?:-[a-zA-Z], )?--([a-z0-9][a-z0-9.\-]*)(?: ([a-zA-Z]+))?\s`)

// commandFlags parses `accord CMD... --help` into its local and global flags.
func commandFlags(t *testing.T, cmd ...string) map[string]flag {
	t.Helper()
	out, err := exec.Command(accordBin, append(cmd, "--help")...).CombinedOutput()
	if err != nil {
		t.Fatalf("accord %s --help: %v\n%s", strings.Join(cmd, " "), err, out)
	}
	flags := map[string]flag{}
	for _, m := range helpFlag.FindAllStringSubmatch(string(out), -1) {
		flags[m[1]] = flag{takesValue: m[2] != ""}
	}
	if len(flags) == 0 {
		t.Fatalf("accord %s --help lists no flags:\n%s", strings.Join(cmd, " "), out)
	}
	return flags
}

// checkStartArgs checks an `accord start ...` argument list against the
// binary's flags and returns the flag values.
func checkStartArgs(t *testing.T, where string, args []string) map[string]string {
	t.Helper()
	if len(args) == 0 || args[0] != "start" {
		t.Fatalf("%s: args %q do not run `accord start`", where, args)
	}
	flags := commandFlags(t, "start")
	vals := map[string]string{}
	for i := 1; i < len(args); i++ {
		a := args[i]
		name, val, hasVal := strings.Cut(strings.TrimPrefix(a, "--"), "=")
		if !strings.HasPrefix(a, "--") {
			t.Errorf("%s: unexpected argument %q (accord start takes no arguments)", where, a)
			continue
		}
		f, ok := flags[name]
		if !ok {
			t.Errorf("%s: accord start has no flag --%s", where, name)
			continue
		}
		if f.takesValue && !hasVal {
			if i+1 >= len(args) {
				t.Errorf("%s: --%s needs a value", where, name)
				continue
			}
			i++
			val = args[i]
		}
		vals[name] = val
	}
	return vals
}

// port returns the port of host:port.
func port(t *testing.T, hostport string) string {
	t.Helper()
	i := strings.LastIndex(hostport, ":")
	if i < 0 {
		t.Fatalf("%q has no port", hostport)
	}
	return hostport[i+1:]
}

// What every deploy file agrees on with the configs gen-network.sh writes.
const (
	rpcPort       = "26657"
	p2pPort       = "26656"
	readinessPath = "/health"
	livenessPath  = "/live"
	metricsPath   = "/metrics"
)

// genNetwork runs scripts/gen-network.sh with args (its --out replaced by a
// temporary directory, --owner dropped) and returns that directory.
func genNetwork(t *testing.T, args []string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "net")
	var run []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "--out":
			i++
			run = append(run, "--out", out)
		case "--owner":
			i++
		default:
			run = append(run, args[i])
		}
	}
	cmd := exec.Command("sh", append([]string{deployPath("scripts", "gen-network.sh")}, run...)...)
	cmd.Env = append(os.Environ(), "ACCORD_BIN="+accordBin)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gen-network.sh %q: %v\n%s", run, err, b)
	}
	return out
}

// argValue returns the value of --name in args.
func argValue(args []string, name string) string {
	for i, a := range args {
		if a == "--"+name && i+1 < len(args) {
			return args[i+1]
		}
		if v, ok := strings.CutPrefix(a, "--"+name+"="); ok {
			return v
		}
	}
	return ""
}
