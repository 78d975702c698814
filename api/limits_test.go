package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/wire"
)

// hostile is an API server with test methods: test_count counts its
// calls, test_big returns 4 KiB, test_block waits for release.
type hostile struct {
	hs      *httptest.Server
	calls   atomic.Int64
	release chan struct{}
	entered chan struct{}
}

func newHostile(t *testing.T, l api.Limits) *hostile {
	t.Helper()
	h := &hostile{release: make(chan struct{}), entered: make(chan struct{}, 16)}
	srv := api.NewServer(backend{}, slog.New(slog.DiscardHandler))
	srv.SetLimits(l)
	srv.Register("test_count", func(json.RawMessage) (any, error) { h.calls.Add(1); return 1, nil })
	srv.Register("test_big", func(json.RawMessage) (any, error) { h.calls.Add(1); return strings.Repeat("x", 4096), nil })
	srv.Register("test_block", func(json.RawMessage) (any, error) {
		h.entered <- struct{}{}
		<-h.release
		return 1, nil
	})
	h.hs = httptest.NewServer(srv)
	t.Cleanup(h.hs.Close)
	return h
}

type reply struct {
	code int
	body []byte
}

func (h *hostile) post(t *testing.T, host, ctype string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.hs.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if host != "" {
		req.Host = host
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, b}
}

func call(method string, id int) string {
	return `{"jsonrpc":"2.0","id":` + itoa(id) + `,"method":"` + method + `"}`
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func batch(method string, n int) []byte {
	items := make([]string, n)
	for i := range items {
		items[i] = call(method, i)
	}
	return []byte("[" + strings.Join(items, ",") + "]")
}

func TestHostileRequestsAreRefused(t *testing.T) {
	million := []byte("[" + strings.TrimSuffix(strings.Repeat("1,", 1_000_000), ",") + "]")
	cases := []struct {
		name       string
		host       string
		ctype      string
		body       []byte
		wantCode   int
		wantInBody string
		maxBody    int // response must be at most this long (0: no check)
		wantCalls  int64
	}{
		{name: "text/plain (a browser's simple cross-origin POST) is refused", ctype: "text/plain",
			body: []byte(call("test_count", 1)), wantCode: 415, wantInBody: "application/json"},
		{name: "form content type is refused", ctype: "application/x-www-form-urlencoded",
			body: []byte(call("test_count", 1)), wantCode: 415},
		{name: "missing content type is refused", body: []byte(call("test_count", 1)), wantCode: 415},
		{name: "JSON with charset is served", ctype: "application/json; charset=utf-8",
			body: []byte(call("test_count", 1)), wantCode: 200, wantCalls: 1},
		{name: "unknown host name (DNS rebinding) is refused", host: "evil.example:26657", ctype: "application/json",
			body: []byte(call("test_count", 1)), wantCode: 403, wantInBody: "host not allowed"},
		{name: "localhost is served", host: "localhost:26657", ctype: "application/json",
			body: []byte(call("test_count", 1)), wantCode: 200, wantCalls: 1},
		{name: "an IP literal host is served", host: "[::1]:26657", ctype: "application/json",
			body: []byte(call("test_count", 1)), wantCode: 200, wantCalls: 1},
		{name: "oversized body gets 413", ctype: "application/json",
			body: bytes.Repeat([]byte(" "), api.MaxRequestBytes+1), wantCode: 413},
		{name: "a million-item batch is refused in one small answer", ctype: "application/json",
			body: million, wantCode: 200, wantInBody: "exceeds the limit of 1000", maxBody: 512},
		{name: "a batch over the item cap runs nothing", ctype: "application/json",
			body: batch("test_count", 1001), wantCode: 200, wantInBody: "exceeds the limit", maxBody: 512},
		{name: "an empty batch is invalid", ctype: "application/json", body: []byte("[]"), wantCode: 200, wantInBody: "invalid batch"},
		{name: "a truncated batch is invalid", ctype: "application/json", body: []byte("[" + call("test_count", 1)), wantCode: 200, wantInBody: "invalid batch"},
		{name: "data after a batch is invalid", ctype: "application/json", body: []byte("[" + call("test_count", 1) + "] [1]"), wantCode: 200, wantInBody: "invalid batch"},
		{name: "a batch at the item cap is served", ctype: "application/json",
			body: batch("test_count", 1000), wantCode: 200, wantCalls: 1000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := newHostile(t, api.Limits{})
			r := h.post(t, tc.host, tc.ctype, tc.body)
			if r.code != tc.wantCode || !strings.Contains(string(r.body), tc.wantInBody) {
				t.Fatalf("got %d %.200q, want %d containing %q", r.code, r.body, tc.wantCode, tc.wantInBody)
			}
			if tc.maxBody > 0 && len(r.body) > tc.maxBody {
				t.Fatalf("response is %d bytes, want at most %d", len(r.body), tc.maxBody)
			}
			if got := h.calls.Load(); got != tc.wantCalls {
				t.Fatalf("%d method calls, want %d", got, tc.wantCalls)
			}
		})
	}
}

