package checkpoint

// The module's CLI commands and API queries (core.Commander,
// core.Querier): `query checkpoint latest|show N|covering H --chain ID` and
// `query checkpoint chain ID` over accord_getCheckpoint,
// accord_getCheckpointCovering and accord_getSideChain. Every query names
// the side chain: main holds the checkpoints of several.

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
	QueryCheckpoint = "accord_getCheckpoint"         // (chain ID, number | "latest") View
	QueryCovering   = "accord_getCheckpointCovering" // (chain ID, side height) View
	QueryChain      = "accord_getSideChain"          // (chain ID) ChainView
)

// View is an anchored checkpoint as the API reports it.
type View struct {
	ChainID            string     `json:"chain_id"`
	Number             uint64     `json:"number"`
	Start              uint64     `json:"start"`
	End                uint64     `json:"end"`
	BlocksRoot         types.Hash `json:"blocks_root"`
	AppHash            types.Hash `json:"app_hash"`
	ValidatorsHash     types.Hash `json:"validators_hash"`
	NextValidatorsHash types.Hash `json:"next_validators_hash"`
	Hash               types.Hash `json:"hash"`
	Signers            uint64     `json:"signers"`
	MainHeight         uint64     `json:"main_height"` // when main anchored it
	MainTime           uint64     `json:"main_time_ms"`
}

// NewView is a's API view.
func NewView(a *Anchored) View {
	c := &a.Checkpoint
	return View{ChainID: c.ChainID, Number: c.Number, Start: c.Start, End: c.End, BlocksRoot: c.BlocksRoot, AppHash: c.AppHash,
		ValidatorsHash: c.ValidatorsHash, NextValidatorsHash: c.NextValidatorsHash, Hash: c.Hash(), Signers: a.Signers,
		MainHeight: a.Height, MainTime: a.Time}
}

// ChainView is a registered side chain as accord_getSideChain reports it.
type ChainView struct {
	ChainID        string          `json:"chain_id"`
	ValidatorsHash types.Hash      `json:"validators_hash"` // the set that signs the next checkpoint
	Validators     []types.Address `json:"validators"`
	FirstHeight    uint64          `json:"first_height"`
	LastNumber     uint64          `json:"last_number"` // 0 before the first checkpoint
	LastEnd        uint64          `json:"last_end"`
	Halted         bool            `json:"halted"`
}

func notFound(err error) error {
	if errors.Is(err, ErrNotFound) || errors.Is(err, ErrUnknownChain) {
		return fmt.Errorf("%w: %w", core.ErrNotFound, err)
	}
	return err
}

// args decodes params [chain ID] or [chain ID, n]; n may be a number or a
// decimal string, or "latest" when latest is allowed (returned as 0).
func args(method string, p json.RawMessage, withN, latest bool) (string, uint64, error) {
	var raw []json.RawMessage
	want := 1
	if withN {
		want = 2
	}
	if err := json.Unmarshal(p, &raw); err != nil || len(raw) != want {
		return "", 0, fmt.Errorf("%w: %s takes %d arguments", core.ErrInvalidQuery, method, want)
	}
	var id string
	if err := json.Unmarshal(raw[0], &id); err != nil || CheckChainID(id) != nil {
		return "", 0, fmt.Errorf("%w: %s: chain ID %s", core.ErrInvalidQuery, method, raw[0])
	}
	if !withN {
		return id, 0, nil
	}
	var n uint64
	if err := json.Unmarshal(raw[1], &n); err == nil && (n > 0 || !latest) {
		return id, n, nil
	}
	var s string
	if err := json.Unmarshal(raw[1], &s); err == nil {
		if s == "latest" && latest {
			return id, 0, nil
		}
		if v, err := strconv.ParseUint(s, 10, 64); err == nil && (v > 0 || !latest) {
			return id, v, nil
		}
	}
	return "", 0, fmt.Errorf("%w: %s: %s is not a number", core.ErrInvalidQuery, method, raw[1])
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{
		{Method: QueryCheckpoint, Doc: `(chain id, number | "latest") View: an anchored checkpoint of a side chain`,
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				id, n, err := args(QueryCheckpoint, p, true, true)
				if err != nil {
					return nil, err
				}
				var a *Anchored
				if n == 0 {
					a, err = m.Latest(q.Store, id)
				} else {
					a, err = m.ByNumber(q.Store, id, n)
				}
				if err != nil {
					return nil, notFound(err)
				}
				return NewView(a), nil
			}},
		{Method: QueryCovering, Doc: "(chain id, side height) View: the anchored checkpoint whose range holds that side block",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				id, h, err := args(QueryCovering, p, true, false)
				if err != nil {
					return nil, err
				}
				a, err := m.Covering(q.Store, id, h)
				if err != nil {
					return nil, notFound(err)
				}
				return NewView(a), nil
			}},
		{Method: QueryChain, Doc: "(chain id) ChainView: a registered side chain, its current validator set and last checkpoint",
			Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
				id, _, err := args(QueryChain, p, false, false)
				if err != nil {
					return nil, err
				}
				return m.chainView(q.Store, id)
			}},
	}
}

