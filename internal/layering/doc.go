// Package layering holds no code: its test checks that the project's
// imports flow one way, from types at the bottom through ledger, the
// contracts, the app assembly and node up to cmd/node.
package layering
