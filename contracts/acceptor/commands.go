package acceptor

// The module's CLI commands (core.Commander): `tx acceptor register|update|
// deposit|withdraw|deposit-margin|withdraw-margin|pause|resume` and
// `query acceptor ADDR`, `query acceptors`.

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/cmdkit"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander      = Module{}
	_ core.CommandGrouper = Module{}
)

// CommandGroup implements core.CommandGrouper.
func (Module) CommandGroup() string {
	return "Acceptor transactions: register, update, float and margin, pause and resume"
}

// ParseMethods parses --method CUR:KIND:DETAILS values, DETAILS being a
// 0x 32-byte hash of the salted account details or @FILE (hashed), and
// derives the sorted currency list.
func ParseMethods(in core.CommandInput, specs []string) ([]string, []PaymentMethod, error) {
	if len(specs) == 0 {
		return nil, nil, errors.New("--method is required (CUR:KIND:0xHASH or CUR:KIND:@FILE)")
	}
	seen := map[string]bool{}
	var curs []string
	var ms []PaymentMethod
	for _, s := range specs {
		parts := strings.SplitN(s, ":", 3)
		if len(parts) != 3 {
			return nil, nil, fmt.Errorf("--method %q: want CUR:KIND:0xHASH or CUR:KIND:@FILE", s)
		}
		cur, kind, det := strings.ToUpper(parts[0]), parts[1], parts[2]
		var h types.Hash
		var err error
		if f, ok := strings.CutPrefix(det, "@"); ok {
			h, err = cmdkit.HashFileOrHex(in, "", "", "method file", f)
		} else {
			h, err = types.ParseHash(det)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("--method %q: %w", s, err)
		}
		ms = append(ms, PaymentMethod{Currency: cur, Kind: kind, DetailsHash: h})
		if !seen[cur] {
			seen[cur] = true
			curs = append(curs, cur)
		}
	}
	sort.Strings(curs)
	return curs, ms, nil
}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	profile := func(use, short string, register bool) core.Command {
		return core.Command{Use: use, Short: short,
			Flags: []core.Flag{
				{Name: "method", Kind: core.FlagStrings, Usage: "payment method CUR:KIND:0xHASH or CUR:KIND:@FILE (Keccak-256 of the file holding the salted account details), repeatable; the currencies are those of the methods"},
				{Name: "min-order", Usage: "smallest order to take, USDT"},
				{Name: "max-order", Usage: "largest order to take, USDT (default: only the chain's limits)"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				curs, ms, err := ParseMethods(in, in.Lists["method"])
				if err != nil {
					return nil, err
				}
				var lo, hi uint64
				if s := in.Flags["min-order"]; s != "" {
					if lo, err = types.ParseUSDT(s); err != nil {
						return nil, fmt.Errorf("--min-order: %w", err)
					}
				}
				if s := in.Flags["max-order"]; s != "" {
					if hi, err = types.ParseUSDT(s); err != nil {
						return nil, fmt.Errorf("--max-order: %w", err)
					}
				}
				var msg Msg = &MsgUpdate{Currencies: curs, Methods: ms, MinOrder: lo, MaxOrder: hi}
				if register {
					msg = &MsgRegister{Currencies: curs, Methods: ms, MinOrder: lo, MaxOrder: hi}
				}
				if err := msg.ValidateBasic(); err != nil {
					return nil, err
				}
				return msg, nil
			}}
	}
	amount := func(use, short string, mk func(uint64) Msg) core.Command {
		return core.Command{Use: use, Short: short,
			Flags: []core.Flag{{Name: "amount", Required: true, Usage: "amount in USDT (required)"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				a, err := cmdkit.USDT("amount", in.Flags["amount"])
				if err != nil {
					return nil, err
				}
				return mk(a), nil
			}}
	}
	bare := func(use, short string, m Msg) core.Command {
		return core.Command{Use: use, Short: short, Msg: func(core.CommandInput) (core.Msg, error) { return m, nil }}
	}
	return []core.Command{
		profile("register", "Register --from as an acceptor (needs a valid KYC attestation)", true),
		profile("update", "Replace the acceptor's currencies, payment methods and order bounds", false),
		amount("deposit", "Move USDT from the balance into free float", func(a uint64) Msg { return &MsgDepositFloat{Amount: a} }),
		amount("withdraw", "Move free float back to the balance", func(a uint64) Msg { return &MsgWithdrawFloat{Amount: a} }),
		amount("deposit-margin", "Move USDT from the balance into margin", func(a uint64) Msg { return &MsgDepositMargin{Amount: a} }),
		amount("withdraw-margin", "Move margin back to the balance (down to what the trailing-24h volume requires)", func(a uint64) Msg { return &MsgWithdrawMargin{Amount: a} }),
		bare("pause", "Take no new orders (open orders continue)", &MsgPause{}),
		bare("resume", "Take orders again", &MsgResume{}),

		{Use: "acceptor ADDR", Args: 1, Top: true, Short: "An acceptor's funds, limits, reputation and payment methods",
			Query: func(in core.CommandInput) (string, []any, error) {
				a, err := types.ParseAddress(in.Args[0])
				if err != nil {
					return "", nil, err
				}
				return QueryAcceptor, []any{a.Hex()}, nil
			},
			Print: cmdkit.Print(func(w io.Writer, _ core.CommandInput, v *View) { printView(w, v) })},
		{Use: "acceptors", Top: true, Short: "List acceptors in address order",
			Flags: []core.Flag{{Name: "after", Usage: "list acceptors with addresses above this one"},
				{Name: "limit", Kind: core.FlagInt, Default: "0", Usage: "at most this many (default 100, max 1000)"}},
			Query: func(in core.CommandInput) (string, []any, error) {
				after := ""
				if s := in.Flags["after"]; s != "" {
					a, err := types.ParseAddress(s)
					if err != nil {
						return "", nil, fmt.Errorf("--after: %w", err)
					}
					after = a.Hex()
				}
				limit, err := strconv.Atoi(in.Flags["limit"])
				if err != nil {
					return "", nil, fmt.Errorf("--limit: %w", err)
				}
				return QueryAcceptors, []any{after, limit}, nil
			},
			Print: cmdkit.Print(func(w io.Writer, _ core.CommandInput, v *ListView) {
				t := cmdkit.Table(w)
				fmt.Fprintln(t, "ADDRESS\tSTATUS\tCURRENCIES\tFLOAT\tLOCKED\tMARGIN\tREP")
				for _, a := range v.Acceptors {
					fmt.Fprintf(t, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", a.Address, a.Status, strings.Join(a.Currencies, ","),
						a.Float, a.Locked, a.Margin, a.Reputation)
				}
				t.Flush()
				if v.Next != "" {
					fmt.Fprintf(w, "more: --after %s\n", v.Next)
				}
			})},
	}
}

func printView(w io.Writer, a *View) {
	var ms []string
	for _, m := range a.Methods {
		ms = append(ms, m.Currency+":"+m.Kind+":"+m.DetailsHash)
	}
	s := a.Stats
	cmdkit.KV(w, "acceptor", a.Address, "status", a.Status, "kyc valid", strconv.FormatBool(a.KYCValid),
		"registered", fmt.Sprintf("%s (block %d)", cmdkit.Time(a.RegisteredAtMs), a.RegisteredHeight),
		"currencies", strings.Join(a.Currencies, ","), "methods", strings.Join(ms, " "),
		"bounds", OrderBounds(a),
		"float", a.Float+" USDT free, "+a.Locked+" USDT in escrow",
		"margin", a.Margin+" USDT (required now "+a.Limits.MarginRequired+")",
		"reputation", strconv.FormatUint(a.Reputation, 10),
		"limits", fmt.Sprintf("order %s USDT, daily %s USDT, used %s USDT (24h)", a.Limits.Order, a.Limits.Daily, a.Limits.Volume24h),
		"stats", fmt.Sprintf("completed %d (credited %d, %d counterparties), expired %d, disputes won %d lost %d open %d",
			s.Completed, s.Credited, s.Counterparties, s.Expired, s.DisputesWon, s.DisputesLost, s.OpenDisputes))
}

// OrderBounds describes the order sizes an acceptor set for itself; zero
// means it set no bound there and only the chain's limits apply.
func OrderBounds(a *View) string {
	bound := func(micro uint64, s string) string {
		if micro == 0 {
			return "no bound"
		}
		return s + " USDT"
	}
	if a.MinOrderMicro == 0 && a.MaxOrderMicro == 0 {
		return "no bound (only the chain's limits apply)"
	}
	return "min " + bound(a.MinOrderMicro, a.MinOrder) + ", max " + bound(a.MaxOrderMicro, a.MaxOrder)
}
