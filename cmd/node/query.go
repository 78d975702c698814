package main

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func newQueryCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "query", Aliases: []string{"q"}, Short: "Read chain state from a node (account, block and tx print JSON; the others a summary, or JSON with --json)"}
	account := &cobra.Command{
		Use: "account ADDR", Short: "Balance and nonce of an account", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := types.ParseAddress(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := g.ctx()
			defer cancel()
			acc, err := g.client().Account(ctx, a)
			if err != nil {
				return err
			}
			return printJSON(acc)
		},
	}
	block := &cobra.Command{
		Use: "block [HEIGHT|latest]", Short: "A block by height (default latest)", Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var h uint64
			if len(args) == 1 && args[0] != "latest" {
				var err error
				if h, err = strconv.ParseUint(args[0], 10, 64); err != nil || h == 0 {
					return fmt.Errorf("height %q: want a positive integer or latest", args[0])
				}
			}
			ctx, cancel := g.ctx()
			defer cancel()
			b, err := g.client().Block(ctx, h)
			if err != nil {
				return err
			}
			return printJSON(b)
		},
	}
	tx := &cobra.Command{
		Use: "tx HASH", Short: "A committed transaction and its receipt", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, err := types.ParseHash(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := g.ctx()
			defer cancel()
			c := g.client()
			t, err := c.Tx(ctx, h)
			if err != nil {
				return err
			}
			if t == nil {
				return fmt.Errorf("transaction %s is not in a committed block (pending or unknown)", h.Hex())
			}
			r, err := c.Receipt(ctx, h)
			if err != nil {
				return err
			}
			return printJSON(map[string]any{"tx": t, "receipt": r})
		},
	}
	validators := &cobra.Command{
		Use: "validators [HEIGHT]", Short: "The validator set that finalizes block HEIGHT (default: the next block), in index order", Args: cobra.MaximumNArgs(1),
		Long: "The validator set that finalizes block HEIGHT (default: the next block), in index order, and its hash.\n" +
			"A node joining by snapshot a chain whose validators have changed since genesis takes the set from a node\n" +
			"its operator trusts: accord start --join.snapshot --join.trust ADDR,ADDR,...",
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := g.ctx()
			defer cancel()
			c := g.client()
			var h uint64
			if len(args) == 1 {
				var err error
				if h, err = strconv.ParseUint(args[0], 10, 64); err != nil || h == 0 {
					return fmt.Errorf("height %q: want a positive integer", args[0])
				}
			} else {
				st, err := c.Status(ctx)
				if err != nil {
					return err
				}
				h = st.Height + 1
			}
			v, err := c.Validators(ctx, h)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(v)
			}
			addrs := make([]string, len(v.Validators))
			for i, a := range v.Validators {
				addrs[i] = a.Hex()
			}
			fmt.Printf("height      %d\nhash        %s\nvalidators  %d\n%s\n", v.Height, v.Hash.Hex(), len(addrs), strings.Join(addrs, ","))
			return nil
		},
	}
	cmd.AddCommand(account, block, tx, validators, newParamsCmd(g))
	return cmd
}

// newParamsCmd is `query params MODULE`: any module's parameters in force
// (accord_getParams walks the module list).
func newParamsCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "params MODULE", Short: "A module's parameters in force (bank, gov, kyc, oracle, acceptor, order)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := g.ctx()
			defer cancel()
			v, err := g.client().Params(ctx, args[0])
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(v)
			}
			var pairs []string
			for _, k := range sortedKeys(v.Params) {
				pairs = append(pairs, v.Module+"."+k, v.Params[k])
			}
			if v.Module == "gov" {
				pairs = append(pairs, "admins", strings.Join(v.Admins, ","), "threshold", strconv.FormatUint(v.Threshold, 10))
			}
			w := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', 0)
			for i := 0; i+1 < len(pairs); i += 2 {
				fmt.Fprintf(w, "%s\t%s\n", pairs[i], pairs[i+1])
			}
			return w.Flush()
		}}
}

func newStatusCmd(g *globals) *cobra.Command {
	var wait bool
	cmd := &cobra.Command{
		Use: "status", Short: "Chain head and node status", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := g.ctx()
			defer cancel()
			for {
				// The client is made anew each try: a starting node
				// writes the address it listens on when it is ready.
				s, err := g.client().Status(ctx)
				if err == nil {
					return printJSON(s)
				}
				if !wait || errors.Is(err, client.ErrNotRPC) {
					return err
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("no answer within --timeout %s: %w", g.timeout, err)
				case <-time.After(200 * time.Millisecond):
				}
			}
		},
	}
	cmd.Flags().BoolVar(&wait, "wait", false, "wait (up to --timeout) until the node answers, e.g. right after starting it")
	return cmd
}
