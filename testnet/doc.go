// Package testnet runs Accord networks on one machine: in-process nodes for
// tests, node processes for people, and the integration tests that drive
// them through the real binary, CLI and RPC.
package testnet
