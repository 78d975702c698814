package risk

// The module's CLI commands and API queries (core.Commander, core.Querier):
// `tx risk unfreeze` and `query risk account ADDRESS` /
// accord_getRiskAccount (frozen status and risk events).

import (
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander = Module{}
	_ core.Querier   = Module{}
)

// QueryMethod is the API method that reads one account's risk record.
const QueryMethod = "accord_getRiskAccount"

// MaxQueryEvents bounds the events one accord_getRiskAccount returns (the
// oldest first; the store keeps at most max_events_per_account anyway).
const MaxQueryEvents = 100

// AccountView is an account's risk record as accord_getRiskAccount
// reports it.
type AccountView struct {
	Account types.Address `json:"account"`
	Frozen  bool          `json:"frozen"`
	Freeze  *Freeze       `json:"freeze,omitempty"` // the rule and event that froze it
	Events  []Event       `json:"events"`
}

// FrozenMethod lists frozen accounts with their freezes.
const FrozenMethod = "accord_getFrozenAccounts"

// FrozenView is one frozen account and the freeze that holds it.
type FrozenView struct {
	Account types.Address `json:"account"`
	Freeze  Freeze        `json:"freeze"`
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{{Method: FrozenMethod, Doc: "([limit]) []FrozenView: frozen accounts in address order (limit default 100, at most 1000)", Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
		var n int
		if err := core.DecodeParams(FrozenMethod, p, 0, &n); err != nil {
			return nil, err
		}
		n, err := core.ListLimit(n)
		if err != nil {
			return nil, err
		}
		out := []FrozenView{}
		for _, a := range m.FrozenAccounts(q.Store, n) {
			f, _ := m.FreezeOf(q.Store, a)
			out = append(out, FrozenView{Account: a, Freeze: f})
		}
		return out, nil
	}}, {Method: QueryMethod, Doc: "(address) AccountView: frozen status and risk events", Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
		a, err := core.AddressParam(QueryMethod, p)
		if err != nil {
			return nil, err
		}
		v := AccountView{Account: a, Frozen: m.IsFrozen(q.Store, a), Events: []Event{}}
		if f, ok := m.FreezeOf(q.Store, a); ok {
			v.Freeze = &f
		}
		evs, err := m.Keeper.Events(q.Store, a, 0, MaxQueryEvents)
		if err != nil {
			return nil, err
		}
		if evs != nil {
			v.Events = evs
		}
		return v, nil
	}}}
}

// CommandAliases implements core.CommandAliaser: compliance officers act on risk freezes: `tx compliance unfreeze`.
func (Module) CommandAliases() []string { return []string{"compliance"} }

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "unfreeze", Short: "Lift a risk freeze (compliance officer), citing a case note's hash",
			Flags: []core.Flag{{Name: "account", Usage: "frozen account"}, {Name: "reason", Usage: "0x hash of the case note"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				a, err := types.ParseAddress(in.Flags["account"])
				if err != nil {
					return nil, fmt.Errorf("--account: %w", err)
				}
				r, err := types.ParseHash(in.Flags["reason"])
				if err != nil {
					return nil, fmt.Errorf("--reason: %w", err)
				}
				return &MsgUnfreeze{Account: a, Reason: r}, nil
			}},
		{Use: "account ADDRESS", Short: "Show an account's frozen status and risk events", Args: 1, Query: func(in core.CommandInput) (string, []any, error) {
			if _, err := types.ParseAddress(in.Args[0]); err != nil {
				return "", nil, fmt.Errorf("ADDRESS: %w", err)
			}
			return QueryMethod, []any{in.Args[0]}, nil
		}},
		{Use: "frozen", Short: "List frozen accounts and the rule that froze each (the first 100)", Query: func(core.CommandInput) (string, []any, error) {
			return FrozenMethod, nil, nil
		}},
	}
}
