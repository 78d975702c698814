package node

import (
	"os"
	"strings"
	"testing"
)

func TestConfigAdminAndWebhookKeys(t *testing.T) {
	for _, tc := range []struct {
		name string
		set  func(*Config)
		bad  string // a word the error names; "" when valid
	}{
		{"default admin on loopback", func(*Config) {}, ""},
		{"admin off", func(c *Config) { c.AdminAddr = AdminOff }, ""},
		{"admin on ::1", func(c *Config) { c.AdminAddr = "[::1]:7000" }, ""},
		{"admin on localhost", func(c *Config) { c.AdminAddr = "localhost:7000" }, ""},
		{"admin on every interface is refused", func(c *Config) { c.AdminAddr = "0.0.0.0:7000" }, "loopback only"},
		{"admin on a LAN address is refused", func(c *Config) { c.AdminAddr = "10.0.0.5:7000" }, "loopback only"},
		{"admin without a port is refused", func(c *Config) { c.AdminAddr = "127.0.0.1" }, "admin_addr"},
		{"retry delays", func(c *Config) { c.WebhookRetryMs = []int{100, 1000} }, ""},
		{"zero retry delay is refused", func(c *Config) { c.WebhookRetryMs = []int{100, 0} }, "webhook_retry_ms"},
		{"negative max age is refused", func(c *Config) { c.WebhookMaxAgeS = -1 }, "webhook_max_age_s"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.set(&c)
			err := c.Validate()
			if tc.bad == "" && err != nil {
				t.Fatalf("Validate: %v", err)
			}
			if tc.bad != "" && (err == nil || !strings.Contains(err.Error(), tc.bad)) {
				t.Fatalf("Validate: %v, want an error naming %q", err, tc.bad)
			}
		})
	}
}

func TestAdminTokenIsCreatedPrivateAndKept(t *testing.T) {
	h := Home(t.TempDir())
	tok, err := adminToken(h)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(h.AdminTokenFile())
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 || len(tok) != 64 {
		t.Fatalf("token file mode %v, token %d bytes", fi.Mode().Perm(), len(tok))
	}
	again, err := adminToken(h)
	if err != nil || again != tok {
		t.Fatalf("second read %q %v, want the same token", again, err)
	}
	if err := os.WriteFile(h.AdminTokenFile(), []byte("short\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := adminToken(h); err == nil || !strings.Contains(err.Error(), "shorter") {
		t.Fatalf("short token: %v", err)
	}
}
