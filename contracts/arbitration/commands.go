package arbitration

// The module's CLI commands and API queries (core.Commander, core.Querier):
// `tx arbitration open|evidence|vote`, `query arbitration show ID` /
// accord_getDispute (panel, votes, deadlines), `query arbitration
// open|escalated` and `query arbitration arbitrator ADDRESS`.

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander = Module{}
	_ core.Querier   = Module{}
)

// QueryMethod is the API method that reads one dispute.
const QueryMethod = "accord_getDispute"

// View is a dispute as accord_getDispute reports it: panel, votes,
// evidence and deadlines (block time, ms).
type View struct {
	ID            types.Hash      `json:"id"`
	Kind          string          `json:"kind"`
	Subject       types.Hash      `json:"subject"`
	PartyA        types.Address   `json:"party_a"` // merchant / payee
	PartyB        types.Address   `json:"party_b"` // acceptor / payer
	Escrow        uint64          `json:"escrow"`
	Phase         string          `json:"phase"`
	OpenedAt      uint64          `json:"opened_at_ms"`
	EvidenceUntil uint64          `json:"evidence_until_ms"`
	Round         uint64          `json:"round"`
	RoundStart    uint64          `json:"round_start_ms"`
	Deadline      uint64          `json:"deadline_ms,omitempty"` // current round's; 0 when not voting
	Panel         []types.Address `json:"panel"`
	Threshold     uint64          `json:"threshold"`
	Votes         []Vote          `json:"votes"`
	Evidence      []Evidence      `json:"evidence"`
	Decision      *Decision       `json:"decision,omitempty"`
	ResolvedAt    uint64          `json:"resolved_at_ms,omitempty"`
	EscalatedAt   uint64          `json:"escalated_at_ms,omitempty"`
	Escalate      string          `json:"escalate_reason,omitempty"`
}

// NewView is d's API view.
func NewView(d *Dispute) View {
	v := View{ID: d.ID, Kind: d.Kind.String(), Subject: d.Subject, PartyA: d.PartyA, PartyB: d.PartyB, Escrow: d.Escrow,
		Phase: d.Phase.String(), OpenedAt: d.OpenedAt, EvidenceUntil: d.EvidenceUntil, Round: d.Round, RoundStart: d.RoundStart,
		Deadline: d.Deadline, Panel: d.Panel, Threshold: d.Threshold, Votes: d.Votes, Evidence: d.Evidence,
		ResolvedAt: d.ResolvedAt, EscalatedAt: d.EscalatedAt, Escalate: d.EscalateReason}
	if d.Phase == PhaseResolved {
		dec := d.Decision
		v.Decision = &dec
	}
	return v
}

// List and stats queries.
const (
	OpenMethod       = "accord_getOpenDisputes"      // ([limit]) []View: unresolved disputes in ID order
	EscalatedMethod  = "accord_getEscalatedDisputes" // ([limit]) []View: disputes waiting for governance
	ArbitratorMethod = "accord_getArbitrator"        // (address) ArbitratorView
)

// ArbitratorView is an arbitrator's record: how often its votes agreed
// with the final decision, and how fast it voted (block time).
type ArbitratorView struct {
	Address        types.Address `json:"address"`
	Votes          uint64        `json:"votes"`
	Decided        uint64        `json:"decided"` // votes in disputes since resolved
	Agreed         uint64        `json:"agreed"`  // of those, agreeing with the decision
	AccuracyBps    uint64        `json:"accuracy_bps"`
	MeanResponseMs uint64        `json:"mean_response_ms"`
}

func views(ds []*Dispute) []View {
	out := make([]View, 0, len(ds))
	for _, d := range ds {
		out = append(out, NewView(d))
	}
	return out
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	list := func(method string, from func(k Keeper, q core.QueryState, limit int) ([]*Dispute, error)) func(core.QueryState, json.RawMessage) (any, error) {
		return func(q core.QueryState, p json.RawMessage) (any, error) {
			var n int
			if err := core.DecodeParams(method, p, 0, &n); err != nil {
				return nil, err
			}
			n, err := core.ListLimit(n)
			if err != nil {
				return nil, err
			}
			ds, err := from(m.Keeper, q, n)
			if err != nil {
				return nil, err
			}
			return views(ds), nil
		}
	}
	return []core.Query{{Method: OpenMethod, Doc: "([limit]) []View: unresolved disputes in ID order (limit default 100, at most 1000)",
		Handle: list(OpenMethod, func(k Keeper, q core.QueryState, n int) ([]*Dispute, error) { return k.OpenDisputes(q.Store, n) })},
		{Method: EscalatedMethod, Doc: "([limit]) []View: disputes escalated to governance, in ID order (limit default 100, at most 1000)",
			Handle: list(EscalatedMethod, func(k Keeper, q core.QueryState, n int) ([]*Dispute, error) { return k.Escalated(q.Store, n) })},
		{Method: ArbitratorMethod, Doc: "(address) ArbitratorView: an arbitrator's accuracy and response time", Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
			a, err := core.AddressParam(ArbitratorMethod, p)
			if err != nil {
				return nil, err
			}
			s := m.ArbitratorStats(q.Store, a)
			return ArbitratorView{Address: a, Votes: s.Votes, Decided: s.Decided, Agreed: s.Agreed,
				AccuracyBps: s.AccuracyBps(), MeanResponseMs: s.MeanResponseMs()}, nil
		}},
		{Method: QueryMethod, Doc: "(id) View: one dispute with its panel, votes and deadlines", Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
			id, err := core.HashParam(QueryMethod, p)
			if err != nil {
				return nil, err
			}
			d, err := m.GetDispute(q.Store, id)
			if errors.Is(err, ErrNotFound) {
				return nil, fmt.Errorf("%w: %w", core.ErrNotFound, err)
			}
			if err != nil {
				return nil, err
			}
			return NewView(d), nil
		}}}
}

