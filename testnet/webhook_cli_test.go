package testnet

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
)

// TestWebhookCLI drives `accord webhook` against a node process: add
// prints the endpoint and its secret, a transfer's event reaches a
// loopback receiver signed with it, deliveries lists it delivered,
// redeliver sends it again, and a wrong token is refused.
func TestWebhookCLI(t *testing.T) {
	home := t.TempDir()
	pw := filepath.Join(home, "pw")
	os.WriteFile(pw, []byte("secret\n"), 0o600)
	alice := mustCLI(t, "keys", "new", "alice", "--home", home, "--password-file", pw, "--light-kdf")
	mustCLI(t, "init", "--home", home, "--chain-id", "hook-1", "--alloc", alice+"=1000", "--rpc.addr", "127.0.0.1:0")

	if _, errOut, err := cli(t, "webhook", "list", "--home", home); err == nil || !strings.Contains(errOut, "no running node") {
		t.Fatalf("webhook list without a node: %v %s", err, errOut)
	}
	startNode(t, home)

	const secret = "whsec_cli_test_0123456789abcdef"
	got := make(chan client.WebhookEvent, 16)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := client.VerifyWebhook(secret, r.Header.Get(client.WebhookSignatureHeader), body, time.Now(), 0); err != nil {
			t.Errorf("delivery not verified: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		var ev client.WebhookEvent
		_ = json.Unmarshal(body, &ev)
		got <- ev
	}))
	defer rcv.Close()
	next := func() client.WebhookEvent {
		t.Helper()
		select {
		case ev := <-got:
			return ev
		case <-time.After(30 * time.Second):
			t.Fatal("no delivery within 30 s")
			return client.WebhookEvent{}
		}
	}

	out := mustCLI(t, "webhook", "add", "--home", home, "--url", rcv.URL, "--secret", secret, "--type", "bank.transfer")
	var id string
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, "endpoint "); ok {
			id = strings.TrimSpace(v)
		}
	}
	if !strings.HasPrefix(id, "we_") || !strings.Contains(out, "secret   "+secret) {
		t.Fatalf("webhook add printed:\n%s", out)
	}
	if list := mustCLI(t, "webhook", "list", "--home", home); !strings.Contains(list, id) || !strings.Contains(list, "bank.transfer") || strings.Contains(list, secret) {
		t.Fatalf("webhook list:\n%s", list)
	}
	mustCLI(t, "tx", "transfer", "--home", home, "--from", "alice", "--password-file", pw, "--to", alice, "--amount", "1", "--wait")
	ev := next()
	if ev.Type != "bank.transfer" || ev.ID == "" {
		t.Fatalf("event %+v", ev)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		log := mustCLI(t, "webhook", "deliveries", id, "--home", home)
		if strings.Contains(log, ev.ID) && strings.Contains(log, "delivered") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries never shows %s delivered:\n%s", ev.ID, log)
		}
		time.Sleep(50 * time.Millisecond) // polling a CLI: there is no event to wait on
	}
	if show := mustCLI(t, "webhook", "show", id, ev.ID, "--home", home); !strings.Contains(show, "state    delivered") || !strings.Contains(show, "HTTP 200") {
		t.Fatalf("webhook show:\n%s", show)
	}
	mustCLI(t, "webhook", "redeliver", id, ev.ID, "--home", home)
	if again := next(); again.ID != ev.ID {
		t.Fatalf("redelivered %s, want %s", again.ID, ev.ID)
	}
	bad := filepath.Join(home, "bad.token")
	os.WriteFile(bad, []byte(strings.Repeat("f", 64)), 0o600)
	if _, errOut, err := cli(t, "webhook", "list", "--home", home, "--admin-token-file", bad); err == nil || !strings.Contains(errOut, "admin token") {
		t.Fatalf("wrong token: %v %s", err, errOut)
	}
	if _, errOut, err := cli(t, "webhook", "show", id, "9-9-9", "--home", home); err == nil || !strings.Contains(errOut, "not found") {
		t.Fatalf("unknown delivery: %v %s", err, errOut)
	}
}
