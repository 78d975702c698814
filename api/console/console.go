// Package console is the node's web console at /console on the RPC
// listener: chain status and the latest blocks, a transaction's and an
// order's timeline, an acceptor's reputation, margin and limits, open
// disputes, risk events and frozen accounts. It is a static page and a
// plain script, embedded in the binary; the script reads the node's public
// JSON-RPC and follows it live over the WebSocket at /ws (accord_subscribe
// newBlocks, orders, disputes, risk), resuming from the last cursor after
// a reconnect, and polls over HTTP while no WebSocket is up. It holds no
// state and needs no build step; it sees exactly what any RPC client sees.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var static embed.FS

// Path is where the console is mounted.
const Path = "/console"

// Handler serves the console under Path: the page at Path and Path+"/",
// its script and style beside it.
func Handler() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is compiled in
	}
	files := http.StripPrefix(Path+"/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		// Only the node itself: the page's own script and style, RPC and
		// WebSocket to the same origin; never framed.
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		switch p := r.URL.Path; {
		case p == Path || p == Path+"/":
			r2 := r.Clone(r.Context())
			r2.URL.Path = Path + "/"
			files.ServeHTTP(w, r2) // index.html
		case strings.HasPrefix(p, Path+"/"):
			files.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}
