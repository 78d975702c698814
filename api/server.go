package api

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// MaxRequestBytes bounds one HTTP request body.
const MaxRequestBytes = 8 << 20

// Backend is what the server needs from a node.
type Backend interface {
	Ledger() *ledger.Ledger
	// SubmitTx admits a raw transaction into the mempool (and gossips it).
	SubmitTx(raw []byte) (types.Hash, error)
	// SubmitTxs admits a batch (signatures recovered in parallel).
	SubmitTxs(raws [][]byte) ([]types.Hash, []error)
	PendingNonce(a types.Address) (uint64, bool)
	MempoolSize() int
	Peers() int
	Validator() types.Address
	TxTypeName(t types.TxType) string
	MinFee() uint64
	Version() string
	CatchingUp() bool
}

// Method handles one JSON-RPC method.
type Method func(params json.RawMessage) (any, error)

// Server is the HTTP API of a node.
type Server struct {
	b       Backend
	log     *slog.Logger
	methods map[string]Method
	mux     *http.ServeMux
	ready   func() []string
	guard   *guard
	handler http.Handler
	hub     *Hub
	ws      *wsState
}

// NewServer builds the API; Register adds module-specific methods.
func NewServer(b Backend, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{b: b, log: log, methods: make(map[string]Method), mux: http.NewServeMux(), ws: newWSState()}
	s.SetLimits(Limits{})
	s.registerCore()
	s.registerChain()
	s.mux.HandleFunc("POST /", s.serveRPC)
	s.mux.HandleFunc("GET /ws", s.serveWS)
	s.mux.HandleFunc("GET /health", s.serveHealth)
	s.mux.HandleFunc("GET /ready", s.serveHealth)
	s.mux.HandleFunc("GET /live", serveLive)
	return s
}

// SetLimits replaces the limits (defaults until called); call it before
// serving.
func (s *Server) SetLimits(l Limits) {
	s.guard = newGuard(l)
	s.handler = s.protect(s.mux)
}

// SetReadiness replaces the readiness check behind /health and /ready:
// check returns why the node should not get traffic now (nothing when it
// should). The default reports only catching up.
func (s *Server) SetReadiness(check func() []string) { s.ready = check }

// Register adds a JSON-RPC method.
func (s *Server) Register(name string, m Method) { s.methods[name] = m }

