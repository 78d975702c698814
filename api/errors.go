package api

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

// Error is a JSON-RPC error object.
type Error struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
	Data    any    `json:"data,omitempty"`
}

func (e *Error) Error() string { return e.Message }

func errorf(code int, msg string) *Error { return &Error{Code: code, Message: msg} }
