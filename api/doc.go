// Package api serves a node over HTTP: JSON-RPC 2.0 (methods named
// accord_…, errors with stable codes and a human message), readiness
// (GET /health, /ready: 503 with reasons) and liveness (GET /live) probes
// and Prometheus metrics. Transactions enter only through the mempool; the
// API never writes state itself.
package api