func (m Module) chainView(st state.Store, id string) (ChainView, error) {
	c, err := m.Chain(st, id)
	if err != nil {
		return ChainView{}, notFound(err)
	}
	vs, err := m.ValidatorSet(st, c.ValidatorsHash)
	if err != nil {
		return ChainView{}, err
	}
	return ChainView{ChainID: c.ID, ValidatorsHash: c.ValidatorsHash, Validators: vs.Validators, FirstHeight: c.FirstHeight,
		LastNumber: c.LastNumber, LastEnd: c.LastEnd, Halted: c.Halted}, nil
}

var flagChain = core.Flag{Name: "chain", Usage: "side chain ID (main holds several)"}

func chainFlag(in core.CommandInput) (string, error) {
	id := in.Flags["chain"]
	if err := CheckChainID(id); err != nil {
		return "", fmt.Errorf("--chain: %w", err)
	}
	return id, nil
}

func numArg(s, what string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("%s: %q is not a positive integer", what, s)
	}
	return n, nil
}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "latest", Short: "Show a side chain's latest anchored checkpoint", Flags: []core.Flag{flagChain},
			Query: func(in core.CommandInput) (string, []any, error) {
				id, err := chainFlag(in)
				if err != nil {
					return "", nil, err
				}
				return QueryCheckpoint, []any{id, "latest"}, nil
			}},
		{Use: "show N", Short: "Show a side chain's anchored checkpoint number N", Args: 1, Flags: []core.Flag{flagChain},
			Query: func(in core.CommandInput) (string, []any, error) {
				id, err := chainFlag(in)
				if err != nil {
					return "", nil, err
				}
				n, err := numArg(in.Args[0], "N")
				if err != nil {
					return "", nil, err
				}
				return QueryCheckpoint, []any{id, n}, nil
			}},
		{Use: "covering HEIGHT", Short: "Show the anchored checkpoint covering a side-chain height", Args: 1, Flags: []core.Flag{flagChain},
			Query: func(in core.CommandInput) (string, []any, error) {
				id, err := chainFlag(in)
				if err != nil {
					return "", nil, err
				}
				h, err := numArg(in.Args[0], "HEIGHT")
				if err != nil {
					return "", nil, err
				}
				return QueryCovering, []any{id, h}, nil
			}},
		{Use: "chain ID", Short: "Show a registered side chain: its validator set and last checkpoint", Args: 1,
			Query: func(in core.CommandInput) (string, []any, error) {
				if err := CheckChainID(in.Args[0]); err != nil {
					return "", nil, fmt.Errorf("ID: %w", err)
				}
				return QueryChain, []any{in.Args[0]}, nil
			}},
	}
}
