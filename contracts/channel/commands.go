package channel

// The module's CLI commands and API queries (core.Commander, core.Querier):
// `tx channel open|topup|extend|redeem|close|settle` and
// `query channel ID` / accord_getChannel.

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

// QueryMethod is the API method that reads one channel.
const QueryMethod = "accord_getChannel"

// View is a channel as accord_getChannel reports it.
type View struct {
	ID          types.Hash    `json:"id"`
	Seq         uint64        `json:"seq"`
	Payer       types.Address `json:"payer"`
	Payee       types.Address `json:"payee"`
	State       string        `json:"state"`
	Deposit     uint64        `json:"deposit"` // micro-USDT
	Redeemed    uint64        `json:"redeemed"`
	Remaining   uint64        `json:"remaining"`
	Nonce       uint64        `json:"nonce"`        // of the last redeemed voucher
	Expiry      uint64        `json:"expiry_ms"`    // block time
	ChallengeMs uint64        `json:"challenge_ms"` // fixed at open
	RedeemUntil uint64        `json:"redeem_until_ms"`
	ClosesAt    uint64        `json:"closes_at_ms,omitempty"`
	OpenedAt    uint64        `json:"opened_at_ms"`
	SettledAt   uint64        `json:"settled_at_ms,omitempty"`
	Refunded    uint64        `json:"refunded,omitempty"`
}

// NewView is c's API view.
func NewView(c *Channel) View {
	return View{ID: c.ID, Seq: c.Seq, Payer: c.Payer, Payee: c.Payee, State: c.State.String(), Deposit: c.Deposit,
		Redeemed: c.Redeemed, Remaining: c.Remaining(), Nonce: c.Nonce, Expiry: c.Expiry, ChallengeMs: c.Challenge,
		RedeemUntil: c.RedeemUntil(), ClosesAt: c.ClosesAt, OpenedAt: c.OpenedAt, SettledAt: c.SettledAt, Refunded: c.Refunded}
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{{Method: QueryMethod, Doc: "(id) View: one channel", Handle: func(q core.QueryState, p json.RawMessage) (any, error) {
		id, err := core.HashParam(QueryMethod, p)
		if err != nil {
			return nil, err
		}
		c, err := m.GetChannel(q.Store, id)
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("%w: %w", core.ErrNotFound, err)
		}
		if err != nil {
			return nil, err
		}
		return NewView(c), nil
	}}}
}

func flagHash(in core.CommandInput, name string) (types.Hash, error) {
	h, err := types.ParseHash(in.Flags[name])
	if err != nil {
		return types.Hash{}, fmt.Errorf("--%s: %w", name, err)
	}
	return h, nil
}

func flagUSDT(in core.CommandInput, name string) (uint64, error) {
	v, err := types.ParseUSDT(in.Flags[name])
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	return v, nil
}

func flagMs(in core.CommandInput, name string) (uint64, error) {
	v, err := strconv.ParseUint(in.Flags[name], 10, 64)
	if err != nil {
		return 0, fmt.Errorf("--%s (unix ms): %w", name, err)
	}
	return v, nil
}

var (
	flagID     = core.Flag{Name: "channel", Usage: "channel ID (0x hash)"}
	flagExpiry = core.Flag{Name: "expiry", Usage: "expiry, block time in unix ms"}
)

// Commands implements core.Commander. Amounts are USDT decimals ("1.5").
func (Module) Commands() []core.Command {
	byID := func(mk func(types.Hash) core.Msg) func(core.CommandInput) (core.Msg, error) {
		return func(in core.CommandInput) (core.Msg, error) {
			id, err := flagHash(in, "channel")
			if err != nil {
				return nil, err
			}
			return mk(id), nil
		}
	}
	return []core.Command{
		{Use: "open", Short: "Open a channel to --payee with --deposit in escrow until --expiry",
			Flags: []core.Flag{{Name: "payee", Usage: "payee address"}, {Name: "deposit", Usage: "USDT to escrow"}, flagExpiry},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				payee, err := types.ParseAddress(in.Flags["payee"])
				if err != nil {
					return nil, fmt.Errorf("--payee: %w", err)
				}
				dep, err := flagUSDT(in, "deposit")
				if err != nil {
					return nil, err
				}
				exp, err := flagMs(in, "expiry")
				if err != nil {
					return nil, err
				}
				return &MsgOpen{Payee: payee, Deposit: dep, Expiry: exp}, nil
			}},
		{Use: "topup", Short: "Add --amount to an open channel's deposit",
			Flags: []core.Flag{flagID, {Name: "amount", Usage: "USDT to add"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := flagHash(in, "channel")
				if err != nil {
					return nil, err
				}
				amt, err := flagUSDT(in, "amount")
				if err != nil {
					return nil, err
				}
				return &MsgTopUp{ID: id, Amount: amt}, nil
			}},
		{Use: "extend", Short: "Move an open channel's expiry later",
			Flags: []core.Flag{flagID, flagExpiry},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := flagHash(in, "channel")
				if err != nil {
					return nil, err
				}
				exp, err := flagMs(in, "expiry")
				if err != nil {
					return nil, err
				}
				return &MsgExtend{ID: id, Expiry: exp}, nil
			}},
		{Use: "redeem VOUCHER", Short: "Redeem a payer's signed voucher (0x hex, as `channel voucher` prints it)", Args: 1,
			Msg: func(in core.CommandInput) (core.Msg, error) {
				v, err := ParseVoucher(in.Args[0])
				if err != nil {
					return nil, fmt.Errorf("VOUCHER: %w", err)
				}
				return &MsgRedeem{Voucher: *v}, nil
			}},
		{Use: "close", Short: "Start a channel's challenge period", Flags: []core.Flag{flagID},
			Msg: byID(func(id types.Hash) core.Msg { return &MsgClose{ID: id} })},
		{Use: "settle", Short: "Settle a channel: return the unredeemed deposit to the payer", Flags: []core.Flag{flagID},
			Msg: byID(func(id types.Hash) core.Msg { return &MsgSettle{ID: id} })},
		{Use: "show ID", Short: "Show one channel", Args: 1, Query: func(in core.CommandInput) (string, []any, error) {
			if _, err := types.ParseHash(in.Args[0]); err != nil {
				return "", nil, fmt.Errorf("ID: %w", err)
			}
			return QueryMethod, []any{in.Args[0]}, nil
		}},
	}
}
