// Package wire is the JSON-RPC 2.0 envelope and the error codes the node's
// API (package api) and the Go SDK (package client) share, so the two sides
// cannot drift apart. It imports nothing of the project: the client gets
// the wire format without the server.
package wire

import (
	"encoding/json"
	"errors"
)

// Version is the JSON-RPC version every request and response carries.
const Version = "2.0"

// Stable JSON-RPC error codes. Clients (and scripts) may rely on them.
const (
	CodeParse          = -32700
	CodeInvalidRequest = -32600
	CodeMethodNotFound = -32601
	CodeInvalidParams  = -32602
	CodeInternal       = -32603
	CodeTxRejected     = -32000 // the mempool refused the transaction; message says why
	CodeNotFound       = -32001 // block, transaction or account record not found
	CodeUnavailable    = -32002 // the node is not ready (e.g. still syncing)
	CodeLimit          = -32005 // a server limit refused it (batch or response too large); message says which
)

// Request is a JSON-RPC request; P is its params' Go type (the server
// reads them raw, the client writes positional values).
type Request[P any] struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Method  string          `json:"method"`
	Params  P               `json:"params"`
}

// Response is a JSON-RPC response; R is its result's Go type (the server
// writes a value, the client reads it raw).
type Response[R any] struct {
	JSONRPC string          `json:"jsonrpc"`
	ID      json.RawMessage `json:"id"`
	Result  R               `json:"result,omitempty"`
	Error   *Error          `json:"error,omitempty"`
}

// Error is a JSON-RPC error object: what a method returns to refuse a call
// and what the client returns to its caller.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an error object with code and msg.
func Errorf(code int, msg string) *Error { return &Error{Code: code, Message: msg} }

// CodeOf returns the code of the *Error in err's chain, and 0 if there is none.
func CodeOf(err error) int {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return 0
}
