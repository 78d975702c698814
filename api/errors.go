package api

import "github.com/accordnet/accord/api/wire"

// errorf is wire.Errorf: the codes and the error type are package wire's,
// shared with the client.
func errorf(code int, msg string) *wire.Error { return wire.Errorf(code, msg) }
