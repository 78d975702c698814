package layering

import (
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/accordnet/accord"

// layers ranks every package of the module, bottom first. A package may
// import packages of its own rank or below, never above: an import that
// points upward means an interface belongs in the lower package instead.
// Longest prefix wins; a package matching none fails the test, so a new
// package gets a place on purpose.
var layers = []struct {
	prefix string
	rank   int
}{
	{"types", 0},
	{"internal/parallel", 0},
	{"internal/netflood", 0}, // the tests' handshake flood
	{"ledger/kv", 1},         // kv and its conformance suite kvtest
	{"sigcache", 1},
	{"api/wire", 1},
	{"ledger/state", 2},
	{"consensus", 2},
	{"p2p", 2},
	{"mempool", 2},
	{"ledger/valset", 3},
	{"ledger", 4},
	{"contracts/core", 5},
	{"contracts", 6}, // the modules; they may use one another
	{"contracts/bank/banktest", 7},
	{"contracts/internal/testkit", 7},        // the module tests' shared helpers (keys from banktest)
	{"api/views", 7},                         // the shapes of answers; decodes the modules' typed events
	{"app", 8},                               // the one app assembly
	{"contracts/c2ctest", 9},                 // test chains built through the assembly
	{"contracts/gov/govtest", 9},             // likewise
	{"contracts/internal/testkit/c2ckit", 9}, // module tests over c2ctest's chain
	{"sidechain", 9},                         // sidechain wiring over the bridge modules
	{"api", 9},
	{"client", 9},
	{"report", 9}, // compliance reports read from a store's blocks and the modules' events
	{"node", 10},
	{"testnet", 11},
	{"cmd/node", 12},
	{"internal/layering", 12},
	{"docs", 12},     // documentation and the tests that check it against the code
	{"deploy", 12},   // deployment files and the tests that check them
	{"examples", 12}, // programs on the SDK (client); nothing imports them
}

// forbidden pairs hold even within the ranks: packages that must not know
// each other at all. Each names a package and the packages below it; a
// trailing "!" names the one package alone.
var forbidden = []struct{ from, to, why string }{
	{"ledger", "contracts", "ledger sees the application only through its App interface"},
	{"consensus", "p2p", "consensus does no I/O"},
	{"consensus", "ledger", "consensus knows only types and interfaces it declares"},
	{"consensus", "sigcache", "consensus declares Recoverer; the node passes the cache"},
	{"p2p", "consensus", "p2p moves bytes"},
	{"p2p", "mempool", "p2p moves bytes"},
	{"p2p", "ledger", "p2p moves bytes"},
	{"p2p", "contracts", "p2p knows no transfer or order"},
	{"mempool", "contracts", "the mempool gets costs through a function"},
	{"client", "api!", "the client needs the wire format (api/wire), not the server"},
	{"client", "node", "the client talks to a node over the wire"},
}

func rank(rel string) (int, bool) {
	best, r := -1, 0
	for _, l := range layers {
		if (rel == l.prefix || strings.HasPrefix(rel, l.prefix+"/")) && len(l.prefix) > best {
			best, r = len(l.prefix), l.rank
		}
	}
	return r, best >= 0
}

func within(rel, prefix string) bool {
	if p, exact := strings.CutSuffix(prefix, "!"); exact {
		return rel == p
	}
	return rel == prefix || strings.HasPrefix(rel, prefix+"/")
}

// packages maps each package of the module (path relative to the module)
// to the module packages its non-test files import.
func packages(t *testing.T) map[string][]string {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	out := make(map[string][]string)
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		name := d.Name()
		if path != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata") {
			return filepath.SkipDir
		}
		pkg, err := build.ImportDir(path, 0)
		if err != nil {
			if _, ok := err.(*build.NoGoError); ok {
				return nil
			}
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		var deps []string
		for _, imp := range pkg.Imports {
			if dep, ok := strings.CutPrefix(imp, module+"/"); ok {
				deps = append(deps, dep)
			}
		}
		out[rel] = deps
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestImportsFlowOneWay(t *testing.T) {
	pkgs := packages(t)
	for _, must := range []string{"types", "ledger", "contracts/core", "node", "cmd/node"} {
		if _, ok := pkgs[must]; !ok {
			t.Fatalf("package %s not found: the walk is broken (found %d packages)", must, len(pkgs))
		}
	}
	names := make([]string, 0, len(pkgs))
	for p := range pkgs {
		names = append(names, p)
	}
	slices.Sort(names)
	for _, p := range names {
		rp, ok := rank(p)
		if !ok {
			t.Errorf("package %s has no layer: give it one in layers", p)
			continue
		}
		for _, dep := range pkgs[p] {
			rd, ok := rank(dep)
			if !ok {
				continue // reported as a package of its own
			}
			if rd > rp {
				t.Errorf("%s (layer %d) imports %s (layer %d), which sits above it", p, rp, dep, rd)
			}
			for _, f := range forbidden {
				if within(p, f.from) && within(dep, f.to) && !within(p, f.to) {
					t.Errorf("%s imports %s: %s", p, dep, f.why)
				}
			}
		}
	}
}

// The checker itself: an upward import and a forbidden pair are caught.
func TestRankAndForbiddenRules(t *testing.T) {
	for _, tc := range []struct {
		from, to string
		upward   bool
	}{
		{"ledger", "contracts/core", true},
		{"ledger", "contracts/bank", true},
		{"types", "ledger/state", true},
		{"contracts/order", "contracts/bank", false},
		{"contracts/core", "ledger", false},
		{"node", "cmd/node", true},
		{"cmd/node", "node", false},
	} {
		rf, _ := rank(tc.from)
		rt, _ := rank(tc.to)
		if got := rt > rf; got != tc.upward {
			t.Errorf("%s -> %s: upward = %v, want %v", tc.from, tc.to, got, tc.upward)
		}
	}
	if !within("ledger/state", "ledger") || within("ledgerx", "ledger") || within("api/wire", "api!") || !within("api", "api!") {
		t.Fatal("within matches prefixes wrongly")
	}
	if r, _ := rank("contracts/bank/banktest"); r != 7 {
		t.Fatalf("longest prefix not chosen: rank %d", r)
	}
}

// The ledger's tests, too, run without any contract module: they use their
// own test application (ledger/ledgertest), so `go list -deps -test
// ./ledger/...` names no contracts package.
func TestLedgerTestsImportNoContracts(t *testing.T) {
	pkgs := packages(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var queue []string
	for p := range pkgs {
		if !within(p, "ledger") {
			continue
		}
		bp, err := build.ImportDir(filepath.Join(root, filepath.FromSlash(p)), 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range slices.Concat(bp.Imports, bp.TestImports, bp.XTestImports) {
			if dep, ok := strings.CutPrefix(imp, module+"/"); ok {
				queue = append(queue, p+" "+dep)
			}
		}
	}
	if len(queue) == 0 {
		t.Fatal("no ledger imports found: the walk is broken")
	}
	seen := map[string]bool{}
	for len(queue) > 0 {
		from, dep, _ := strings.Cut(queue[0], " ")
		queue = queue[1:]
		if seen[dep] {
			continue
		}
		seen[dep] = true
		if within(dep, "contracts") {
			t.Errorf("ledger's tests reach %s (through %s)", dep, from)
			continue
		}
		for _, d := range pkgs[dep] {
			queue = append(queue, dep+" "+d)
		}
	}
}
