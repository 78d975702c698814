package wire_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/accordnet/accord/api/wire"
)

// What the server writes, the client reads back with the same code and
// message; CodeOf finds the code through wrapping.
func TestErrorRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  *wire.Error
	}{
		{"not found", wire.Errorf(wire.CodeNotFound, "order 0x12: not found")},
		{"rejected tx", wire.Errorf(wire.CodeTxRejected, "nonce too low")},
		{"with data", &wire.Error{Code: wire.CodeInvalidParams, Message: "bad", Data: "param 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			raw, err := json.Marshal(wire.Response[any]{JSONRPC: wire.Version, ID: json.RawMessage("7"), Error: tc.err})
			if err != nil {
				t.Fatal(err)
			}
			var r wire.Response[json.RawMessage]
			if err := json.Unmarshal(raw, &r); err != nil {
				t.Fatal(err)
			}
			if r.Error == nil || r.Error.Code != tc.err.Code || r.Error.Message != tc.err.Message || r.Result != nil {
				t.Fatalf("decoded %s as %+v", raw, r)
			}
			wrapped := fmt.Errorf("call: %w", r.Error)
			if got := wire.CodeOf(wrapped); got != tc.err.Code {
				t.Fatalf("CodeOf = %d, want %d", got, tc.err.Code)
			}
		})
	}
	if wire.CodeOf(errors.New("plain")) != 0 || wire.CodeOf(nil) != 0 {
		t.Fatal("CodeOf of a non-RPC error is not 0")
	}
}
