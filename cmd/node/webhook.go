package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/node"
	"github.com/spf13/cobra"
)

// adminFlags find a node's admin API: by default the address its home's
// listen file records and the token in its home.
type adminFlags struct {
	addr, tokenFile string
}

func (a *adminFlags) register(cmd *cobra.Command) {
	pf := cmd.PersistentFlags()
	pf.StringVar(&a.addr, "admin", "", "the node's admin API host:port (default: where this home's running node listens)")
	pf.StringVar(&a.tokenFile, "admin-token-file", "", "file holding the admin token (default: <home>/data/admin.token)")
}

func (a *adminFlags) client(g *globals) (*client.Admin, error) {
	h := node.Home(g.home)
	addr := a.addr
	if addr == "" {
		l, err := node.ReadListening(h)
		if err != nil {
			return nil, fmt.Errorf("no running node in %s (%v): start it, or pass --admin", g.home, err)
		}
		if l.Admin == "" {
			return nil, fmt.Errorf("the node of %s serves no admin API (admin_addr is %q)", g.home, node.AdminOff)
		}
		addr = l.Admin
	}
	path := a.tokenFile
	if path == "" {
		path = h.AdminTokenFile()
	}
	tok, err := client.ReadAdminToken(path)
	if err != nil {
		return nil, err
	}
	return client.NewAdmin(addr, tok), nil
}

// run makes a command's RunE that calls fn with the node's admin client and
// a context bounded by --timeout.
func (a *adminFlags) run(g *globals, fn func(ctx context.Context, adm *client.Admin, cmd *cobra.Command, args []string) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		adm, err := a.client(g)
		if err != nil {
			return err
		}
		ctx, cancel := g.ctx()
		defer cancel()
		return fn(ctx, adm, cmd, args)
	}
}

func newWebhookCmd(g *globals) *cobra.Command {
	var af adminFlags
	cmd := &cobra.Command{Use: "webhook", Short: "Webhook endpoints on this node: register, list, delivery log, redeliver (admin API, loopback only)"}
	af.register(cmd)

	var spec client.WebhookSpec
	add := &cobra.Command{
		Use: "add --url URL [--secret S] [--type T]... [--merchant ADDR]...", Short: "Register an endpoint; prints its ID and secret (shown only now)",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if spec.URL == "" {
				return withUsage(cmd, errors.New("--url is required"))
			}
			adm, err := af.client(g)
			if err != nil {
				return err
			}
			ctx, cancel := g.ctx()
			defer cancel()
			ep, err := adm.AddWebhook(ctx, spec)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(ep)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "endpoint %s\nurl      %s\nsecret   %s\n", ep.ID, ep.URL, ep.Secret)
			fmt.Fprintf(out, "filter   types=%s merchants=%s\n", orAll(ep.Types), orAll(ep.Merchants))
			return nil
		},
	}
	af2 := add.Flags()
	af2.StringVar(&spec.URL, "url", "", "http(s) URL the node POSTs events to")
	af2.StringVar(&spec.Secret, "secret", "", "signing secret, 16-256 bytes (default: generated)")
	af2.StringSliceVar(&spec.Types, "type", nil, "event type to deliver, e.g. order.paid (repeatable; default: all)")
	af2.StringSliceVar(&spec.Merchants, "merchant", nil, "merchant address to deliver events of (repeatable; default: all)")

	list := &cobra.Command{
		Use: "list", Short: "List the registered endpoints", Args: cobra.NoArgs,
		RunE: af.run(g, func(ctx context.Context, adm *client.Admin, cmd *cobra.Command, args []string) error {
			eps, err := adm.Webhooks(ctx)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(eps)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tURL\tTYPES\tMERCHANTS\tCREATED")
			for _, ep := range eps {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", ep.ID, ep.URL, orAll(ep.Types), orAll(ep.Merchants), ep.Created.Format(time.RFC3339))
			}
			return tw.Flush()
		}),
	}

	remove := &cobra.Command{
		Use: "remove ENDPOINT", Short: "Unregister an endpoint and drop its deliveries", Args: cobra.ExactArgs(1),
		RunE: af.run(g, func(ctx context.Context, adm *client.Admin, cmd *cobra.Command, args []string) error {
			if err := adm.RemoveWebhook(ctx, args[0]); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "removed", args[0])
			return nil
		}),
	}

	var (
		cursor string
		limit  int
	)
	deliveries := &cobra.Command{
		Use: "deliveries ENDPOINT", Short: "An endpoint's delivery log, newest first", Args: cobra.ExactArgs(1),
		RunE: af.run(g, func(ctx context.Context, adm *client.Admin, cmd *cobra.Command, args []string) error {
			p, err := adm.Deliveries(ctx, args[0], cursor, limit)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(p)
			}
			printDeliveries(cmd.OutOrStdout(), p)
			return nil
		}),
	}
	deliveries.Flags().StringVar(&cursor, "cursor", "", "page cursor (the NEXT line of the previous page)")
	deliveries.Flags().IntVar(&limit, "limit", 0, "records per page (default 50, at most 500)")

	show := &cobra.Command{
		Use: "show ENDPOINT EVENT", Short: "One delivery: state, attempts and the body sent", Args: cobra.ExactArgs(2),
		RunE: af.run(g, func(ctx context.Context, adm *client.Admin, cmd *cobra.Command, args []string) error {
			d, err := adm.Delivery(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(d)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "event    %s (%s)\nstate    %s\nattempts %d\n", d.EventID, d.EventType, d.State, d.Attempts)
			if !d.NextAt.IsZero() {
				fmt.Fprintf(out, "next     %s\n", d.NextAt.Format(time.RFC3339))
			}
			for _, a := range d.Recent {
				fmt.Fprintf(out, "  #%d %s %s\n", a.N, a.At.Format(time.RFC3339), attemptOutcome(a))
			}
			fmt.Fprintf(out, "body     %s\n", d.Body)
			return nil
		}),
	}

	redeliver := &cobra.Command{
		Use: "redeliver ENDPOINT EVENT", Short: "Send an event to an endpoint again, now", Args: cobra.ExactArgs(2),
		RunE: af.run(g, func(ctx context.Context, adm *client.Admin, cmd *cobra.Command, args []string) error {
			if err := adm.Redeliver(ctx, args[0], args[1]); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "queued %s for %s\n", args[1], args[0])
			return nil
		}),
	}
	cmd.AddCommand(add, list, remove, deliveries, show, redeliver)
	return cmd
}

func orAll(s []string) string {
	if len(s) == 0 {
		return "all"
	}
	return strings.Join(s, ",")
}

func attemptOutcome(a client.WebhookAttempt) string {
	if a.Error != "" {
		return a.Error
	}
	return fmt.Sprintf("HTTP %d in %s", a.Status, a.Duration.Round(time.Millisecond))
}

func printDeliveries(w io.Writer, p *client.WebhookPage) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EVENT\tTYPE\tSTATE\tATTEMPTS\tLAST\tNEXT")
	for _, d := range p.Deliveries {
		last, next := "-", "-"
		if n := len(d.Recent); n > 0 {
			last = attemptOutcome(d.Recent[n-1])
		}
		if !d.NextAt.IsZero() {
			next = d.NextAt.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\n", d.EventID, d.EventType, d.State, d.Attempts, last, next)
	}
	_ = tw.Flush()
	if p.Next != "" {
		fmt.Fprintln(w, "NEXT", p.Next)
	}
}
