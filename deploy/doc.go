// Package deploy holds the files that run Accord beyond one machine: the
// container image (Dockerfile), a compose file for four validators with
// Prometheus and Grafana, Kubernetes manifests (k8s/), the Grafana dashboard
// (grafana/), Prometheus scrape config and alert rules (prometheus/) and the
// scripts that generate a network's homes and seed a pod's home (scripts/).
//
// It has no Go code of its own. Its tests hold those files to what the node
// really does: they build the accord binary and check every command line
// against its flags, run the scripts and load the homes they write with the
// node's own config and genesis code, start a node and query the probe
// paths the manifests use, and check that every metric the dashboard and
// the alert rules query is exported by a live node or marked as planned.
// promtool (Debian's prometheus package) checks and unit-tests the rules and
// lints the node's /metrics; see promtool_test.go for what happens when it
// is missing.
package deploy
