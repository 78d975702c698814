package main

import (
	"fmt"
	"strings"

	"github.com/accordnet/accord/contracts/oracle"
	"github.com/spf13/cobra"
)

func newOracleTxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "oracle", Short: "Oracle transactions"}
	var f txFlags
	var currencies, rates []string
	post := &cobra.Command{
		Use:   "post-rate",
		Short: "Post fiat rates (fiat per USDT) as an oracle: --currency CNY --rate 7.12 [--currency USD --rate 1 ...]",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(currencies) == 0 || len(currencies) != len(rates) {
				return fmt.Errorf("give --currency and --rate in pairs (%d currencies, %d rates)", len(currencies), len(rates))
			}
			msg := &oracle.MsgPostRates{}
			for i, c := range currencies {
				r, err := oracle.ParseRateE8(rates[i])
				if err != nil {
					return fmt.Errorf("--rate %s: %w", c, err)
				}
				msg.Rates = append(msg.Rates, oracle.RatePost{Currency: strings.ToUpper(c), Rate: r})
			}
			if err := msg.ValidateBasic(); err != nil {
				return err
			}
			return f.send(g, oracle.TypePostRates, msg)
		},
	}
	f.register(post)
	post.Flags().StringArrayVar(&currencies, "currency", nil, "ISO 4217 currency, repeatable, paired with --rate")
	post.Flags().StringArrayVar(&rates, "rate", nil, "fiat units per USDT (up to 8 decimals), repeatable, paired with --currency")
	cmd.AddCommand(post)
	return cmd
}
