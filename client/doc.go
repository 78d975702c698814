// Package client is the Go SDK for Accord: a JSON-RPC client for a node,
// transaction builders and signing, and Ethereum keystore v3 key files.
// The CLI, the load generator and merchant back-ends all use it.
package client
