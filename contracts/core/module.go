package core

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Tx type ranges: each module owns 256 types, so a type alone names its module.
const (
	TypeBank        types.TxType = 0x0100
	TypeGov         types.TxType = 0x0200
	TypeKYC         types.TxType = 0x0300
	TypeOracle      types.TxType = 0x0400
	TypeAcceptor    types.TxType = 0x0500
	TypeOrder       types.TxType = 0x0600
	TypeArbitration types.TxType = 0x0700
	TypeRisk        types.TxType = 0x0800
	TypeChannel     types.TxType = 0x0900
	TypePay         types.TxType = 0x0a00
	TypeBridge      types.TxType = 0x0b00
	TypeCheckpoint  types.TxType = 0x0c00
)

// Sentinel errors of the envelope.
var (
	ErrUnknownType = errors.New("unknown transaction type")
	ErrBadPayload  = errors.New("malformed payload")
	// ErrInvalidTx is the ledger's: a transaction that may not be in a block.
	ErrInvalidTx = ledger.ErrInvalidTx
)

// Handler executes one message. It returns an error to fail the message;
// the router then rolls back every write the handler made.
type Handler func(ctx *Context, payload []byte) error

// Module is a contract module: its message handlers, genesis and timers.
type Module interface {
	// Name is the module's key in the genesis document ("bank", "order", ...).
	Name() string
	// Routes lists the messages it handles.
	Routes() []Route
	// InitGenesis writes the module's initial state; raw may be empty.
	InitGenesis(ctx *Context, raw json.RawMessage) error
}

// Route binds a transaction type to its handler.
type Route struct {
	Type    types.TxType
	Name    string // e.g. "bank.transfer", for logs, CLI and the API
	Handler Handler
	// Msg is the payload struct (a zero value), for the generated
	// transaction reference (docs/transactions.md), which documents its
	// fields from their comments in msgs.go.
	Msg any
}

// BeginBlocker is implemented by modules with timers (expiries, windows).
// It runs at the start of each block in module registration order and must
// bound its own work per block.
type BeginBlocker interface {
	BeginBlock(ctx *Context) error
}

// Ante checks and charges a transaction before its message runs (nonce,
// fee, frozen accounts). An error makes the transaction invalid: it cannot
// be included in a block at all.
type Ante func(ctx *Context, tx *types.Tx) error

// Decode RLP-decodes a payload into v, wrapping failures in ErrBadPayload.
func Decode(payload []byte, v any) error {
	if err := rlp.DecodeBytes(payload, v); err != nil {
		return fmt.Errorf("%w: %v", ErrBadPayload, err)
	}
	return nil
}

// Encode RLP-encodes a message payload.
func Encode(v any) []byte {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		panic(fmt.Sprintf("encode payload %T: %v", v, err))
	}
	return b
}

// Validator is a message with stateless checks.
type Validator interface{ ValidateBasic() error }

// DecodeValid decodes payload into a new message and runs its stateless
// checks, so every handler refuses malformed and invalid payloads alike.
func DecodeValid[T any, P interface {
	*T
	Validator
}](payload []byte) (*T, error) {
	var m T
	if err := Decode(payload, &m); err != nil {
		return nil, err
	}
	if err := P(&m).ValidateBasic(); err != nil {
		return nil, err
	}
	return &m, nil
}

// DecodeTyped decodes payload into the empty message newMsg returns for
// type t and runs its stateless checks: a module's DecodeMsg, for the API,
// the CLI and the mempool.
func DecodeTyped[M Validator](newMsg func(types.TxType) (M, error), t types.TxType, payload []byte) (M, error) {
	var zero M
	m, err := newMsg(t)
	if err != nil {
		return zero, err
	}
	if err := Decode(payload, m); err != nil {
		return zero, err
	}
	if err := m.ValidateBasic(); err != nil {
		return zero, err
	}
	return m, nil
}

// HandleMsg is the handler of one message type: it decodes the payload
// into a new T, runs its stateless checks (DecodeValid) and calls handle,
// so a module's routes name what each message does and nothing else:
//
//	{Type: TypeConfirm, Name: "order.confirm", Handler: core.HandleMsg(m.confirm)}
func HandleMsg[T any, P interface {
	*T
	Validator
}](handle func(ctx *Context, msg P) error) Handler {
	return func(ctx *Context, payload []byte) error {
		m, err := DecodeValid[T, P](payload)
		if err != nil {
			return err
		}
		return handle(ctx, m)
	}
}

// HandleDecoded is HandleMsg for a message with its own decoder (a fast
// path, or a canonical-encoding check): decode must refuse what
// DecodeValid would.
func HandleDecoded[M any](decode func(payload []byte) (M, error), handle func(ctx *Context, msg M) error) Handler {
	return func(ctx *Context, payload []byte) error {
		m, err := decode(payload)
		if err != nil {
			return err
		}
		return handle(ctx, m)
	}
}
