package lightclient

// The module's CLI commands and API queries (core.Commander,
// core.Querier): `query lightclient show` (accord_getLightClient) and
// `query lightclient header H` (accord_getLightClientHeader).

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander = Module{}
	_ core.Querier   = Module{}
)

// The module's API methods.
const (
	QueryClient = "accord_getLightClient"       // () View
	QueryHeader = "accord_getLightClientHeader" // (main height) HeaderView
)

// View is the light client as accord_getLightClient reports it: the main
// chain it follows, how far, and the main validator set it expects next.
type View struct {
	ChainID        string          `json:"chain_id"`
	TrustHeight    uint64          `json:"trust_height"`
	Latest         uint64          `json:"latest"` // highest trusted main height
	Frozen         bool            `json:"frozen"`
	ValidatorsHash types.Hash      `json:"validators_hash"` // the set in force at latest + 1
	Validators     []types.Address `json:"validators"`
}

// HeaderView is a trusted main-chain header.
type HeaderView struct {
	Height         uint64     `json:"height"`
	Hash           types.Hash `json:"hash"`
	Time           uint64     `json:"time_ms"`
	StateRoot      types.Hash `json:"state_root"`
	ReceiptRoot    types.Hash `json:"receipt_root"`
	ValidatorsHash types.Hash `json:"validators_hash"`
	TxCount        uint32     `json:"tx_count"`
}

func (m Module) view(st state.Store) (View, error) {
	c, err := m.Client(st)
	if errors.Is(err, ErrNotInitialized) {
		return View{}, fmt.Errorf("%w: %w (no main chain in this chain's genesis)", core.ErrNotFound, err)
	}
	if err != nil {
		return View{}, err
	}
	vs, err := m.SetAt(st, c.Latest+1)
	if err != nil {
		return View{}, err
	}
	return View{ChainID: c.ChainID, TrustHeight: c.TrustHeight, Latest: c.Latest, Frozen: c.Frozen,
		ValidatorsHash: vs.Hash(), Validators: vs.Validators}, nil
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{
		{Method: QueryClient, Doc: "() View: the main chain followed, the latest trusted height, frozen, the next main validator set",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				var none []json.RawMessage
				if len(p) > 0 && (json.Unmarshal(p, &none) != nil || len(none) != 0) {
					return nil, fmt.Errorf("%w: %s takes no arguments", core.ErrInvalidQuery, QueryClient)
				}
				return m.view(q.Store)
			}},
		{Method: QueryHeader, Doc: "(main height) HeaderView: a trusted main-chain header",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				var args []uint64
				if err := json.Unmarshal(p, &args); err != nil || len(args) != 1 {
					return nil, fmt.Errorf("%w: %s takes one main height", core.ErrInvalidQuery, QueryHeader)
				}
				t, err := m.Header(q.Store, args[0])
				if errors.Is(err, ErrNoHeader) {
					return nil, fmt.Errorf("%w: %w", core.ErrNotFound, err)
				}
				if err != nil {
					return nil, err
				}
				h := &t.Header
				return HeaderView{Height: h.Height, Hash: t.Hash, Time: h.Time, StateRoot: h.StateRoot, ReceiptRoot: h.ReceiptRoot,
					ValidatorsHash: h.ValidatorsHash, TxCount: h.TxCount}, nil
			}},
	}
}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "show", Short: "Show the light client of main: chain, latest trusted height, frozen, next validator set",
			Query: func(core.CommandInput) (string, []any, error) { return QueryClient, nil, nil }},
		{Use: "header HEIGHT", Short: "Show a trusted main-chain header", Args: 1,
			Query: func(in core.CommandInput) (string, []any, error) {
				h, err := strconv.ParseUint(in.Args[0], 10, 64)
				if err != nil {
					return "", nil, fmt.Errorf("HEIGHT: %q is not an unsigned integer", in.Args[0])
				}
				return QueryHeader, []any{h}, nil
			}},
	}
}
