package pay

// The module's CLI commands and API queries (core.Commander, core.Querier):
// `tx pay lock|attest|refund|dispute` and `query pay show ID` /
// accord_getPayment.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander = Module{}
	_ core.Querier   = Module{}
)

// QueryMethod is the API method that reads one payment.
const QueryMethod = "accord_getPayment"

// View is a payment as accord_getPayment reports it.
type View struct {
	ID        types.Hash    `json:"id"`
	Seq       uint64        `json:"seq"`
	Payer     types.Address `json:"payer"`
	Payee     types.Address `json:"payee"`
	Attester  types.Address `json:"attester"`
	Amount    uint64        `json:"amount"` // micro-USDT
	Deadline  uint64        `json:"deadline_ms"`
	State     string        `json:"state"`
	CreatedAt uint64        `json:"created_at_ms"`
	ClosedAt  uint64        `json:"closed_at_ms,omitempty"`
	Outcome   string        `json:"outcome,omitempty"`
	ToPayee   uint64        `json:"to_payee,omitempty"`
	ToPayer   uint64        `json:"to_payer,omitempty"`
}

// NewView is p's API view.
func NewView(p *Payment) View {
	v := View{ID: p.ID, Seq: p.Seq, Payer: p.Payer, Payee: p.Payee, Attester: p.Attester, Amount: p.Amount,
		Deadline: p.Deadline, State: p.State.String(), CreatedAt: p.CreatedAt, ClosedAt: p.ClosedAt,
		ToPayee: p.ToPayee, ToPayer: p.ToPayer}
	if p.Outcome.Valid() {
		v.Outcome = p.Outcome.String()
	}
	return v
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{{Method: QueryMethod, Doc: "(id) View: one payment", Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
		id, err := core.HashParam(QueryMethod, p)
		if err != nil {
			return nil, err
		}
		pm, err := m.GetPayment(q.Store, id)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", core.ErrNotFound, err)
		}
		if err != nil {
			return nil, err
		}
		return NewView(pm), nil
	}}}
}

func flagHash(in core.CommandInput, name string) (types.Hash, error) {
	h, err := types.ParseHash(in.Flags[name])
	if err != nil {
		return types.Hash{}, fmt.Errorf("--%s: %w", name, err)
	}
	return h, nil
}

func flagAddr(in core.CommandInput, name string) (types.Address, error) {
	a, err := types.ParseAddress(in.Flags[name])
	if err != nil {
		return types.Address{}, fmt.Errorf("--%s: %w", name, err)
	}
	return a, nil
}

var flagID = core.Flag{Name: "payment", Usage: "payment ID (0x hash)"}

// Commands implements core.Commander. Amounts are USDT decimals ("1.5").
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "lock", Short: "Lock --amount for --payee until an --attester's outcome or --deadline",
			Flags: []core.Flag{{Name: "payee", Usage: "payee address"}, {Name: "attester", Usage: "attester address"},
				{Name: "amount", Usage: "USDT to lock"}, {Name: "deadline", Usage: "deadline, block time in unix ms"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				payee, err := flagAddr(in, "payee")
				if err != nil {
					return nil, err
				}
				att, err := flagAddr(in, "attester")
				if err != nil {
					return nil, err
				}
				amt, err := types.ParseUSDT(in.Flags["amount"])
				if err != nil {
					return nil, fmt.Errorf("--amount: %w", err)
				}
				dl, err := strconv.ParseUint(in.Flags["deadline"], 10, 64)
				if err != nil {
					return nil, fmt.Errorf("--deadline (unix ms): %w", err)
				}
				return &MsgLock{Payee: payee, Attester: att, Amount: amt, Deadline: dl}, nil
			}},
		{Use: "attest ATTESTATION", Short: "Submit an attester's signed outcome (0x hex)", Args: 1,
			Msg: func(in core.CommandInput) (core.Msg, error) {
				a, err := ParseAttestation(in.Args[0])
				if err != nil {
					return nil, fmt.Errorf("ATTESTATION: %w", err)
				}
				return &MsgAttest{Attestation: *a}, nil
			}},
		{Use: "refund", Short: "Reclaim a payment nobody attested before its deadline", Flags: []core.Flag{flagID},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := flagHash(in, "payment")
				if err != nil {
					return nil, err
				}
				return &MsgRefund{ID: id}, nil
			}},
		{Use: "dispute", Short: "Take a locked payment to arbitration",
			Flags: []core.Flag{flagID, {Name: "evidence", Usage: "optional 0x hash of an off-chain statement"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := flagHash(in, "payment")
				if err != nil {
					return nil, err
				}
				var ev types.Hash
				if in.Flags["evidence"] != "" {
					if ev, err = flagHash(in, "evidence"); err != nil {
						return nil, err
					}
				}
				return &MsgDispute{ID: id, Evidence: ev}, nil
			}},
		{Use: "show ID", Short: "Show one payment", Args: 1, Query: func(in core.CommandInput) (string, []any, error) {
			if _, err := types.ParseHash(in.Args[0]); err != nil {
				return "", nil, fmt.Errorf("ID: %w", err)
			}
			return QueryMethod, []any{in.Args[0]}, nil
		}},
	}
}
