package node

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/accordnet/accord/api"
)

// The checked-in documents are what `go generate ./api` makes now.
func TestAPIDocsAreCurrent(t *testing.T) {
	rpc, rest, err := APIDocs()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"openrpc.json": rpc, "openapi.json": rest} {
		got, err := os.ReadFile(filepath.Join("..", "api", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("api/%s is stale: run go generate ./api", name)
		}
	}
}

// Every method a node registers is in the OpenRPC document (and nothing
// else is), every REST route is in the OpenAPI document and mounted, and
// the node serves both documents.
func TestAPIDocsCoverWhatTheNodeServes(t *testing.T) {
	n := newTestNode(t, nil)
	hs := httptest.NewServer(n.api)
	defer hs.Close()
	get := func(path string) (int, []byte) {
		t.Helper()
		resp, err := http.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	code, body := get("/openrpc.json")
	if code != http.StatusOK {
		t.Fatalf("/openrpc.json: %d", code)
	}
	var rpc struct {
		Methods []struct{ Name string }
	}
	if err := json.Unmarshal(body, &rpc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for _, m := range rpc.Methods {
		documented = append(documented, m.Name)
	}
	// One document covers both profiles, so a side node serves a subset:
	// every method it serves must be documented.
	for _, m := range n.api.Methods() {
		if !slices.Contains(documented, m) {
			t.Errorf("the node serves %s, which OpenRPC does not document", m)
		}
	}
	code, body = get("/openapi.json")
	if code != http.StatusOK {
		t.Fatalf("/openapi.json: %d", code)
	}
	var rest struct {
		Paths map[string]map[string]any
	}
	if err := json.Unmarshal(body, &rest); err != nil {
		t.Fatal(err)
	}
	if len(rest.Paths) != len(api.Routes) {
		t.Fatalf("OpenAPI has %d paths, the API %d routes", len(rest.Paths), len(api.Routes))
	}
	for _, r := range api.Routes {
		if _, ok := rest.Paths[r.Path][strings.ToLower(r.Method)]; !ok {
			t.Errorf("route %s %s missing from the OpenAPI document", r.Method, r.Path)
		}
		// A malformed parameter gets the view's JSON error: the route is mounted.
		path := strings.NewReplacer("{id}", "0x12", "{addr}", "0x12").Replace(r.Path)
		code, body := get(path)
		var e struct{ Error struct{ Message string } }
		if code != http.StatusBadRequest || json.Unmarshal(body, &e) != nil || e.Error.Message == "" {
			t.Errorf("GET %s: %d %s, want the view's 400", path, code, body)
		}
	}
}