// Handle mounts an extra HTTP handler (metrics, REST views, WebSocket).
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// Methods lists the registered method names, sorted.
func (s *Server) Methods() []string {
	out := make([]string, 0, len(s.methods))
	for k := range s.methods {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

type (
	request  = wire.Request[json.RawMessage]
	response = wire.Response[any]
)

func (s *Server) serveRPC(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if !jsonContent(r) {
		w.WriteHeader(http.StatusUnsupportedMediaType)
		writeJSON(w, response{JSONRPC: wire.Version, ID: json.RawMessage("null"), Error: errorf(wire.CodeInvalidRequest, "Content-Type must be application/json")})
		return
	}
	// The body is read before a slot is taken, so a client trickling its
	// body holds a connection (capped by the listener, and cut at the read
	// timeout) but never a slot honest requests need.
	body, err := readBody(w, r)
	if err != nil {
		var tooBig *http.MaxBytesError
		code, msg := http.StatusBadRequest, "request body unreadable"
		if errors.As(err, &tooBig) {
			code, msg = http.StatusRequestEntityTooLarge, "request body larger than "+strconv.Itoa(MaxRequestBytes)+" bytes"
		}
		w.WriteHeader(code)
		writeJSON(w, response{JSONRPC: wire.Version, ID: json.RawMessage("null"), Error: errorf(wire.CodeInvalidRequest, msg)})
		return
	}
	release, ok := s.guard.acquire(r)
	if !ok {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
		writeJSON(w, response{JSONRPC: wire.Version, ID: json.RawMessage("null"), Error: errorf(wire.CodeLimit, "server busy: too many requests in progress")})
		return
	}
	defer release()
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		reqs, err := splitBatch(body, s.guard.lim.MaxBatchItems)
		if err != nil {
			writeJSON(w, response{JSONRPC: wire.Version, ID: json.RawMessage("null"), Error: err})
			return
		}
		_, _ = w.Write(s.batch(reqs, nil))
		return
	}
	_, _ = w.Write(append(s.encodeOne(s.handle(body, nil)), '\n'))
}

// encodedResult is a method's result already encoded, as exactly the
// compact JSON json.Marshal writes for the value it stands for: the
// response is then assembled around it without encoding it again
// (marshalResponse). Encoded by encoding/json it is itself.
type encodedResult []byte

// MarshalJSON implements json.Marshaler.
func (r encodedResult) MarshalJSON() ([]byte, error) { return r, nil }

// marshalResponse is json.Marshal(resp), without running encoding/json over
// an encodedResult (it would compact and validate it).
func marshalResponse(resp response) ([]byte, error) {
	r, ok := resp.Result.(encodedResult)
	if !ok || resp.Error != nil || resp.JSONRPC != wire.Version || !compactID(resp.ID) {
		return json.Marshal(resp)
	}
	// One byte spare for the newline serveRPC adds.
	out := make([]byte, 0, len(`{"jsonrpc":"2.0","id":,"result":}`)+len(resp.ID)+len(r)+1)
	out = append(out, `{"jsonrpc":"`+wire.Version+`","id":`...)
	out = append(out, resp.ID...)
	out = append(out, `,"result":`...)
	out = append(out, r...)
	return append(out, '}'), nil
}

// compactID reports whether id, valid JSON, is written as it is by
// json.Marshal: no whitespace to compact away, nothing it escapes (<, >,
// & and, outside ASCII, U+2028 and U+2029).
func compactID(id json.RawMessage) bool {
	if len(id) == 0 {
		return false
	}
	for _, c := range id {
		if isSpace(c) || c == '<' || c == '>' || c == '&' || c > 0x7e {
			return false
		}
	}
	return true
}

// readBody reads the request body, at most MaxRequestBytes. With a
// Content-Length (the server then delivers exactly that many bytes) it
// reads into one buffer of that size: io.ReadAll grows from 512 bytes,
// allocating and copying twice a large batch's size.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, MaxRequestBytes)
	n := r.ContentLength
	if n <= 0 || n > MaxRequestBytes {
		return io.ReadAll(body)
	}
	buf := make([]byte, n)
	if _, err := io.ReadFull(body, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// encodeOne encodes a single response within the response budget.
func (s *Server) encodeOne(resp response) []byte {
	out, err := marshalResponse(resp)
	if err == nil && s.overBudget(len(out)) {
		out, err = json.Marshal(s.tooLarge(resp.ID))
	}
	if err != nil {
		out, _ = json.Marshal(response{JSONRPC: wire.Version, ID: resp.ID, Error: errorf(wire.CodeInternal, "encode response: "+err.Error())})
	}
	return out
}

// splitBatch returns a batch's items, stopping at the first item past max
// (max <= 0: no cap), so an oversized batch costs no more than max items.
func splitBatch(body []byte, max int) ([]json.RawMessage, *wire.Error) {
	invalid := errorf(wire.CodeParse, "invalid batch")
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, invalid
	}
	var reqs []json.RawMessage
	for dec.More() {
		if max > 0 && len(reqs) == max {
			return nil, errorf(wire.CodeLimit, "batch of more than "+strconv.Itoa(max)+" requests exceeds the limit of "+strconv.Itoa(max))
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, invalid
		}
		reqs = append(reqs, raw)
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim(']') || len(reqs) == 0 {
		return nil, invalid
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, invalid // trailing data after the array
	}
	return reqs, nil
}

func (s *Server) overBudget(n int) bool {
	return s.guard.lim.MaxResponseBytes > 0 && n > s.guard.lim.MaxResponseBytes
}

func (s *Server) tooLarge(id json.RawMessage) response {
	return response{JSONRPC: wire.Version, ID: id, Error: errorf(wire.CodeLimit,
		"response larger than the limit of "+strconv.Itoa(s.guard.lim.MaxResponseBytes)+" bytes: ask for less per request")}
}

// batch answers a batch within the response budget: items are run
// and encoded one at a time, and once the budget is spent the rest are not
// run but answered with a wire.CodeLimit error (small), so a batch of expensive
// reads cannot make the node build an unbounded response. local holds
// methods of the caller's connection (subscriptions), looked up first.
func (s *Server) batch(reqs []json.RawMessage, local map[string]Method) []byte {
	var buf bytes.Buffer
	buf.WriteByte('[')
	spent := false
	for i, raw := range reqs {
		if i > 0 {
			buf.WriteByte(',')
		}
		var resp response
		if spent {
			var head struct {
				ID json.RawMessage `json:"id"`
			}
			_ = json.Unmarshal(raw, &head)
			if head.ID == nil {
				head.ID = json.RawMessage("null")
			}
			resp = s.tooLarge(head.ID)
		} else {
			resp = s.handle(raw, local)
		}
		out, err := marshalResponse(resp)
		if err != nil {
			out, _ = json.Marshal(response{JSONRPC: wire.Version, ID: resp.ID, Error: errorf(wire.CodeInternal, "encode response: "+err.Error())})
		}
		if !spent && s.overBudget(buf.Len()+len(out)) {
			spent = true
			out, _ = json.Marshal(s.tooLarge(resp.ID))
		}
		buf.Write(out)
	}
	buf.WriteString("]\n")
	return buf.Bytes()
}

// handle runs one request; local holds methods of the caller's connection
// (subscriptions over WebSocket), looked up before the server's.
func (s *Server) handle(raw []byte, local map[string]Method) response {
	req, ok := fastRequest(raw)
	if !ok {
		if err := json.Unmarshal(raw, &req); err != nil {
			return response{JSONRPC: wire.Version, ID: json.RawMessage("null"), Error: errorf(wire.CodeParse, "parse error: "+err.Error())}
		}
	}
	if req.ID == nil {
		req.ID = json.RawMessage("null")
	}
	resp := response{JSONRPC: wire.Version, ID: req.ID}
	if req.JSONRPC != wire.Version || req.Method == "" {
		resp.Error = errorf(wire.CodeInvalidRequest, `invalid request: need "jsonrpc":"2.0" and a method`)
		return resp
	}
	m, ok := local[req.Method]
	if !ok {
		m, ok = s.methods[req.Method]
	}
	if !ok {
		resp.Error = errorf(wire.CodeMethodNotFound, "method not found: "+req.Method)
		return resp
	}
	res, err := m(req.Params)
	if err != nil {
		var e *wire.Error
		if errors.As(err, &e) {
			resp.Error = e
		} else {
			s.log.Warn("rpc internal error", "method", req.Method, "err", err)
			resp.Error = errorf(wire.CodeInternal, err.Error())
		}
		return resp
	}
	resp.Result = res
	if res == nil {
		resp.Result = json.RawMessage("null")
	}
	return resp
}

func writeJSON(w http.ResponseWriter, v any) {
	enc := json.NewEncoder(w)
	_ = enc.Encode(v)
}

// serveHealth is the readiness probe: 200 when the node can serve and
// follow the chain, 503 with the reasons otherwise, for load balancers and
// Kubernetes readiness checks.
func (s *Server) serveHealth(w http.ResponseWriter, _ *http.Request) {
	last := s.b.Ledger().Last()
	var reasons []string
	if s.ready != nil {
		reasons = s.ready()
	} else if s.b.CatchingUp() {
		reasons = []string{"catching up"}
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	body := map[string]any{"status": "ok", "height": last.Height}
	code := http.StatusOK
	if len(reasons) > 0 {
		code = http.StatusServiceUnavailable
		body["status"] = "not_ready"
		body["reasons"] = reasons
	}
	w.WriteHeader(code)
	writeJSON(w, body)
}

// serveLive is the liveness probe: it answers while the process serves
// HTTP at all, and reads nothing that could block, so a node that is busy
// catching up or short of disk is not restarted for it.
func serveLive(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = io.WriteString(w, `{"status":"alive"}`+"\n")
}

// Params decodes positional parameters into the pointers given, refusing
// too many or too few (trailing optional pointers may be left out).
func Params(raw json.RawMessage, required int, dst ...any) error {
	var arr []json.RawMessage
	if len(bytes.TrimSpace(raw)) > 0 && string(bytes.TrimSpace(raw)) != "null" {
		if err := json.Unmarshal(raw, &arr); err != nil {
			return errorf(wire.CodeInvalidParams, "params must be an array")
		}
	}
	if len(arr) < required || len(arr) > len(dst) {
		return errorf(wire.CodeInvalidParams, "want "+strconv.Itoa(required)+" to "+strconv.Itoa(len(dst))+" params, got "+strconv.Itoa(len(arr)))
	}
	for i, a := range arr {
		if err := json.Unmarshal(a, dst[i]); err != nil {
			return errorf(wire.CodeInvalidParams, "param "+strconv.Itoa(i)+": "+err.Error())
		}
	}
	return nil
}

// InvalidParams wraps an error as a wire.CodeInvalidParams error.
func InvalidParams(err error) error { return errorf(wire.CodeInvalidParams, err.Error()) }

// NotFound wraps a not-found error.
func NotFound(err error) error { return errorf(wire.CodeNotFound, err.Error()) }

func hexBytes(s string) ([]byte, error) {
	s = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(s), "0x"), "0X")
	return hex.DecodeString(s)
}

// trimHex is hexBytes' trimming, for bytes.
func trimHex(b []byte) []byte {
	return bytes.TrimPrefix(bytes.TrimPrefix(bytes.TrimSpace(b), []byte("0x")), []byte("0X"))
}
