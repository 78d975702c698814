package coretest

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Coster            = Module{}
	_ core.BeginBlocker      = Module{}
	_ core.ParamDeclarer     = Module{}
	_ core.ParamReporter     = Module{}
	_ core.InvariantRegistry = Module{}
	_ core.ErrorCoder        = Module{}
	_ core.Querier           = Module{}
	_ core.Commander         = Module{}
	_ core.EventDeclarer     = Module{}
)

// Cost implements core.Coster.
func (Module) Cost(tx *types.Tx) (uint64, error) { return Cost(tx) }

// ParamSpecs implements core.ParamDeclarer.
func (Module) ParamSpecs() []core.ParamSpec {
	return []core.ParamSpec{{Module: ModuleName, Key: ParamMaxAdd, Validate: func(v []byte) error {
		n, err := strconv.ParseUint(string(v), 10, 64)
		if err != nil || strconv.FormatUint(n, 10) != string(v) || n < 1 || n > 1000 {
			return fmt.Errorf("%w: %s wants 1 to 1000, got %q", ErrTooMuch, ParamMaxAdd, v)
		}
		return nil
	}}}
}

// ParamValues implements core.ParamReporter.
func (m Module) ParamValues(st state.Store) map[string]string {
	return map[string]string{ParamMaxAdd: core.U64(m.MaxAdd(st))}
}

// Invariants implements core.InvariantRegistry: every ping adds at least
// one, so the counter is never below the number of pings.
func (Module) Invariants() []core.Invariant {
	return []core.Invariant{{Name: "counter", Check: func(st state.Store) (string, bool) {
		c, p := Counter(st), Pings(st)
		return fmt.Sprintf("counter %d below pings %d", c, p), c < p
	}}}
}

// ErrorCodes implements core.ErrorCoder.
func (Module) ErrorCodes() []core.ErrorCode {
	return []core.ErrorCode{{Code: 2, Err: ErrZero}, {Code: 3, Err: ErrTooMuch}}
}

// Events implements core.EventDeclarer.
func (Module) Events() []core.Event { return []core.Event{EventPinged{}} }

// CounterView is the result of accord_coretestCounter.
type CounterView struct {
	Counter uint64 `json:"counter"`
	Pings   uint64 `json:"pings"`
	Ticks   uint64 `json:"ticks"`
	Height  uint64 `json:"height"`
}

// QueryMethod is the module's API method.
const QueryMethod = "accord_coretestCounter"

// Queries implements core.Querier.
func (Module) Queries() []core.Query {
	return []core.Query{{Method: QueryMethod, Doc: "() CounterView", Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
		var args []json.RawMessage
		if len(p) > 0 && string(p) != "null" {
			if err := json.Unmarshal(p, &args); err != nil || len(args) > 0 {
				return nil, fmt.Errorf("%w: takes no params", core.ErrInvalidQuery)
			}
		}
		return CounterView{Counter: Counter(q.Store), Pings: Pings(q.Store), Ticks: Ticks(q.Store), Height: q.Height}, nil
	}}}
}

// Commands implements core.Commander: `tx coretest ping ADD` and
// `query coretest counter`.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "ping ADD", Short: "Add ADD to the counter", Args: 1, Msg: func(in core.CommandInput) (core.Msg, error) {
			n, err := strconv.ParseUint(in.Args[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("ADD: %w", err)
			}
			return &MsgPing{Add: n}, nil
		}},
		{Use: "counter", Short: "Show the counter", Query: func(core.CommandInput) (string, []any, error) {
			return QueryMethod, nil, nil
		}},
	}
}
