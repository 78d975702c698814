package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/types"
)

// hashingBackend answers SubmitTxs with a distinct hash per raw (its last
// 32 bytes, the signature's: not its real hash, which is the mempool's
// work), so the response is as long as a node's.
type hashingBackend struct{ backend }

func (hashingBackend) SubmitTxs(raws [][]byte) ([]types.Hash, []error) {
	hs := make([]types.Hash, len(raws))
	for i, r := range raws {
		hs[i] = types.Hash(r[len(r)-32:])
	}
	return hs, make([]error, len(raws))
}

// sendBatchBody is the request body `testnet bench` posts: one
// accord_sendRawTransactions call with n signed transfers, as the client
// encodes it.
func sendBatchBody(tb testing.TB, n int) []byte {
	tb.Helper()
	hexes := make([]string, n)
	from, to := banktest.DeterministicKey(1), types.PubkeyAddress(banktest.DeterministicKey(2))
	for i := range hexes {
		hexes[i] = views.Hex0x(banktest.Transfer(from, uint64(i), to, 1).Encode())
	}
	body, err := json.Marshal(wire.Request[[]any]{JSONRPC: wire.Version, ID: json.RawMessage("7"),
		Method: "accord_sendRawTransactions", Params: []any{hexes}})
	if err != nil {
		tb.Fatal(err)
	}
	return body
}

// BenchmarkSendRawTransactions is the API's share of admitting a batch
// over HTTP: read the body, decode the request and the hex, call the
// backend, encode the answer. One op is one batch of 500 (the bench's
// batch size); ns/tx and allocs/tx are per transaction.
func BenchmarkSendRawTransactions(b *testing.B) {
	const n = 500
	body := sendBatchBody(b, n)
	s := api.NewServer(hashingBackend{}, nil)
	s.SetLimits(api.Limits{RatePerIP: -1, Hosts: []string{"*"}})
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	allocs := testing.AllocsPerRun(1, func() { serveBatch(b, s, body) })
	runtime.GC()
	cpu := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		serveBatch(b, s, body)
	}
	// CPU time, not wall time, is the figure to compare on a shared
	// machine; it includes the GC the decoding's garbage costs.
	b.ReportMetric(float64((cpuTime()-cpu).Nanoseconds())/float64(b.N)/n, "cpu-ns/tx")
	b.ReportMetric(allocs/n, "allocs/tx")
}

func serveBatch(b *testing.B, s *api.Server, body []byte) {
	req := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if w.Code != http.StatusOK || bytes.Contains(w.Body.Bytes(), []byte(`"error"`)) {
		b.Fatalf("HTTP %d: %.200s", w.Code, w.Body.Bytes())
	}
}