func TestBatchResponseBudget(t *testing.T) {
	h := newHostile(t, api.Limits{MaxResponseBytes: 10_000})
	r := h.post(t, "", "application/json", batch("test_big", 50))
	var out []struct {
		ID     int             `json:"id"`
		Result json.RawMessage `json:"result"`
		Error  *wire.Error     `json:"error"`
	}
	if err := json.Unmarshal(r.body, &out); err != nil {
		t.Fatalf("batch answer does not decode: %v", err)
	}
	if len(out) != 50 {
		t.Fatalf("%d answers, want 50", len(out))
	}
	served := 0
	for i, o := range out {
		if o.ID != i {
			t.Fatalf("answer %d has id %d", i, o.ID)
		}
		if o.Error == nil {
			served++
			continue
		}
		if o.Error.Code != wire.CodeLimit {
			t.Fatalf("answer %d: %+v, want CodeLimit", i, o.Error)
		}
	}
	if served != 2 || h.calls.Load() != 3 { // two fit, the third is run and dropped, the rest not run
		t.Fatalf("served %d, ran %d; want 2 served and 3 run", served, h.calls.Load())
	}
	if len(r.body) > 10_000+50*200 {
		t.Fatalf("response %d bytes: the budget did not hold", len(r.body))
	}
	// A single response over the budget is refused too.
	h = newHostile(t, api.Limits{MaxResponseBytes: 1000})
	r = h.post(t, "", "application/json", []byte(call("test_big", 7)))
	if !strings.Contains(string(r.body), "response larger than the limit") || len(r.body) > 1000 {
		t.Fatalf("single oversized response: %.200q", r.body)
	}
}

func TestConcurrencyBound(t *testing.T) {
	h := newHostile(t, api.Limits{MaxConcurrent: 2, QueueWait: 50 * time.Millisecond})
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if r := h.post(t, "", "application/json", []byte(call("test_block", i))); r.code != 200 {
				t.Errorf("blocked request: %d", r.code)
			}
		}()
	}
	<-h.entered
	<-h.entered
	r := h.post(t, "", "application/json", []byte(call("test_count", 9)))
	if r.code != http.StatusServiceUnavailable || !strings.Contains(string(r.body), "server busy") {
		t.Fatalf("request past the bound: %d %q, want 503", r.code, r.body)
	}
	close(h.release)
	wg.Wait()
	if r := h.post(t, "", "application/json", []byte(call("test_count", 10))); r.code != 200 {
		t.Fatalf("request after the others finished: %d", r.code)
	}
}

func TestPerIPRateLimit(t *testing.T) {
	h := newHostile(t, api.Limits{RatePerIP: 5, BurstPerIP: 5})
	for i := range 5 {
		if r := h.post(t, "", "application/json", []byte(call("test_count", i))); r.code != 200 {
			t.Fatalf("request %d within the burst: %d", i, r.code)
		}
	}
	if r := h.post(t, "", "application/json", []byte(call("test_count", 5))); r.code != http.StatusTooManyRequests {
		t.Fatalf("request past the burst: %d, want 429", r.code)
	}
	if h.calls.Load() != 5 {
		t.Fatalf("%d calls, want 5", h.calls.Load())
	}
}
