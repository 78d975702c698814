package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

// The C2C queries print a human-readable summary; --json prints the API's
// JSON view instead (the shapes of api/views).

func table() *tabwriter.Writer { return tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0) }

// kv prints aligned "key  value" lines.
func kv(pairs ...string) {
	w := table()
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(w, "%s\t%s\n", pairs[i], pairs[i+1])
	}
	w.Flush()
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func printOrder(o *views.Order) {
	deadline := "-"
	switch o.State {
	case "LOCKED":
		deadline = "pay by " + fmtTime(o.DeadlineMs)
	case "PAID":
		deadline = "confirm by " + fmtTime(o.DeadlineMs)
	}
	kv("order", o.ID, "state", o.State, "merchant", o.Merchant, "ref", o.MerchantRef, "acceptor", orDash(o.Acceptor),
		"fiat", o.FiatAmount+" "+o.Currency, "amount", o.Amount+" USDT",
		"fees", fmt.Sprintf("commission %d bps, platform fee %d bps", o.CommissionBps, o.FeeBps),
		"method", orDash(o.Method), "created", fmt.Sprintf("%s (block %d)", fmtTime(o.CreatedAtMs), o.CreatedHeight),
		"deadline", deadline, "extended", strconv.FormatBool(o.Extended), "paid", fmtTime(o.PaidAtMs),
		"payment ref", orDash(o.PaymentRef), "closed", fmtTime(o.ClosedAtMs))
}

func printAcceptor(a *views.Acceptor) {
	var ms []string
	for _, m := range a.Methods {
		ms = append(ms, m.Currency+":"+m.Kind+":"+m.DetailsHash)
	}
	s := a.Stats
	kv("acceptor", a.Address, "status", a.Status, "kyc valid", strconv.FormatBool(a.KYCValid),
		"registered", fmt.Sprintf("%s (block %d)", fmtTime(a.RegisteredAtMs), a.RegisteredHeight),
		"currencies", strings.Join(a.Currencies, ","), "methods", strings.Join(ms, " "),
		"bounds", orderBounds(a),
		"float", a.Float+" USDT free, "+a.Locked+" USDT in escrow",
		"margin", a.Margin+" USDT (required now "+a.Limits.MarginRequired+")",
		"reputation", strconv.FormatUint(a.Reputation, 10),
		"limits", fmt.Sprintf("order %s USDT, daily %s USDT, used %s USDT (24h)", a.Limits.Order, a.Limits.Daily, a.Limits.Volume24h),
		"stats", fmt.Sprintf("completed %d (credited %d, %d counterparties), expired %d, disputes won %d lost %d open %d",
			s.Completed, s.Credited, s.Counterparties, s.Expired, s.DisputesWon, s.DisputesLost, s.OpenDisputes))
}

// orderBounds describes the order sizes an acceptor set for itself; zero
// means it set no bound there and only the chain's limits apply.
func orderBounds(a *views.Acceptor) string {
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

// queryCmd builds a query command: fetch one view with the node's client,
// then print it for people, or as JSON with --json.
func queryCmd[V any](g *globals, use, short string, args cobra.PositionalArgs,
	fetch func(ctx context.Context, c *client.Client, args []string) (V, error), human func(V)) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: args,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := g.ctx()
			defer cancel()
			v, err := fetch(ctx, g.client(), args)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(v)
			}
			human(v)
			return nil
		}}
}

// byAddr adapts a client query taking an address to queryCmd's fetch,
// parsing the command's one argument.
func byAddr[V any](get func(*client.Client, context.Context, types.Address) (V, error)) func(context.Context, *client.Client, []string) (V, error) {
	return func(ctx context.Context, c *client.Client, args []string) (V, error) {
		a, err := types.ParseAddress(args[0])
		if err != nil {
			var zero V
			return zero, err
		}
		return get(c, ctx, a)
	}
}

