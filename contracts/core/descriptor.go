package core

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// The module descriptor: optional interfaces a Module implements when it
// has the part. The router (NewRouter) walks the module list once and
// builds from them the mempool's cost check, gov's parameter specs, bank's
// blocked list, the invariants, the result codes and the tables the API and
// the CLI walk. A new module is its own package plus one line in the app
// assembly; nothing else needs to know about it.

// Coster is a module's admission cost: what a transaction moves out of its
// sender besides the fee. It also decodes and validates the payload, so a
// malformed message is refused by the mempool. Every module with routes
// must implement it (checked by NewRouter).
type Coster interface {
	Cost(tx *types.Tx) (uint64, error)
}

// ParamSpec declares one parameter a module reads through gov's store, so
// a SetParam proposal (or the genesis) with a malformed value is refused
// before it is stored. Key may end in "*" to cover every key with that
// prefix (e.g. "level_limit.*"). Once a module has declared any spec, a
// SetParam for a key of that module that no spec covers is refused: this
// catches typos. Modules that declare no spec accept any key and value.
type ParamSpec struct {
	Module   string
	Key      string
	Validate func(value []byte) error // nil: any value
	CheckKey func(key string) error   // for "*" keys: checks the full key; nil: any
}

// Matches reports whether the spec covers module/key.
func (s ParamSpec) Matches(module, key string) bool {
	if s.Module != module {
		return false
	}
	if p, ok := strings.CutSuffix(s.Key, "*"); ok {
		return strings.HasPrefix(key, p) && len(key) > len(p)
	}
	return s.Key == key
}

// Covers reports whether key of module is declared by one of specs
// (including its CheckKey).
func Covers(specs []ParamSpec, module, key string) bool {
	for _, s := range specs {
		if s.Matches(module, key) && (s.CheckKey == nil || s.CheckKey(key) == nil) {
			return true
		}
	}
	return false
}

// ParamDeclarer is a module with governed parameters.
type ParamDeclarer interface {
	ParamSpecs() []ParamSpec
}

// ParamSpecConsumer is the module that checks parameter proposals (gov):
// NewRouter hands it the specs every other module declares.
type ParamSpecConsumer interface {
	WithParamSpecs(specs []ParamSpec) Module
}

// ParamReporter reports a module's current parameters (and other
// module-wide settings) for accord_getParams, by the key a SetParam
// proposal uses. Every key of a module that declares specs must be covered
// by one (checked by NewRouter over an empty state).
type ParamReporter interface {
	ParamValues(st state.Store) map[string]string
}

// Invariant is one property of a module's state that holds after every
// block. Check returns a message and whether the invariant is broken.
type Invariant struct {
	Name  string
	Check func(st state.Store) (msg string, broken bool)
}

// InvariantRegistry is a module with invariants.
type InvariantRegistry interface {
	Invariants() []Invariant
}

// ModuleAccounts is a module that holds funds in module accounts: plain
// transfers into them are refused (they would break its accounting).
type ModuleAccounts interface {
	ModuleAccounts() []types.Address
}

// BlockedConsumer is the module that refuses transfers into module
// accounts (bank): NewRouter hands it every module's accounts.
type BlockedConsumer interface {
	WithBlocked(accounts []types.Address) Module
}

// ErrorCode binds a module's sentinel error to a stable number. A failed
// receipt carries (codespace, code) = (module name, Code) of the first
// registered error the failure wraps (errors.Is, in registration order);
// the human message is stored beside it but not hashed, so rewording an
// error cannot fork a network.
type ErrorCode struct {
	Code uint32
	Err  error
}

// ErrorCoder is a module that registers its sentinel errors' codes. Codes
// CodeOK and CodeUnknown are reserved; a code may be used once per module.
type ErrorCoder interface {
	ErrorCodes() []ErrorCode
}

// Reserved result codes, in every codespace.
const (
	CodeOK      uint32 = 0
	CodeUnknown uint32 = 1 // the error wraps no registered sentinel
)

// Codespace "core": failures of the frame rather than of a module.
const (
	Codespace         = "core"
	CodeBadPayload    = 2 // ErrBadPayload
	CodePanic         = 3 // the handler panicked (ErrPanic)
	CodeUnknownTxType = 4 // ErrUnknownType
)

// ErrPanic is the failure of a handler that panicked; its writes are
// rolled back like any failed message's.
var ErrPanic = errors.New("handler panicked")

var coreCodes = []ErrorCode{{CodeBadPayload, ErrBadPayload}, {CodePanic, ErrPanic}, {CodeUnknownTxType, ErrUnknownType}}

// Event is a typed event: a Go struct whose fields are its attributes (see
// Context.EmitEvent). Each module declares its events in events.go.
type Event interface {
	EventType() string
}

// EventDeclarer lists a module's event types (zero values), so the API can
// document them and clients can decode them.
type EventDeclarer interface {
	Events() []Event
}

