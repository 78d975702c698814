package admin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/accordnet/accord/api/webhook"
	"github.com/accordnet/accord/api/wire"
)

// fakeHooks records the calls and answers with a fixed error, if any.
type fakeHooks struct {
	err   error
	added []webhook.EndpointSpec
}

func (f *fakeHooks) AddEndpoint(s webhook.EndpointSpec) (webhook.Endpoint, error) {
	if f.err != nil {
		return webhook.Endpoint{}, f.err
	}
	f.added = append(f.added, s)
	return webhook.Endpoint{ID: "we_0123456789abcdef", URL: s.URL, Secret: "whsec_x"}, nil
}
func (f *fakeHooks) Endpoints() []webhook.Endpoint {
	return []webhook.Endpoint{{ID: "we_0123456789abcdef", URL: "http://x", Secret: "leak"}}
}
func (f *fakeHooks) RemoveEndpoint(string) error { return f.err }
func (f *fakeHooks) Deliveries(string, string, int) (webhook.Page, error) {
	return webhook.Page{}, f.err
}
func (f *fakeHooks) Delivery(string, string) (webhook.Delivery, error) {
	return webhook.Delivery{}, f.err
}
func (f *fakeHooks) Redeliver(string, string) error { return f.err }

const token = "0123456789abcdef0123456789abcdef"

func post(t *testing.T, url, tok, body string) (int, wire.Response[json.RawMessage]) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r wire.Response[json.RawMessage]
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, r
}

func TestAdminServer(t *testing.T) {
	if _, err := New("short", &fakeHooks{}, nil); err != ErrShortToken {
		t.Fatalf("short token: %v", err)
	}
	cases := []struct {
		name     string
		tok      string
		body     string
		hookErr  error
		wantHTTP int
		wantCode int // JSON-RPC error code; 0: success
		want     string
	}{
		{"no token", "", `{"jsonrpc":"2.0","id":1,"method":"admin_webhooks"}`, nil, 401, wire.CodeInvalidRequest, ""},
		{"wrong token", strings.Repeat("x", 32), `{"jsonrpc":"2.0","id":1,"method":"admin_webhooks"}`, nil, 401, wire.CodeInvalidRequest, ""},
		{"list hides secrets", token, `{"jsonrpc":"2.0","id":1,"method":"admin_webhooks"}`, nil, 200, 0, `[{"id":"we_0123456789abcdef","url":"http://x","created":"0001-01-01T00:00:00Z"}]`},
		{"add", token, `{"jsonrpc":"2.0","id":2,"method":"admin_addWebhook","params":[{"url":"http://r/hook","types":["order.paid"]}]}`, nil, 200, 0, `"secret":"whsec_x"`},
		{"bad json", token, `{"jsonrpc":`, nil, 200, wire.CodeParse, ""},
		{"unknown method", token, `{"jsonrpc":"2.0","id":3,"method":"accord_status"}`, nil, 200, wire.CodeMethodNotFound, ""},
		{"params not an array", token, `{"jsonrpc":"2.0","id":4,"method":"admin_removeWebhook","params":{"id":"x"}}`, nil, 200, wire.CodeInvalidParams, ""},
		{"limit over the page bound", token, `{"jsonrpc":"2.0","id":5,"method":"admin_webhookDeliveries","params":["we_0123456789abcdef","",501]}`, nil, 200, wire.CodeInvalidParams, ""},
		{"unknown endpoint is not found", token, `{"jsonrpc":"2.0","id":6,"method":"admin_redeliver","params":["we_0123456789abcdef","1-0-0"]}`,
			fmt.Errorf("x: %w", webhook.ErrEndpointNotFound), 200, wire.CodeNotFound, ""},
		{"invalid endpoint is invalid params", token, `{"jsonrpc":"2.0","id":7,"method":"admin_addWebhook","params":[{"url":"ftp://x"}]}`,
			webhook.ErrInvalidEndpoint, 200, wire.CodeInvalidParams, ""},
		{"full queue is a limit", token, `{"jsonrpc":"2.0","id":8,"method":"admin_redeliver","params":["we_0123456789abcdef","1-0-0"]}`,
			webhook.ErrQueueFull, 200, wire.CodeLimit, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := &fakeHooks{err: tc.hookErr}
			s, err := New(token, h, nil)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(s)
			defer srv.Close()
			code, r := post(t, srv.URL+"/", tc.tok, tc.body)
			if code != tc.wantHTTP {
				t.Fatalf("HTTP %d, want %d", code, tc.wantHTTP)
			}
			if tc.wantCode != 0 {
				if r.Error == nil || r.Error.Code != tc.wantCode {
					t.Fatalf("error %+v, want code %d", r.Error, tc.wantCode)
				}
				if tc.wantHTTP == 401 && len(h.added) != 0 {
					t.Fatal("an unauthorized call reached the engine")
				}
				return
			}
			if r.Error != nil || !bytes.Contains(r.Result, []byte(tc.want)) {
				t.Fatalf("result %s (error %+v), want it to contain %s", r.Result, r.Error, tc.want)
			}
		})
	}
}