func flagHash(in core.CommandInput, name string) (types.Hash, error) {
	h, err := types.ParseHash(in.Flags[name])
	if err != nil {
		return types.Hash{}, fmt.Errorf("--%s: %w", name, err)
	}
	return h, nil
}

var flagID = core.Flag{Name: "dispute", Usage: "dispute ID (0x hash)"}

// CommandAliases implements core.CommandAliaser: disputes are what arbitration decides: `tx dispute open|evidence|vote`.
func (Module) CommandAliases() []string { return []string{"dispute"} }

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "open", Short: "Open a dispute over an order or a payment",
			Flags: []core.Flag{{Name: "kind", Default: "order", Usage: "order or payment"}, {Name: "subject", Usage: "order or payment ID"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				var k Kind
				switch in.Flags["kind"] {
				case "order":
					k = KindOrder
				case "payment":
					k = KindPayment
				default:
					return nil, fmt.Errorf("--kind: %q is not order or payment", in.Flags["kind"])
				}
				s, err := flagHash(in, "subject")
				if err != nil {
					return nil, err
				}
				return &MsgOpen{Kind: k, Subject: s}, nil
			}},
		{Use: "evidence", Short: "Add a party's evidence (the hash of an off-chain statement)",
			Flags: []core.Flag{flagID, {Name: "hash", Usage: "0x hash of the statement"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := flagHash(in, "dispute")
				if err != nil {
					return nil, err
				}
				h, err := flagHash(in, "hash")
				if err != nil {
					return nil, err
				}
				return &MsgEvidence{ID: id, Hash: h}, nil
			}},
		{Use: "vote", Short: "Vote as a member of the current panel",
			Flags: []core.Flag{flagID, {Name: "winner", Usage: "a (merchant/payee) or b (acceptor/payer)"},
				{Name: "reason", Usage: "no_payment, payment_not_confirmed, third_party_payer, protocol_violation, no_reply, bank_problem, other"},
				{Name: "to-a", Default: "0", Usage: "USDT of the escrow to side A"}, {Name: "to-b", Default: "0", Usage: "USDT of the escrow to side B"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := flagHash(in, "dispute")
				if err != nil {
					return nil, err
				}
				var w Side
				switch in.Flags["winner"] {
				case "a":
					w = SideA
				case "b":
					w = SideB
				default:
					return nil, fmt.Errorf("--winner: %q is not a or b", in.Flags["winner"])
				}
				r, err := ParseReason(in.Flags["reason"])
				if err != nil {
					return nil, fmt.Errorf("--reason: %w", err)
				}
				toA, err := types.ParseUSDT(in.Flags["to-a"])
				if err != nil {
					return nil, fmt.Errorf("--to-a: %w", err)
				}
				toB, err := types.ParseUSDT(in.Flags["to-b"])
				if err != nil {
					return nil, fmt.Errorf("--to-b: %w", err)
				}
				return &MsgVote{ID: id, Winner: w, Reason: r, ToA: toA, ToB: toB}, nil
			}},
		{Use: "show ID", Short: "Show one dispute: panel, votes, deadlines", Args: 1, Query: func(in core.CommandInput) (string, []any, error) {
			if _, err := types.ParseHash(in.Args[0]); err != nil {
				return "", nil, fmt.Errorf("ID: %w", err)
			}
			return QueryMethod, []any{in.Args[0]}, nil
		}},
		{Use: "open", Short: "List unresolved disputes (the first 100)", Query: func(core.CommandInput) (string, []any, error) {
			return OpenMethod, nil, nil
		}},
		{Use: "escalated", Short: "List disputes escalated to governance (the first 100)", Query: func(core.CommandInput) (string, []any, error) {
			return EscalatedMethod, nil, nil
		}},
		{Use: "arbitrator ADDRESS", Short: "Show an arbitrator's accuracy and response time", Args: 1, Query: func(in core.CommandInput) (string, []any, error) {
			if _, err := types.ParseAddress(in.Args[0]); err != nil {
				return "", nil, fmt.Errorf("ADDRESS: %w", err)
			}
			return ArbitratorMethod, []any{in.Args[0]}, nil
		}},
	}
}