func newC2CQueryCmds(g *globals) []*cobra.Command {
	acceptorCmd := queryCmd(g, "acceptor ADDR", "An acceptor's funds, limits, reputation and payment methods", cobra.ExactArgs(1),
		byAddr((*client.Client).Acceptor), printAcceptor)
	var accAfter string
	var accLimit int
	acceptorsCmd := queryCmd(g, "acceptors", "List acceptors in address order", cobra.NoArgs,
		func(ctx context.Context, c *client.Client, _ []string) (*views.AcceptorList, error) {
			var after types.Address
			if accAfter != "" {
				var err error
				if after, err = types.ParseAddress(accAfter); err != nil {
					return nil, fmt.Errorf("--after: %w", err)
				}
			}
			return c.Acceptors(ctx, after, accLimit)
		},
		func(v *views.AcceptorList) {
			w := table()
			fmt.Fprintln(w, "ADDRESS\tSTATUS\tCURRENCIES\tFLOAT\tLOCKED\tMARGIN\tREP")
			for _, a := range v.Acceptors {
				fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%d\n", a.Address, a.Status, strings.Join(a.Currencies, ","),
					a.Float, a.Locked, a.Margin, a.Reputation)
			}
			w.Flush()
			if v.Next != "" {
				fmt.Printf("more: --after %s\n", v.Next)
			}
		})
	acceptorsCmd.Flags().StringVar(&accAfter, "after", "", "list acceptors with addresses above this one")
	acceptorsCmd.Flags().IntVar(&accLimit, "limit", 0, "at most this many (default 100, max 1000)")

	orderCmd := queryCmd(g, "order ID", "An order by ID", cobra.ExactArgs(1),
		func(ctx context.Context, c *client.Client, args []string) (*views.Order, error) {
			id, err := orderIDArg(args[0])
			if err != nil {
				return nil, err
			}
			return c.Order(ctx, id)
		}, printOrder)
	var f views.OrderFilter
	ordersCmd := queryCmd(g, "orders", "A merchant's or an acceptor's orders in creation order (--merchant or --acceptor)", cobra.NoArgs,
		func(ctx context.Context, c *client.Client, _ []string) (*views.OrderList, error) {
			if (f.Merchant == "") == (f.Acceptor == "") {
				return nil, fmt.Errorf("give exactly one of --merchant or --acceptor")
			}
			return c.Orders(ctx, f)
		},
		func(v *views.OrderList) {
			w := table()
			other := "ACCEPTOR"
			if f.Acceptor != "" {
				other = "MERCHANT"
			}
			fmt.Fprintf(w, "ID\tSTATE\tFIAT\tUSDT\t%s\tCREATED\n", other)
			for _, o := range v.Orders {
				party := o.Acceptor
				if f.Acceptor != "" {
					party = o.Merchant
				}
				fmt.Fprintf(w, "%s\t%s\t%s %s\t%s\t%s\t%s\n", o.ID, o.State, o.FiatAmount, o.Currency, o.Amount, orDash(party), fmtTime(o.CreatedAtMs))
			}
			w.Flush()
			if v.Next != 0 {
				fmt.Printf("more: --after %d\n", v.Next)
			}
		})
	ordersCmd.Flags().StringVar(&f.Merchant, "merchant", "", "merchant address")
	ordersCmd.Flags().StringVar(&f.Acceptor, "acceptor", "", "acceptor address")
	ordersCmd.Flags().StringVar(&f.State, "state", "", "only orders in this state (LOCKED, PAID, COMPLETED, EXPIRED, CANCELLED, REJECTED, DISPUTED, ...)")
	ordersCmd.Flags().Uint64Var(&f.After, "after", 0, "list orders created after this sequence number (paging)")
	ordersCmd.Flags().IntVar(&f.Limit, "limit", 0, "at most this many (default 100, max 1000)")

	ratesCmd := queryCmd(g, "rates", "Fiat rates in force (median of fresh oracle posts) for every currency", cobra.NoArgs,
		func(ctx context.Context, c *client.Client, _ []string) (*views.Rates, error) { return c.Rates(ctx) },
		func(v *views.Rates) {
			fmt.Printf("block time %s; posts go stale after %d s; %d fresh post(s) needed\n",
				fmtTime(v.BlockTimeMs), v.MaxRateAgeMs/1000, v.MinPosts)
			w := table()
			fmt.Fprintln(w, "CURRENCY\tSTATUS\tRATE (per USDT)\tPOSTS\tFRESH\tAGE")
			for _, r := range v.Rates {
				age := "-"
				if r.Posts > 0 {
					age = fmt.Sprintf("%.1fs", float64(r.AgeMs)/1000)
				}
				fmt.Fprintf(w, "%s\t%s\t%s\t%d\t%d\t%s\n", r.Currency, r.Status, orDash(r.Rate), r.Posts, r.FreshPosts, age)
			}
			w.Flush()
		})

	kycCmd := queryCmd(g, "kyc ADDR", "An account's KYC attestation and whether it is valid now", cobra.ExactArgs(1),
		byAddr((*client.Client).KYC),
		func(v *views.KYC) {
			kv("account", v.Account, "status", v.Status, "level", strconv.Itoa(int(v.Level)),
				"order limit", v.OrderLimit+" USDT", "country", v.Country, "expires", fmtTime(v.ExpiresAtMs),
				"provider", v.Provider, "attested", fmtTime(v.AttestedAtMs), "record hash", v.RecordHash)
			if v.RevokedBy != "" {
				kv("revoked by", v.RevokedBy, "revoked", fmtTime(v.RevokedAtMs), "reason", orDash(v.Reason))
			}
		})

	rolesCmd := queryCmd(g, "roles ADDR", "An account's gov roles and admin membership", cobra.ExactArgs(1),
		byAddr((*client.Client).Roles),
		func(v *views.Roles) {
			kv("address", v.Address, "admin", strconv.FormatBool(v.Admin), "roles", orDash(strings.Join(v.Roles, ",")))
		})

	printProposal := func(p *views.Proposal) {
		kv("proposal", strconv.FormatUint(p.ID, 10), "proposer", p.Proposer, "memo", orDash(p.Memo),
			"created", fmtTime(p.CreatedAtMs), "expires", fmtTime(p.ExpiresAtMs),
			"approvals", fmt.Sprintf("%d of %d: %s", len(p.Approvals), p.Threshold, strings.Join(p.Approvals, ",")))
		for i, a := range p.Actions {
			var d string
			switch a.Kind {
			case "grant_role", "revoke_role":
				d = a.Address + " " + a.Role
			case "set_param":
				d = a.Module + "." + a.Key + "=" + a.Value
			case "add_admin", "remove_admin":
				d = a.Address
			case "set_threshold":
				d = strconv.FormatUint(a.Threshold, 10)
			case "set_validators":
				d = strings.Join(a.Validators, ",")
			}
			fmt.Printf("action %d  %s %s\n", i, a.Kind, d)
		}
	}
	proposalCmd := queryCmd(g, "proposal ID", "An open gov proposal", cobra.ExactArgs(1),
		func(ctx context.Context, c *client.Client, args []string) (*views.Proposal, error) {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil {
				return nil, fmt.Errorf("proposal ID %q: want a positive integer", args[0])
			}
			return c.Proposal(ctx, id)
		}, printProposal)
	proposalsCmd := queryCmd(g, "proposals", "Every open gov proposal", cobra.NoArgs,
		func(ctx context.Context, c *client.Client, _ []string) ([]views.Proposal, error) {
			return c.Proposals(ctx)
		},
		func(v []views.Proposal) {
			if len(v) == 0 {
				fmt.Println("no open proposals")
			}
			for i := range v {
				if i > 0 {
					fmt.Println()
				}
				printProposal(&v[i])
			}
		})

	paramsCmd := queryCmd(g, "params MODULE", "A module's parameters in force (bank, gov, kyc, oracle, acceptor, order)", cobra.ExactArgs(1),
		func(ctx context.Context, c *client.Client, args []string) (*views.Params, error) {
			return c.Params(ctx, args[0])
		},
		func(v *views.Params) {
			keys := make([]string, 0, len(v.Params))
			for k := range v.Params {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			var pairs []string
			for _, k := range keys {
				pairs = append(pairs, v.Module+"."+k, v.Params[k])
			}
			if v.Module == "gov" {
				pairs = append(pairs, "admins", strings.Join(v.Admins, ","), "threshold", strconv.FormatUint(v.Threshold, 10))
			}
			kv(pairs...)
		})
	return []*cobra.Command{acceptorCmd, acceptorsCmd, orderCmd, ordersCmd, ratesCmd, kycCmd, rolesCmd, proposalCmd, proposalsCmd, paramsCmd}
}
