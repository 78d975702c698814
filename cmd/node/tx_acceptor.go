package main

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

// parseMethods parses --method CUR:KIND:DETAILS values, DETAILS being a
// 0x 32-byte hash of the salted account details or @FILE (hashed), and
// derives the sorted currency list.
func parseMethods(specs []string) ([]string, []acceptor.PaymentMethod, error) {
	if len(specs) == 0 {
		return nil, nil, errors.New("--method is required (CUR:KIND:0xHASH or CUR:KIND:@FILE)")
	}
	seen := map[string]bool{}
	var curs []string
	var ms []acceptor.PaymentMethod
	for _, s := range specs {
		parts := strings.SplitN(s, ":", 3)
		if len(parts) != 3 {
			return nil, nil, fmt.Errorf("--method %q: want CUR:KIND:0xHASH or CUR:KIND:@FILE", s)
		}
		cur, kind, det := strings.ToUpper(parts[0]), parts[1], parts[2]
		var h types.Hash
		var err error
		if f, ok := strings.CutPrefix(det, "@"); ok {
			h, err = hashFileOrHex("", "", "method file", f)
		} else {
			h, err = types.ParseHash(det)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("--method %q: %w", s, err)
		}
		ms = append(ms, acceptor.PaymentMethod{Currency: cur, Kind: kind, DetailsHash: h})
		if !seen[cur] {
			seen[cur] = true
			curs = append(curs, cur)
		}
	}
	sort.Strings(curs)
	return curs, ms, nil
}

func newAcceptorTxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "acceptor", Short: "Acceptor transactions: register, update, float and margin, pause and resume"}
	profile := func(use, short string, register bool) *cobra.Command {
		var f txFlags
		var methods []string
		var minOrder, maxOrder string
		c := &cobra.Command{
			Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				curs, ms, err := parseMethods(methods)
				if err != nil {
					return err
				}
				var lo, hi uint64
				if minOrder != "" {
					if lo, err = types.ParseUSDT(minOrder); err != nil {
						return fmt.Errorf("--min-order: %w", err)
					}
				}
				if maxOrder != "" {
					if hi, err = types.ParseUSDT(maxOrder); err != nil {
						return fmt.Errorf("--max-order: %w", err)
					}
				}
				var msg acceptor.Msg = &acceptor.MsgUpdate{Currencies: curs, Methods: ms, MinOrder: lo, MaxOrder: hi}
				if register {
					msg = &acceptor.MsgRegister{Currencies: curs, Methods: ms, MinOrder: lo, MaxOrder: hi}
				}
				if err := msg.ValidateBasic(); err != nil {
					return err
				}
				return f.send(g, msg.TxType(), msg)
			},
		}
		f.register(c)
		c.Flags().StringArrayVar(&methods, "method", nil, "payment method CUR:KIND:0xHASH or CUR:KIND:@FILE (Keccak-256 of the file holding the salted account details), repeatable; the currencies are those of the methods")
		c.Flags().StringVar(&minOrder, "min-order", "", "smallest order to take, USDT")
		c.Flags().StringVar(&maxOrder, "max-order", "", "largest order to take, USDT (default: only the chain's limits)")
		return c
	}
	amount := func(use, short string, mk func(uint64) acceptor.Msg) *cobra.Command {
		var f txFlags
		var amt string
		c := &cobra.Command{
			Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				a, err := parseUSDTFlag("amount", amt)
				if err != nil {
					return err
				}
				m := mk(a)
				return f.send(g, m.TxType(), m)
			},
		}
		f.register(c)
		c.Flags().StringVar(&amt, "amount", "", "amount in USDT (required)")
		_ = c.MarkFlagRequired("amount")
		return c
	}
	bare := func(use, short string, m acceptor.Msg) *cobra.Command {
		var f txFlags
		c := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error { return f.send(g, m.TxType(), m) }}
		f.register(c)
		return c
	}
	cmd.AddCommand(
		profile("register", "Register --from as an acceptor (needs a valid KYC attestation)", true),
		profile("update", "Replace the acceptor's currencies, payment methods and order bounds", false),
		amount("deposit", "Move USDT from the balance into free float", func(a uint64) acceptor.Msg { return &acceptor.MsgDepositFloat{Amount: a} }),
		amount("withdraw", "Move free float back to the balance", func(a uint64) acceptor.Msg { return &acceptor.MsgWithdrawFloat{Amount: a} }),
		amount("deposit-margin", "Move USDT from the balance into margin", func(a uint64) acceptor.Msg { return &acceptor.MsgDepositMargin{Amount: a} }),
		amount("withdraw-margin", "Move margin back to the balance (down to what the trailing-24h volume requires)", func(a uint64) acceptor.Msg { return &acceptor.MsgWithdrawMargin{Amount: a} }),
		bare("pause", "Take no new orders (open orders continue)", &acceptor.MsgPause{}),
		bare("resume", "Take orders again", &acceptor.MsgResume{}),
	)
	return cmd
}
