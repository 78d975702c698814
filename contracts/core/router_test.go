package core_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// fake is a module built from parts, for the router's start-up checks.
type fake struct {
	name   string
	routes []core.Route
}

func (f fake) Name() string                                   { return f.name }
func (f fake) Routes() []core.Route                           { return f.routes }
func (fake) InitGenesis(*core.Context, json.RawMessage) error { return nil }

// costed is a fake with a Cost.
type costed struct{ fake }

func (costed) Cost(*types.Tx) (uint64, error) { return 0, nil }

// reporting declares spec "a" and reports keys.
type reporting struct {
	costed
	keys []string
}

func (r reporting) ParamSpecs() []core.ParamSpec {
	return []core.ParamSpec{{Module: r.name, Key: "a"}, {Module: r.name, Key: "lvl.*", CheckKey: func(k string) error {
		if k != "lvl.1" {
			return errors.New("only lvl.1")
		}
		return nil
	}}}
}

func (r reporting) ParamValues(state.Store) map[string]string {
	out := map[string]string{}
	for _, k := range r.keys {
		out[k] = "1"
	}
	return out
}

// coded registers codes.
type coded struct {
	costed
	codes []core.ErrorCode
}

func (c coded) ErrorCodes() []core.ErrorCode { return c.codes }

func rt(t types.TxType, name string) core.Route {
	return core.Route{Type: t, Name: name, Handler: func(*core.Context, []byte) error { return nil }}
}

var errA = errors.New("a")

func TestNewRouterRefusesBadDescriptors(t *testing.T) {
	for _, c := range []struct {
		name    string
		modules []core.Module
		want    string // "" = accepted
	}{
		{"two well-formed modules", []core.Module{costed{fake{"x", []core.Route{rt(0x7001, "x.a")}}},
			costed{fake{"y", []core.Route{rt(0x7101, "y.a")}}}}, ""},
		{"routes without Cost", []core.Module{fake{"x", []core.Route{rt(0x7001, "x.a")}}}, "has routes but no Cost"},
		{"module without routes needs no Cost", []core.Module{fake{"x", nil}}, ""},
		{"two modules claim one type range", []core.Module{costed{fake{"x", []core.Route{rt(0x7001, "x.a")}}},
			costed{fake{"y", []core.Route{rt(0x7002, "y.a")}}}}, "tx type range 0x7000 claimed by modules x and y"},
		{"one type twice", []core.Module{costed{fake{"x", []core.Route{rt(0x7001, "x.a"), rt(0x7001, "x.b")}}}}, "registered by x.a and x.b"},
		{"a module name twice", []core.Module{costed{fake{"x", nil}}, costed{fake{"x", nil}}}, `module "x" registered twice`},
		{"reported parameter is declared", []core.Module{reporting{costed{fake{"x", nil}}, []string{"a", "lvl.1"}}}, ""},
		{"unknown parameter key", []core.Module{reporting{costed{fake{"x", nil}}, []string{"a", "typo"}}},
			`module x reports parameter "typo" that none of its specs declares`},
		{"parameter key refused by the spec's CheckKey", []core.Module{reporting{costed{fake{"x", nil}}, []string{"lvl.2"}}},
			`parameter "lvl.2"`},
		{"reserved result code", []core.Module{coded{costed{fake{"x", nil}}, []core.ErrorCode{{Code: core.CodeUnknown, Err: errA}}}},
			"result code 1 is reserved"},
		{"result code twice", []core.Module{coded{costed{fake{"x", nil}}, []core.ErrorCode{{Code: 2, Err: errA}, {Code: 2, Err: errA}}}},
			"result code 2 used twice"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := core.NewRouter("c", nil, c.modules...)
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// consumer is gov- and bank-like: it receives specs and blocked accounts.
type consumer struct {
	costed
	specs   []core.ParamSpec
	blocked []types.Address
}

func (c consumer) WithParamSpecs(s []core.ParamSpec) core.Module { c.specs = s; return c }
func (c consumer) WithBlocked(b []types.Address) core.Module     { c.blocked = b; return c }
func (c consumer) Routes() []core.Route {
	n := len(c.specs)*10 + len(c.blocked)
	return []core.Route{{Type: 0x7501, Name: "c.count", Handler: func(*core.Context, []byte) error {
		return errors.New(strings.Repeat("x", n))
	}}}
}

type accounts struct{ costed }

func (accounts) ModuleAccounts() []types.Address { return []types.Address{{1}, {2}} }

func TestNewRouterHandsTablesToConsumers(t *testing.T) {
	r, err := core.NewRouter("c", nil, consumer{costed: costed{fake{name: "gov"}}},
		reporting{costed{fake{"x", nil}}, nil}, accounts{costed{fake{"y", nil}}})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := r.Module("gov")
	c := m.(consumer)
	if len(c.specs) != 2 || c.specs[0].Module != "x" || len(c.blocked) != 2 || c.blocked[1] != (types.Address{2}) {
		t.Fatalf("consumer got specs %v blocked %v", c.specs, c.blocked)
	}
	// The route the router dispatches to is the wired module's.
	route, _ := r.Route(0x7501)
	if err := route.Handler(nil, nil); len(err.Error()) != 22 {
		t.Fatalf("route bound to the unwired module: %q", err)
	}
	if len(r.Blocked()) != 2 || len(r.ParamSpecs()) != 2 {
		t.Fatalf("blocked %v specs %v", r.Blocked(), r.ParamSpecs())
	}
}
