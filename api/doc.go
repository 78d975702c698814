// Package api serves a node over HTTP: JSON-RPC 2.0 (methods named
// accord_…, errors with stable codes and a human message), readiness
// (GET /health, /ready: 503 with reasons) and liveness (GET /live) probes
// and Prometheus metrics. Transactions enter only through the mempool; the
// API never writes state itself.
//
// GET /ws carries the same JSON-RPC over WebSocket, plus subscriptions
// (ws.go): accord_subscribe([{"topic", filters…, "from": cursor}]) returns
// an id, then accord_subscription notifications {"subscription", "result":
// {"cursor": {"height", "index"}, …}} follow. They come from a Hub
// (hub.go) the node notifies after each commit: it reads the block once
// from a Source, encodes its notes once (stream.go) and hands them to each
// subscription's bounded buffer without waiting, so a slow subscriber is
// dropped (and told) rather than slowing commits. A cursor resumes strictly
// after itself by replaying committed blocks with the same encoder, so a
// reconnecting client misses nothing and sees nothing twice.
//
// REST views (rest.go) serve merchants: /v1/orders/{id},
// /v1/merchants/{addr}/orders (cursor-paged) and /v1/accounts/{addr}; the
// OpenRPC and OpenAPI documents of all of it are generated from the method
// table (docs.go) and served at /openrpc.json and /openapi.json.
package api
