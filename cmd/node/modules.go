package main

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/types"
)

// extraModules are modules a test appends to the CLI's application (the
// command tree and the parameter checks are built from its module list).
var extraModules []app.Option

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

// cliModule is the module whose commands the CLI adds for m. Gov is in
// both profiles; its commands check a --set-param against the parameters
// of every profile, so a key only main has (bridge's) is not refused.
func cliModule(m core.Module, apps []*app.App) core.Module {
	g, ok := m.(gov.Module)
	if !ok {
		return m
	}
	var specs []gov.ParamSpec
	for _, a := range apps {
		if other, ok := a.Router.Module(gov.ModuleName); ok {
			specs = append(specs, other.(gov.Module).Specs...)
		}
	}
	g.Specs = specs
	return g
}

// addModuleCommands adds the commands every module's descriptor declares
// (core.Commander): `tx MODULE ...` signs and sends the message a command
// builds, `query MODULE ...` (or `query ...` for a Top command) calls the
// method it names and prints the result. A module in both profiles (bank,
// gov) is added once; the two halves of the bridge share one group.
func addModuleCommands(g *globals, tx, query *cobra.Command) error {
	apps, err := cliApps()
	if err != nil {
		return err
	}
	for _, a := range apps {
		for _, m := range a.Modules() {
			cm, ok := cliModule(m, apps).(core.Commander)
			if !ok {
				continue
			}
			short := "Commands of the " + m.Name() + " module"
			if gr, ok := m.(core.CommandGrouper); ok {
				short = gr.CommandGroup()
			}
			for _, c := range cm.Commands() {
				parent := tx
				if c.Msg == nil {
					parent = query
				}
				if !c.Top {
					parent = subgroup(parent, m.Name(), short)
					if al, ok := m.(core.CommandAliaser); ok {
						parent.Aliases = al.CommandAliases()
					}
				}
				cmd := moduleCommand(g, c)
				if hasCommand(parent, cmd.Name()) {
					continue
				}
				parent.AddCommand(cmd)
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

// subgroup returns parent's child named name, creating it.
func subgroup(parent *cobra.Command, name, short string) *cobra.Command {
	for _, c := range parent.Commands() {
		if c.Name() == name {
			return c
		}
	}
	c := &cobra.Command{Use: name, Short: short}
	parent.AddCommand(c)
	return c
}

// flagValues reads a command's declared flags back as a CommandInput.
type flagValues struct {
	text  map[string]func() string
	lists map[string]*[]string
}

func (v *flagValues) register(cmd *cobra.Command, fl core.Flag) {
	fs := cmd.Flags()
	switch fl.Kind {
	case core.FlagStrings:
		v.lists[fl.Name] = fs.StringArray(fl.Name, nil, fl.Usage)
	case core.FlagList:
		v.lists[fl.Name] = fs.StringSlice(fl.Name, nil, fl.Usage)
	case core.FlagBool:
		b := fs.Bool(fl.Name, fl.Default == "true", fl.Usage)
		v.text[fl.Name] = func() string { return strconv.FormatBool(*b) }
	case core.FlagUint:
		def, _ := strconv.ParseUint(fl.Default, 10, 64)
		u := fs.Uint64(fl.Name, def, fl.Usage)
		v.text[fl.Name] = func() string { return strconv.FormatUint(*u, 10) }
	case core.FlagInt:
		def, _ := strconv.Atoi(fl.Default)
		n := fs.Int(fl.Name, def, fl.Usage)
		v.text[fl.Name] = func() string { return strconv.Itoa(*n) }
	default:
		s := fs.String(fl.Name, fl.Default, fl.Usage)
		v.text[fl.Name] = func() string { return *s }
	}
	if fl.Required {
		_ = cmd.MarkFlagRequired(fl.Name)
	}
}

func (v *flagValues) input(args []string) core.CommandInput {
	in := core.CommandInput{Args: args, Flags: map[string]string{}, Lists: map[string][]string{},
		ReadFile: os.ReadFile, Random: func(b []byte) { _, _ = rand.Read(b) }}
	for k, f := range v.text {
		in.Flags[k] = f()
	}
	for k, l := range v.lists {
		in.Lists[k] = append([]string(nil), *l...)
	}
	return in
}

func moduleCommand(g *globals, c core.Command) *cobra.Command {
	vals := &flagValues{text: map[string]func() string{}, lists: map[string]*[]string{}}
	var f txFlags
	cmd := &cobra.Command{Use: c.Use, Short: c.Short, Long: c.Long, Args: cobra.ExactArgs(c.Args),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := vals.input(args)
			if c.Msg != nil {
				msg, err := c.Msg(in)
				if err != nil {
					return err
				}
				if c.Report == nil {
					return f.send(g, msg.TxType(), msg)
				}
				return f.report(g, msg, in, c.Report)
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
			if c.Print != nil && !g.jsonOut {
				return c.Print(os.Stdout, in, out)
			}
			return printJSON(out)
		}}
	for _, fl := range c.Flags {
		vals.register(cmd, fl)
	}
	if c.Msg != nil {
		f.register(cmd)
	}
	return cmd
}

// report sends msg and prints what the command's Report makes of it.
func (f *txFlags) report(g *globals, msg core.Msg, in core.CommandInput,
	report func(core.CommandInput, core.Sent) (core.Report, error)) error {
	s, err := f.submit(g, msg.TxType(), msg)
	if err != nil {
		return err
	}
	cs, err := s.core()
	if err != nil {
		return err
	}
	r, err := report(in, cs)
	if err != nil {
		return err
	}
	switch {
	case r.Always:
		fmt.Print(r.Text)
		return s.failed()
	case g.jsonOut:
		v := r.JSON
		if v == nil && s.Receipt != nil {
			v = s.Receipt
		} else if v == nil {
			v = views.SendResult{Hash: s.Hash.Hex()}
		}
		if err := printJSON(v); err != nil {
			return err
		}
		return s.failed()
	}
	if !r.Replace {
		if s.Receipt == nil {
			fmt.Println(s.Hash.Hex())
		} else {
			printReceipt(s.Receipt)
		}
	}
	fmt.Print(r.Text)
	return s.failed()
}

// core is what a module's Report reads of a sent transaction.
func (s *sent) core() (core.Sent, error) {
	out := core.Sent{From: s.From, Hash: s.Hash}
	r := s.Receipt
	if r == nil {
		return out, nil
	}
	raw, err := json.Marshal(r)
	if err != nil {
		return out, err
	}
	cr := &core.SentReceipt{Height: r.Height, OK: r.Status == "ok", Error: r.Error, JSON: raw}
	for _, e := range r.Events {
		te := types.Event{Type: e.Type}
		keys := make([]string, 0, len(e.Attrs))
		for k := range e.Attrs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			te.Attrs = append(te.Attrs, types.Attr{Key: k, Value: e.Attrs[k]})
		}
		cr.Events = append(cr.Events, te)
	}
	out.Receipt = cr
	return out, nil
}
