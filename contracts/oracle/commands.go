package oracle

// The module's CLI commands (core.Commander): `tx oracle post-rate` and
// `query rates`.

import (
	"fmt"
	"io"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/cmdkit"
)

var (
	_ core.Commander      = Module{}
	_ core.CommandGrouper = Module{}
)

// CommandGroup implements core.CommandGrouper.
func (Module) CommandGroup() string { return "Oracle transactions" }

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "post-rate", Short: "Post fiat rates (fiat per USDT) as an oracle: --currency CNY --rate 7.12 [--currency USD --rate 1 ...]",
			Flags: []core.Flag{
				{Name: "currency", Kind: core.FlagStrings, Usage: "ISO 4217 currency, repeatable, paired with --rate"},
				{Name: "rate", Kind: core.FlagStrings, Usage: "fiat units per USDT (up to 8 decimals), repeatable, paired with --currency"}},
			Msg: postRatesMsg},
		{Use: "rates", Short: "Fiat rates in force (median of fresh oracle posts) for every currency", Top: true,
			Query: func(core.CommandInput) (string, []any, error) { return "accord_getRates", nil, nil },
			Print: cmdkit.Print(printRates)},
	}
}

func postRatesMsg(in core.CommandInput) (core.Msg, error) {
	currencies, rates := in.Lists["currency"], in.Lists["rate"]
	if len(currencies) == 0 || len(currencies) != len(rates) {
		return nil, fmt.Errorf("give --currency and --rate in pairs (%d currencies, %d rates)", len(currencies), len(rates))
	}
	msg := &MsgPostRates{}
	for i, c := range currencies {
		r, err := ParseRateE8(rates[i])
		if err != nil {
			return nil, fmt.Errorf("--rate %s: %w", c, err)
		}
		msg.Rates = append(msg.Rates, RatePost{Currency: strings.ToUpper(c), Rate: r})
	}
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	return msg, nil
}

// ageText renders ms as seconds with one decimal, rounded half up.
func ageText(ms uint64) string {
	tenths := (ms + 50) / 100
	return fmt.Sprintf("%d.%ds", tenths/10, tenths%10)
}

func printRates(w io.Writer, _ core.CommandInput, v *RatesView) {
	fmt.Fprintf(w, "block time %s; posts go stale after %d s; %d fresh post(s) needed\n",
		cmdkit.Time(v.BlockTimeMs), v.MaxRateAgeMs/1000, v.MinPosts)
	t := cmdkit.Table(w)
	fmt.Fprintln(t, "CURRENCY\tSTATUS\tRATE (per USDT)\tPOSTS\tFRESH\tAGE")
	for _, r := range v.Rates {
		age := "-"
		if r.Posts > 0 {
			age = ageText(r.AgeMs)
		}
		fmt.Fprintf(t, "%s\t%s\t%s\t%d\t%d\t%s\n", r.Currency, r.Status, cmdkit.OrDash(r.Rate), r.Posts, r.FreshPosts, age)
	}
	t.Flush()
}
