package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/core/coretest"
	"github.com/accordnet/accord/testnet"
)

// runCLI runs the CLI in-process and returns what it printed to stdout.
func runCLI(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(r)
		done <- string(b)
	}()
	root := newRootCmd()
	root.SetArgs(args)
	err = root.Execute()
	w.Close()
	os.Stdout = stdout
	return <-done, err
}

// TestModuleThroughEveryLayer registers the test module coretest with one
// line and drives it through the CLI, the mempool, the router, the
// BeginBlock timer, gov's parameter proposals, the API's method table and
// getParams, typed events, result codes and the invariants, on a running
// single-validator node.
func TestModuleThroughEveryLayer(t *testing.T) {
	// The one line: the module joins the sidechain profile.
	reg := app.WithModuleFuncs(func(k *app.Keepers) core.Module { return coretest.New(k.Gov) })

	extraModules = []app.Option{reg} // the CLI's module list
	t.Cleanup(func() { extraModules = nil })
	c, err := testnet.NewCluster(t.TempDir(), testnet.ClusterOptions{Validators: 1, App: []app.Option{reg}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	rpc := c.RPCAddr(0)
	common := []string{"--home", string(c.Layout.Home(0)), "--node", rpc}
	tx := func(args ...string) (*views.Receipt, string, error) {
		t.Helper()
		out, err := runCLI(t, append(append(args, common...), "--from", "dev", "--password-file", c.Layout.DevPasswordFile(),
			"--wait", "--json")...)
		var rc views.Receipt
		if jerr := json.Unmarshal([]byte(out), &rc); jerr != nil {
			return nil, out, err
		}
		return &rc, out, err
	}

	// CLI tx → mempool (Cost) → router → typed event.
	rc, out, err := tx("tx", "coretest", "ping", "3")
	if err != nil || rc == nil || rc.Status != "ok" {
		t.Fatalf("ping: %v\n%s", err, out)
	}
	var ev coretest.EventPinged
	if ok, err := rc.FindEvent(&ev); !ok || err != nil || ev.Add != 3 || ev.Counter != 3 || ev.By != c.Dev {
		t.Fatalf("pinged event %+v (%v %v)", ev, ok, err)
	}

	// The mempool decodes and validates through the module's Cost: a zero
	// ping is refused before it costs a fee.
	if _, out, err := tx("tx", "coretest", "ping", "0"); err == nil || !strings.Contains(err.Error(), "zero ping") {
		t.Fatalf("zero ping: %v\n%s", err, out)
	}

	// The API's method table has the module's query; the timer has run.
	ctx := context.Background()
	var view coretest.CounterView
	if err := client.New(rpc).Call(ctx, coretest.QueryMethod, &view); err != nil {
		t.Fatal(err)
	}
	if view.Counter != 3 || view.Pings != 1 || view.Ticks == 0 || view.Ticks > view.Height {
		t.Fatalf("counter view %+v", view)
	}
	// The API documents the module's typed events.
	var evTypes []views.EventType
	if err := client.New(rpc).Call(ctx, "accord_eventTypes", &evTypes); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evTypes {
		if e.Type == (coretest.EventPinged{}).EventType() {
			found = e.Module == coretest.ModuleName && strings.Join(e.Attrs, ",") == "by,add,counter"
		}
	}
	if !found || len(evTypes) < 30 {
		t.Fatalf("event types %+v", evTypes)
	}
	// ... and the CLI's query command reads it.
	out, err = runCLI(t, append([]string{"query", "coretest", "counter"}, common...)...)
	if err != nil || !strings.Contains(out, `"counter": 3`) {
		t.Fatalf("query coretest counter: %v\n%s", err, out)
	}

	// Gov's parameter proposals know the module's spec: a bad value or an
	// unknown key is refused, a good one is executed and read back through
	// accord_getParams.
	for _, bad := range []string{"coretest.max_add=5000", "coretest.typo=1"} {
		if _, out, err := tx("tx", "gov", "propose", "--set-param", bad); err == nil {
			t.Fatalf("proposal %s accepted\n%s", bad, out)
		}
	}
	if _, out, err := tx("tx", "gov", "propose", "--set-param", "coretest.max_add=5"); err != nil || !strings.Contains(out, `"executed": true`) {
		t.Fatalf("proposal: %v\n%s", err, out)
	}
	out, err = runCLI(t, append([]string{"query", "params", "coretest", "--json"}, common...)...)
	var params views.Params
	if err != nil || json.Unmarshal([]byte(out), &params) != nil || params.Params[coretest.ParamMaxAdd] != "5" {
		t.Fatalf("params: %v\n%s", err, out)
	}

	// Above the new limit the message fails with the module's stable code;
	// the CLI prints the message and exits with an error.
	rc, out, err = tx("tx", "coretest", "ping", "6")
	if err == nil || rc == nil || rc.Status != "failed" || rc.Codespace != coretest.ModuleName || rc.Code != 3 ||
		!strings.Contains(rc.Error, "ping above max_add") || !strings.Contains(err.Error(), "ping above max_add") {
		t.Fatalf("ping above the limit: %v\n%s", err, out)
	}

	// Every module's invariants, the test module's included, hold on the
	// node's state.
	a, err := app.New(app.Side, "x", reg)
	if err != nil {
		t.Fatal(err)
	}
	names := ""
	for _, inv := range a.Router.Invariants() {
		names += inv.Name + " "
	}
	if !strings.Contains(names, "coretest/counter") {
		t.Fatalf("invariants %s", names)
	}
	if msg := a.Router.CheckInvariants(c.Node(0).Ledger().ReadState()); msg != "" {
		t.Fatal(msg)
	}
}

// A module's declared aliases name the same command group: the issue's
// words (`tx dispute vote`, `tx compliance unfreeze`) reach the same
// commands as the module names.
func TestCommandGroupAliases(t *testing.T) {
	root := newRootCmd()
	for _, tc := range []struct{ alias, name string }{
		{"tx dispute vote", "tx arbitration vote"},
		{"tx dispute open", "tx arbitration open"},
		{"tx compliance unfreeze", "tx risk unfreeze"},
	} {
		got, _, err := root.Find(strings.Fields(tc.alias))
		if err != nil {
			t.Fatalf("%s: %v", tc.alias, err)
		}
		want, _, err := root.Find(strings.Fields(tc.name))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got != want || got == root {
			t.Errorf("%q finds %q, want the command %q", tc.alias, got.CommandPath(), want.CommandPath())
		}
	}
}
