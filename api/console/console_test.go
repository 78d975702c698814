package console

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestHandlerServesThePageAndItsFiles(t *testing.T) {
	srv := httptest.NewServer(Handler())
	defer srv.Close()
	for _, tc := range []struct {
		path, wantType, wantBody string
		wantCode                 int
	}{
		{"/console", "text/html", `<script src="/console/app.js"`, http.StatusOK},
		{"/console/", "text/html", `id="blocks"`, http.StatusOK},
		{"/console/app.js", "text/javascript", "accord_subscribe", http.StatusOK},
		{"/console/style.css", "text/css", "ol.timeline", http.StatusOK},
		{"/console/missing.js", "", "", http.StatusNotFound},
		{"/elsewhere", "", "", http.StatusNotFound},
	} {
		t.Run(tc.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.wantCode {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.wantCode)
			}
			if tc.wantCode != http.StatusOK {
				return
			}
			if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.wantType) {
				t.Fatalf("content type %q, want %s", ct, tc.wantType)
			}
			if !strings.Contains(string(body), tc.wantBody) {
				t.Fatalf("body lacks %q", tc.wantBody)
			}
			csp := resp.Header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "script-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Fatalf("CSP %q", csp)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Fatal("no nosniff")
			}
		})
	}
}

// The script builds the page with textContent only: nothing from the
// chain is parsed as HTML.
func TestScriptNeverParsesHTML(t *testing.T) {
	b, err := static.ReadFile("static/app.js")
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("} {
		if strings.Contains(string(b), bad) {
			t.Errorf("app.js uses %s", bad)
		}
	}
}
