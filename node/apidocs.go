package node

import (
	"log/slog"
	"maps"
	"slices"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/core"
)

// assembleAPI registers everything a node serves over its RPC listener.
// New and APIDocs share it, so the checked-in API documents are made from
// the very method table a node has.
func assembleAPI(b api.Backend, app *App, extra map[string]api.Method, log *slog.Logger) *api.Server {
	s := api.NewServer(b, log)
	s.RegisterC2C(app.C2C())
	s.RegisterREST(app.Keepers.Order)
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		s.Register(name, extra[name])
	}
	s.ServeDocs()
	return s
}

// APIDocs returns the OpenRPC document of the JSON-RPC methods and the
// OpenAPI document of the REST views a node serves (api/openrpc.json and
// api/openapi.json; `go generate ./api`). The methods are those of every
// profile: a main node serves checkpoint and bridge queries a side node
// does not, and one document describes both.
func APIDocs() (openrpc, openapi []byte, err error) {
	var methods []string
	docs := map[string]string{}
	for _, p := range app.Profiles() {
		a, err := NewProfileApp(p, "docs")
		if err != nil {
			return nil, nil, err
		}
		// The node's own methods are only named here, never called.
		s := assembleAPI(nil, a, (*Node)(nil).nodeMethods(), slog.New(slog.DiscardHandler))
		methods = append(methods, s.Methods()...)
		for _, m := range a.Modules() {
			if q, ok := m.(core.Querier); ok {
				for _, d := range q.Queries() {
					docs[d.Method] = d.Doc
				}
			}
		}
	}
	slices.Sort(methods)
	if openrpc, err = api.OpenRPC(slices.Compact(methods), docs); err != nil {
		return nil, nil, err
	}
	openapi, err = api.OpenAPI()
	return openrpc, openapi, err
}