// QueryState is what a query handler reads: the committed state as of the
// last block.
type QueryState struct {
	Store  state.Store
	Height uint64
	Time   uint64 // block time of the last block, unix ms
}

// Query is one read-only API method of a module. Handle gets the JSON-RPC
// params (an array, possibly empty) and returns a JSON-encodable result.
// Errors wrapping ErrNotFound or ErrInvalidQuery map to the API's
// not-found and invalid-params codes.
type Query struct {
	Method string // e.g. "accord_getOrder"
	Doc    string // one line: params and result
	Handle func(q QueryState, params json.RawMessage) (any, error)
}

// Querier is a module with API queries.
type Querier interface {
	Queries() []Query
}

// Query errors.
var (
	ErrNotFound     = errors.New("not found")
	ErrInvalidQuery = errors.New("invalid query parameters")
)

// Command is one CLI subcommand of a module, as plain data the CLI walks
// (so contracts never import the CLI): `node tx MODULE USE` when Msg is
// set, `node query MODULE USE` when Query is (directly under tx or query
// when Top is set).
type Command struct {
	Use   string // e.g. "ping COUNT"
	Short string
	Long  string
	Args  int // exact number of positional arguments
	Flags []Flag
	// Top puts the command directly under `tx` or `query` instead of in
	// the module's group (`query order ID`).
	Top bool
	// Msg builds the message a tx command signs and sends with --from.
	Msg func(in CommandInput) (Msg, error)
	// Report, for a tx command, makes what the CLI prints of the sent
	// transaction; nil: its hash or, with --wait, its receipt.
	Report func(in CommandInput, s Sent) (Report, error)
	// Query returns the JSON-RPC method and params of a query command; the
	// CLI prints the result.
	Query func(in CommandInput) (method string, params []any, err error)
	// Print, for a query command, prints the result for people; nil (and
	// always with --json): the result as JSON.
	Print func(w io.Writer, in CommandInput, result json.RawMessage) error
}

// FlagKind is how the CLI parses a flag.
type FlagKind uint8

// Flag kinds. String, Bool, Uint and Int flags reach CommandInput.Flags
// as text (the CLI has checked Uint and Int parse); Strings (repeatable)
// and List (comma-separated, repeatable) reach CommandInput.Lists.
const (
	FlagString FlagKind = iota
	FlagStrings
	FlagList
	FlagBool
	FlagUint
	FlagInt
)

// Flag is a flag of a Command.
type Flag struct {
	Name, Default, Usage string
	Kind                 FlagKind
	Required             bool
}

// CommandInput is what the user typed, and the few effects a command may
// need, supplied by the CLI (so modules do no I/O of their own).
type CommandInput struct {
	Args  []string
	Flags map[string]string
	Lists map[string][]string
	// ReadFile reads a file the user named (e.g. to hash it).
	ReadFile func(name string) ([]byte, error)
	// Random fills b with random bytes (e.g. a fresh reference).
	Random func(b []byte)
}

// Sent is a transaction a tx command signed and submitted.
type Sent struct {
	From types.Address
	Hash types.Hash
	// Receipt is its receipt once committed (with --wait); nil otherwise.
	Receipt *SentReceipt
}

// SentReceipt is what a Report reads of a committed receipt.
type SentReceipt struct {
	Height uint64
	OK     bool
	Error  string // the failure's message
	Events []types.Event
	// JSON is the API's receipt (views.Receipt), for a Report to embed.
	JSON json.RawMessage
}

// Failed is the error of a committed transaction whose message failed
// (nil otherwise), as the CLI reports it.
func (s Sent) Failed() error {
	if r := s.Receipt; r != nil && !r.OK {
		return fmt.Errorf("transaction %s failed in block %d: %s", s.Hash.Hex(), r.Height, r.Error)
	}
	return nil
}

// FindEvent decodes the receipt's first event of out's type into out and
// reports whether there was one (false without a receipt).
func (s Sent) FindEvent(out Event) (bool, error) {
	if s.Receipt == nil {
		return false, nil
	}
	return FindEvent(s.Receipt.Events, out)
}

// Report is what a tx command prints of its sent transaction.
type Report struct {
	// JSON is printed with --json (nil: the receipt, or the hash).
	JSON any
	// Text is printed for people after the hash or receipt.
	Text string
	// Replace prints Text instead of the hash or receipt.
	Replace bool
	// Always prints Text (alone) with --json too.
	Always bool
}

// CommandGrouper is a module whose `tx MODULE` group has its own one-line
// description.
type CommandGrouper interface {
	CommandGroup() string
}

// CommandAliaser is a module whose `tx MODULE` and `query MODULE` groups
// also answer to other names: the words its users say (an operator types
// `tx dispute vote`, not `tx arbitration vote`).
type CommandAliaser interface {
	CommandAliases() []string
}

// Msg is a message with its transaction type.
type Msg interface {
	TxType() types.TxType
}

// Commander is a module with CLI commands.
type Commander interface {
	Commands() []Command
}
