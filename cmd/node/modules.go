package main

import (
	"encoding/json"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/spf13/cobra"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
)

// extraModules are modules a test appends to the CLI's application (the
// command tree and the parameter checks are built from its module list).
var extraModules []app.Option

// cliApp assembles the application the CLI describes: the sidechain
// profile. It holds no state; the CLI walks its module descriptors.
func cliApp() (*app.App, error) { return cliProfileApp(app.Side) }

func cliProfileApp(p app.Profile) (*app.App, error) {
	a, err := app.New(p, "cli", extraModules...)
	if err != nil {
		return nil, fmt.Errorf("assemble application: %w", err)
	}
	return a, nil
}

// cliApps are the applications of every profile: one binary serves both
// chains, so the CLI offers the commands of both (a command sent to the
// wrong chain is refused there as an unknown transaction type or method).
func cliApps() ([]*app.App, error) {
	var out []*app.App
	for _, p := range app.Profiles() {
		a, err := cliProfileApp(p)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// checkParam checks a SetParam as gov will, against every module's specs,
// so a typo costs no fee. A key is good when gov of either profile takes it.
func checkParam(module, key string, value []byte) error {
	apps, err := cliApps()
	if err != nil {
		return err
	}
	var first error
	for _, a := range apps {
		m, ok := a.Router.Module(gov.ModuleName)
		if !ok {
			return fmt.Errorf("no %s module", gov.ModuleName)
		}
		err := m.(gov.Module).CheckParam(module, key, value)
		if err == nil {
			return nil
		}
		if first == nil {
			first = err
		}
	}
	return first
}

// addModuleCommands adds, under tx and query, a group per module for the
// commands its descriptor declares (core.Commander): `tx MODULE ...` signs
// and sends the message a command builds, `query MODULE ...` calls the
// method it names and prints the result. A module whose group is written
// by hand here (acceptor, order, ...) gets the declared commands added to
// that group.
func addModuleCommands(g *globals, tx, query *cobra.Command) error {
	apps, err := cliApps()
	if err != nil {
		return err
	}
	// A module in both profiles (bank, gov) is added once; the two halves
	// of the bridge share the "bridge" group.
	seen := map[string]bool{}
	for _, a := range apps {
		for _, m := range a.Modules() {
			if group, ok := txGroups[m.Name()]; ok && !seen[m.Name()] {
				tx.AddCommand(group(g))
			}
			seen[m.Name()] = true
			cm, ok := m.(core.Commander)
			if !ok {
				continue
			}
			for _, c := range cm.Commands() {
				parent := tx
				if c.Msg == nil {
					parent = query
				}
				group := subgroup(parent, m.Name())
				cmd := moduleCommand(g, c)
				if hasCommand(group, cmd.Name()) {
					continue
				}
				group.AddCommand(cmd)
			}
		}
	}
	return nil
}

func hasCommand(parent *cobra.Command, name string) bool {
	for _, c := range parent.Commands() {
		if c.Name() == name {
			return true
		}
	}
	return false
}

// txGroups are the hand-written tx command groups of today's modules,
// added when the module is in the application; a new module declares its
// commands in its descriptor instead.
var txGroups = map[string]func(*globals) *cobra.Command{
	acceptor.ModuleName: newAcceptorTxCmd,
	order.ModuleName:    newOrderTxCmd,
	oracle.ModuleName:   newOracleTxCmd,
	gov.ModuleName:      newGovTxCmd,
	kyc.ModuleName:      newKYCTxCmd,
}

// subgroup returns parent's child named name, creating it.
func subgroup(parent *cobra.Command, name string) *cobra.Command {
	for _, c := range parent.Commands() {
		if c.Name() == name {
			return c
		}
	}
	c := &cobra.Command{Use: name, Short: "Commands of the " + name + " module"}
	parent.AddCommand(c)
	return c
}

func moduleCommand(g *globals, c core.Command) *cobra.Command {
	flags := map[string]*string{}
	var f txFlags
	cmd := &cobra.Command{Use: c.Use, Short: c.Short, Args: cobra.ExactArgs(c.Args),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := core.CommandInput{Args: args, Flags: map[string]string{}}
			for k, v := range flags {
				in.Flags[k] = *v
			}
			if c.Msg != nil {
				msg, err := c.Msg(in)
				if err != nil {
					return err
				}
				return f.send(g, msg.TxType(), msg)
			}
			method, params, err := c.Query(in)
			if err != nil {
				return err
			}
			ctx, cancel := g.ctx()
			defer cancel()
			var out json.RawMessage
			if err := g.client().Call(ctx, method, &out, params...); err != nil {
				return err
			}
			var v any
			if err := json.Unmarshal(out, &v); err != nil {
				return err
			}
			return printJSON(v)
		}}
	for _, fl := range c.Flags {
		flags[fl.Name] = cmd.Flags().String(fl.Name, fl.Default, fl.Usage)
	}
	if c.Msg != nil {
		f.register(cmd)
	}
	return cmd
}
