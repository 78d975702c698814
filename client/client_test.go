package client

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"
)

// garbageListener answers every connection with answer and closes it, as a
// port of another protocol would.
func garbageListener(t *testing.T, answer string) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				_, _ = io.WriteString(conn, answer)
				_ = conn.SetReadDeadline(time.Now().Add(time.Second))
				_, _ = io.Copy(io.Discard, conn)
			}()
		}
	}()
	return l.Addr().String()
}

func TestCallRecognisesAPortThatIsNotAccordRPC(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = io.WriteString(w, "<html>hello</html>")
	}))
	defer html.Close()
	otherJSON := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"ok"}`)
	}))
	defer otherJSON.Close()
	rpc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":1,"result":{"chain_id":"c","height":7}}`)
	}))
	defer rpc.Close()

	for _, c := range []struct {
		name string
		url  string
		want string // in the error; "" = no error
	}{
		{"libp2p port", garbageListener(t, "\x13/multistream/1.0.0\n"), `is not an Accord RPC port (it answered`},
		{"binary garbage", garbageListener(t, "\x00\x01\x02\x03garbage\r\n\r\n"), "is not an Accord RPC port"},
		{"HTML server", html.URL, `is not an Accord RPC port (HTTP 200 OK answered text/html "<html>hello</html>", not JSON-RPC 2.0)`},
		{"JSON but not JSON-RPC", otherJSON.URL, "is not an Accord RPC port"},
		{"an Accord-like RPC", rpc.URL, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			cl := New(c.url)
			st, err := cl.Status(ctx)
			if c.want == "" {
				if err != nil || st.Height != 7 {
					t.Fatalf("status %+v, %v", st, err)
				}
				return
			}
			if !errors.Is(err, ErrNotRPC) || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), cl.URL+" ") {
				t.Fatalf("error %v, want ErrNotRPC starting with %s and containing %q", err, cl.URL, c.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("error is not one line: %q", err)
			}
		})
	}
}

// TestNotRPCErrorNamesWhatAnswered: a port that speaks first, as libp2p
// does, is named with what it said, and net/http logs nothing about it
// (its "Unsolicited response" line would break the CLI's one-line errors).
func TestNotRPCErrorNamesWhatAnswered(t *testing.T) {
	var logged strings.Builder
	log.SetOutput(&logged)
	defer log.SetOutput(os.Stderr)
	cl := New(garbageListener(t, "\x13/multistream/1.0.0\n"))
	for i := 0; i < 20; i++ {
		_, err := cl.Status(context.Background())
		if !errors.Is(err, ErrNotRPC) || !strings.Contains(err.Error(), `it answered "\x13/multistream/1.0.0\n", not HTTP`) {
			t.Fatalf("error %v does not quote what the port answered", err)
		}
	}
	if logged.Len() != 0 {
		t.Fatalf("net/http logged: %s", logged.String())
	}
}
