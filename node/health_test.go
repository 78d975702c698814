package node

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"testing"
)

// newTestNode initializes a home and opens a node on it without starting it.
func newTestNode(t *testing.T, cfg func(*Config)) *Node {
	t.Helper()
	h := Home(filepath.Join(t.TempDir(), "home"))
	c := DefaultConfig()
	if cfg != nil {
		cfg(&c)
	}
	if _, err := Init(h, InitOptions{ChainID: "health-test", Config: &c}); err != nil {
		t.Fatal(err)
	}
	n, err := New(h, Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.ledger.Close() })
	return n
}

func TestHealthIsReadiness(t *testing.T) {
	cases := []struct {
		name        string
		cfg         func(*Config)
		syncTarget  uint64
		wantCode    int
		wantReasons []string
	}{
		{name: "single validator in step is ready", wantCode: http.StatusOK},
		{name: "catching up is not ready", syncTarget: 7, wantCode: http.StatusServiceUnavailable,
			wantReasons: []string{"catching up: height 0 of 7"}},
		{name: "no peers when peers are configured is not ready",
			cfg:      func(c *Config) { c.P2PPeers = []string{"/ip4/127.0.0.1/tcp/1/p2p/x", "/ip4/127.0.0.1/tcp/2/p2p/y"} },
			wantCode: http.StatusServiceUnavailable, wantReasons: []string{"no peers connected (2 configured)"}},
		{name: "every reason is listed",
			cfg:        func(c *Config) { c.P2PPeers = []string{"/ip4/127.0.0.1/tcp/1/p2p/x"} },
			syncTarget: 3, wantCode: http.StatusServiceUnavailable,
			wantReasons: []string{"catching up: height 0 of 3", "no peers connected (1 configured)"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n := newTestNode(t, tc.cfg)
			n.syncTarget.Store(tc.syncTarget)
			hs := httptest.NewServer(n.api)
			defer hs.Close()
			for _, path := range []string{"/health", "/ready"} {
				resp, err := http.Get(hs.URL + path)
				if err != nil {
					t.Fatal(err)
				}
				var body struct {
					Status  string   `json:"status"`
					Reasons []string `json:"reasons"`
				}
				err = json.NewDecoder(resp.Body).Decode(&body)
				resp.Body.Close()
				if err != nil {
					t.Fatal(err)
				}
				if resp.StatusCode != tc.wantCode || !slices.Equal(body.Reasons, tc.wantReasons) {
					t.Fatalf("%s: %d %+v, want %d reasons %q", path, resp.StatusCode, body, tc.wantCode, tc.wantReasons)
				}
				if want := map[bool]string{true: "ok", false: "not_ready"}[tc.wantCode == http.StatusOK]; body.Status != want {
					t.Fatalf("%s: status %q, want %q", path, body.Status, want)
				}
			}
			// Liveness ignores readiness.
			resp, err := http.Get(hs.URL + "/live")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/live: %d, want 200", resp.StatusCode)
			}
		})
	}
}
