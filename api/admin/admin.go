package admin

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/webhook"
	"github.com/accordnet/accord/api/wire"
)

// MaxRequestBytes bounds one request body: admin calls are small.
const MaxRequestBytes = 1 << 20

// MinTokenLen is the shortest token New accepts.
const MinTokenLen = 32

// ErrShortToken is returned by New for a token under MinTokenLen bytes.
var ErrShortToken = errors.New("admin: token too short")

// Webhooks is what the admin API needs of the webhook engine
// (*webhook.Engine).
type Webhooks interface {
	AddEndpoint(webhook.EndpointSpec) (webhook.Endpoint, error)
	Endpoints() []webhook.Endpoint
	RemoveEndpoint(id string) error
	Deliveries(endpointID, cursor string, limit int) (webhook.Page, error)
	Delivery(endpointID, eventID string) (webhook.Delivery, error)
	Redeliver(endpointID, eventID string) error
}

// Server serves the admin methods to requests bearing the token.
type Server struct {
	token   []byte
	log     *slog.Logger
	methods map[string]api.Method
}

// New returns the admin API guarded by token.
func New(token string, hooks Webhooks, log *slog.Logger) (*Server, error) {
	if len(token) < MinTokenLen {
		return nil, ErrShortToken
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{token: []byte(token), log: log, methods: map[string]api.Method{}}
	h := webhookMethods{hooks}
	s.methods["admin_addWebhook"] = h.add
	s.methods["admin_webhooks"] = h.list
	s.methods["admin_removeWebhook"] = h.remove
	s.methods["admin_webhookDeliveries"] = h.deliveries
	s.methods["admin_webhookDelivery"] = h.delivery
	s.methods["admin_redeliver"] = h.redeliver
	s.methods["admin_methods"] = func(json.RawMessage) (any, error) { return s.Methods(), nil }
	return s, nil
}

// Methods lists the method names, sorted.
func (s *Server) Methods() []string {
	out := make([]string, 0, len(s.methods))
	for k := range s.methods {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (s *Server) authorized(r *http.Request) bool {
	got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	return ok && subtle.ConstantTimeCompare([]byte(got), s.token) == 1
}

type response = wire.Response[any]

var nullID = json.RawMessage("null")

// ServeHTTP answers POST / with one JSON-RPC call (no batches: an operator
// API has no use for them).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != "/" {
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, response{JSONRPC: wire.Version, ID: nullID, Error: wire.Errorf(wire.CodeInvalidRequest, "POST / only")})
		return
	}
	// The token is checked before the body is read, so a caller without it
	// costs no more than its headers.
	if !s.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="accord-admin"`)
		w.WriteHeader(http.StatusUnauthorized)
		writeJSON(w, response{JSONRPC: wire.Version, ID: nullID, Error: wire.Errorf(wire.CodeInvalidRequest, "missing or wrong admin token")})
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxRequestBytes))
	if err != nil {
		w.WriteHeader(http.StatusRequestEntityTooLarge)
		writeJSON(w, response{JSONRPC: wire.Version, ID: nullID, Error: wire.Errorf(wire.CodeInvalidRequest, "request body unreadable or over 1 MiB")})
		return
	}
	var req wire.Request[json.RawMessage]
	if err := json.Unmarshal(bytes.TrimSpace(body), &req); err != nil {
		writeJSON(w, response{JSONRPC: wire.Version, ID: nullID, Error: wire.Errorf(wire.CodeParse, "parse error: "+err.Error())})
		return
	}
	id := req.ID
	if len(id) == 0 {
		id = nullID
	}
	if req.JSONRPC != wire.Version || req.Method == "" {
		writeJSON(w, response{JSONRPC: wire.Version, ID: id, Error: wire.Errorf(wire.CodeInvalidRequest, `want "jsonrpc":"2.0" and a method`)})
		return
	}
	m, ok := s.methods[req.Method]
	if !ok {
		writeJSON(w, response{JSONRPC: wire.Version, ID: id, Error: wire.Errorf(wire.CodeMethodNotFound, "method "+req.Method+" not found")})
		return
	}
	res, err := m(req.Params)
	if err != nil {
		writeJSON(w, response{JSONRPC: wire.Version, ID: id, Error: toWire(err)})
		return
	}
	s.log.Info("admin call", "method", req.Method)
	writeJSON(w, response{JSONRPC: wire.Version, ID: id, Result: res})
}

// toWire gives the engine's errors their stable codes.
func toWire(err error) *wire.Error {
	var we *wire.Error
	if errors.As(err, &we) {
		return we
	}
	switch {
	case errors.Is(err, webhook.ErrEndpointNotFound), errors.Is(err, webhook.ErrDeliveryNotFound):
		return wire.Errorf(wire.CodeNotFound, err.Error())
	case errors.Is(err, webhook.ErrInvalidEndpoint), errors.Is(err, webhook.ErrBadCursor):
		return wire.Errorf(wire.CodeInvalidParams, err.Error())
	case errors.Is(err, webhook.ErrTooManyEndpoints), errors.Is(err, webhook.ErrQueueFull):
		return wire.Errorf(wire.CodeLimit, err.Error())
	case errors.Is(err, webhook.ErrClosed):
		return wire.Errorf(wire.CodeUnavailable, err.Error())
	}
	return wire.Errorf(wire.CodeInternal, err.Error())
}

func writeJSON(w http.ResponseWriter, v any) {
	_ = json.NewEncoder(w).Encode(v)
}
