package node

import (
	"encoding/json"
	"log/slog"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/contracts/core"
)

// assembleAPI registers everything a node serves over its RPC listener.
// New and APIDocs share it, so the checked-in API documents are made from
// the very method table a node has.
func assembleAPI(b api.Backend, app *App, evidence api.Method, log *slog.Logger) *api.Server {
	s := api.NewServer(b, log)
	s.RegisterC2C(app.C2C())
	s.RegisterREST(app.Keepers.Order)
	s.Register("accord_getEvidence", evidence)
	s.ServeDocs()
	return s
}

// APIDocs returns the OpenRPC document of the JSON-RPC methods and the
// OpenAPI document of the REST views a node with the default application
// serves (api/openrpc.json and api/openapi.json; `go generate ./api`).
func APIDocs() (openrpc, openapi []byte, err error) {
	app, err := NewApp("docs")
	if err != nil {
		return nil, nil, err
	}
	s := assembleAPI(nil, app, func(json.RawMessage) (any, error) { return nil, nil }, slog.New(slog.DiscardHandler))
	docs := map[string]string{}
	for _, m := range app.Modules() {
		if q, ok := m.(core.Querier); ok {
			for _, d := range q.Queries() {
				docs[d.Method] = d.Doc
			}
		}
	}
	if openrpc, err = api.OpenRPC(s.Methods(), docs); err != nil {
		return nil, nil, err
	}
	openapi, err = api.OpenAPI()
	return openrpc, openapi, err
}
