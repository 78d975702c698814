package api_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/types"
)

// pickyBackend admits every other transaction it is given and refuses the
// rest with a reason JSON has to escape.
type pickyBackend struct{ backend }

const pickyReason = `nonce <too> low & "quoted" é` + "\u2028"

func (pickyBackend) SubmitTxs(raws [][]byte) ([]types.Hash, []error) {
	hs, errs := make([]types.Hash, len(raws)), make([]error, len(raws))
	for i, r := range raws {
		if i%2 == 1 {
			errs[i] = errors.New(pickyReason)
			continue
		}
		hs[i] = types.Keccak(r)
	}
	return hs, errs
}

// The batch answer is byte for byte what encoding/json wrote for it: hashes,
// backend refusals and hex errors, each in its place.
func TestSendRawTransactionsAnswer(t *testing.T) {
	hexes := []string{"0x01", "0x0203", "0xzz", "0X04", " 0x05 ", "0x6"}
	// The backend sees every position, nil where the hex did not decode,
	// and refuses the odd ones.
	want := []views.BatchResult{
		{Hash: types.Keccak([]byte{1}).Hex()},
		{Error: pickyReason},
		{Error: "transaction hex: encoding/hex: invalid byte: U+007A 'z'"},
		{Error: pickyReason},
		{Hash: types.Keccak([]byte{5}).Hex()},
		{Error: "transaction hex: encoding/hex: odd length hex string"},
	}
	for _, body := range []string{
		`{"jsonrpc":"2.0","id":5,"method":"accord_sendRawTransactions","params":[` + jsonOf(t, hexes) + `]}`,
		// An escape puts it outside the fast path's subset: encoding/json decodes it.
		`{"jsonrpc":"2.0","id":5,"method":"accord_sendRawTransactions","params":[` + jsonOf(t, hexes)[:2] + `\u0030x01"` + jsonOf(t, hexes)[7:] + `]}`,
	} {
		s := api.NewServer(pickyBackend{}, nil)
		s.SetLimits(api.Limits{Hosts: []string{"*"}})
		req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(body)))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		wantBody, err := json.Marshal(wire.Response[any]{JSONRPC: wire.Version, ID: json.RawMessage("5"), Result: want})
		if err != nil {
			t.Fatal(err)
		}
		if got := w.Body.String(); got != string(wantBody)+"\n" {
			t.Fatalf("%s\nanswered %s\nwant     %s", body, got, wantBody)
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
