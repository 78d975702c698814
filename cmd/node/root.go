package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/node"
	"github.com/spf13/cobra"
)

type globals struct {
	home     string
	nodeURL  string
	jsonOut  bool
	logLevel string
	timeout  time.Duration
}

func defaultHome() string {
	if h := os.Getenv("ACCORD_HOME"); h != "" {
		return h
	}
	d, err := os.UserHomeDir()
	if err != nil {
		return ".accord"
	}
	return filepath.Join(d, ".accord")
}

func newRootCmd() *cobra.Command {
	g := &globals{}
	root := &cobra.Command{
		Use:           "accord",
		Short:         "Accord: a permissioned chain for USDT settlement and C2C acceptor payments",
		Version:       node.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("accord {{.Version}}\n")
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return withUsage(cmd, err) })
	pf := root.PersistentFlags()
	pf.StringVar(&g.home, "home", defaultHome(), "node home directory (config, keys, data); env ACCORD_HOME")
	pf.StringVar(&g.nodeURL, "node", "", "node RPC endpoint (default: where this home's running node listens, else its rpc_addr, else http://127.0.0.1:26657)")
	pf.BoolVar(&g.jsonOut, "json", false, "print machine-readable JSON")
	pf.StringVar(&g.logLevel, "log-level", "", "debug, info, warn or error (default: config)")
	pf.DurationVar(&g.timeout, "timeout", 60*time.Second, "timeout for requests to the node (and --wait)")
	tx, query := newTxCmd(g), newQueryCmd(g)
	if err := addModuleCommands(g, tx, query); err != nil {
		// The module list is compiled in: a broken one is a programming
		// error every test catches.
		panic(err)
	}
	root.AddCommand(newKeysCmd(g), newInitCmd(g), newStartCmd(g), tx, query, newStatusCmd(g),
		newTestnetCmd(g), newVersionCmd(), newChannelCmd(g), newWebhookCmd(g), newReportCmd(g))
	// The bridge's off-chain processes (sidechain).
	root.AddCommand(newDevchainCmd(g), newBridgeSignerCmd(g), newRelayerCmd(g), newCheckpointerCmd(g))
	strict(root)
	return root
}

// client returns an SDK client for --node or this home's RPC address.
func (g *globals) client() *client.Client {
	if g.nodeURL != "" {
		return client.New(g.nodeURL)
	}
	// A running node records where it listens: the config may name port 0,
	// or `start --rpc.addr` may have overridden it.
	if l, err := node.ReadListening(node.Home(g.home)); err == nil {
		return client.New(l.RPC)
	}
	if cfg, err := node.LoadConfig(node.Home(g.home)); err == nil {
		return client.New(cfg.RPCAddr)
	}
	return client.New("http://127.0.0.1:26657")
}

func (g *globals) ctx() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), g.timeout)
}

func (g *globals) keyring() client.Keyring {
	return client.Keyring{Dir: node.Home(g.home).KeysDir()}
}

func (g *globals) logger(def string) *slog.Logger {
	lvl := g.logLevel
	if lvl == "" {
		lvl = def
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(lvl)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func printJSON(v any) error {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// oneLine flattens an error for the terminal.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{Use: "version", Short: "Print the version", Args: cobra.NoArgs,
		Run: func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), "accord", node.Version) }}
}
