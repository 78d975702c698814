package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/testnet"
	"github.com/spf13/cobra"
)

func newTestnetCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "testnet", Short: "Local testnets for development"}
	var l testnet.Layout
	var o testnet.InitOptions
	var profile, mainChain string
	var sideChains []string
	var single bool
	var cpInterval uint64
	flags := func(c *cobra.Command) {
		c.Flags().StringVar(&profile, "profile", "", "make a profile testnet: main (bridged USDT, checkpoints; chain ID accord-main) or side (C2C; accord-side-1), with keys derived from the chain ID so the chains can name each other's validators")
		c.Flags().StringArrayVar(&sideChains, "side-chain", nil, "with --profile main: register a side chain's checkpoints, CHAIN_ID:VALIDATORS (repeatable)")
		c.Flags().StringVar(&mainChain, "main-chain", "", "with --profile side: the main chain the light client trusts, CHAIN_ID:VALIDATORS")
		c.Flags().StringVar(&l.Dir, "dir", "./testnet-data", "directory holding the testnet (the side chain's homes nodeI, main's under main/)")
		c.Flags().IntVar(&l.Validators, "validators", 4, "number of validators (of each chain)")
		c.Flags().IntVar(&l.FullNodes, "full-nodes", 0, "number of non-voting full nodes (after the validators) that follow by verifying commit certificates")
		c.Flags().IntVar(&l.BasePort, "base-port", 26657, "RPC port of node0: node i serves RPC on base+i and p2p on base+100+i (in a system those are the side chain's; main node i uses base+200+i and base+300+i, the dev chain base+400, checkpointer i base+500+i; 0: the OS picks every port at start, one validator only)")
		c.Flags().StringVar(&l.ChainID, "chain-id", defaultTestnetChainID, "chain ID of a new testnet (with --profile: accord-main or accord-side-1)")
		c.Flags().IntVar(&o.BenchAccounts, "bench-accounts", 2000, "load-generator accounts funded in a new testnet's genesis (for testnet bench; the side chain's in a system)")
	}
	// Nodes run by `testnet up` are separate processes that find their
	// peers in their configs, so they need ports fixed in advance.
	checkBase := func() error {
		if err := profileOptions(&l, &o, profile, mainChain, sideChains); err != nil {
			return err
		}
		if l.BasePort == 0 && l.Nodes() > 1 {
			return fmt.Errorf("--base-port 0 (ports chosen at start) is for a single validator; %d nodes need fixed ports to find each other", l.Nodes())
		}
		return nil
	}
	// system checks the flags of a whole system and, for an existing one,
	// reads what it was created with.
	system := func(cmd *cobra.Command) (testnet.System, error) {
		s := testnet.System{Dir: l.Dir, Validators: l.Validators, BasePort: l.BasePort, CheckpointInterval: cpInterval, BenchAccounts: o.BenchAccounts}
		for _, f := range []string{"profile", "side-chain", "main-chain", "chain-id", "full-nodes"} {
			if cmd.Flags().Changed(f) {
				return s, fmt.Errorf("--%s is for one chain: add --single (testnet up runs the two-chain system by default)", f)
			}
		}
		if !s.Initialized() {
			if s.BasePort == 0 && s.Validators > 1 {
				return s, fmt.Errorf("--base-port 0 (ports chosen at start) is for a single validator per chain; %d validators need fixed ports to find each other", s.Validators)
			}
			return s, nil
		}
		stored, err := testnet.LoadSystem(l.Dir)
		if err != nil {
			return s, err
		}
		if cmd.Flags().Changed("validators") && stored.Validators != s.Validators {
			return s, fmt.Errorf("%s holds a system of %d validators per chain, not %d; pass the flags it was created with or delete it", l.Dir, stored.Validators, s.Validators)
		}
		if cmd.Flags().Changed("checkpoint-interval") && stored.CheckpointInterval != s.CheckpointInterval {
			return s, fmt.Errorf("%s holds a system checkpointing every %d side blocks, not %d; the checkpointers must keep one interval, so delete it to change it", l.Dir, stored.CheckpointInterval, s.CheckpointInterval)
		}
		if cmd.Flags().Changed("base-port") && stored.BasePort != s.BasePort {
			return s, fmt.Errorf("%s holds a system on base port %d, not %d; its ports are in its configs, so delete it to move it", l.Dir, stored.BasePort, s.BasePort)
		}
		stored.BenchAccounts = s.BenchAccounts
		return stored, nil
	}
	initCmd := &cobra.Command{
		Use: "init", Short: "Write the homes of a new single-chain testnet (keys, genesis, peer lists) without starting it", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if l.Initialized() {
				return fmt.Errorf("%s already holds a testnet; delete it to start over", l.Dir)
			}
			if err := checkBase(); err != nil {
				return err
			}
			dev, err := testnet.Init(l, o)
			if err != nil {
				return err
			}
			fmt.Printf("Wrote %d validator and %d full node homes in %s; dev key %s (password file %s)\n", l.Validators, l.FullNodes, l.Dir, dev.Hex(), l.DevPasswordFile())
			return nil
		},
	}
	up := &cobra.Command{
		Use:   "up",
		Short: "Create (if needed) and run a local testnet in --dir until Ctrl-C: the two-chain system, or one chain with --single",
		Long: `Runs the whole local system as child processes until Ctrl-C: the external dev chain with
TestUSDT (accord devchain), a main and a side chain of --validators validators each, a bridge
signer per main validator, a checkpointer per side validator and a relayer. Every endpoint is
printed and written to DIR/endpoints.env. Run it again to resume. With --single it runs one
chain only, as before the system existed.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			bin, err := os.Executable()
			if err != nil {
				return err
			}
			// A directory holding one chain (testnet init, or a testnet
			// from before the system) runs as it is.
			s := testnet.System{Dir: l.Dir}
			if !single && l.Initialized() && !s.Initialized() {
				if s.Main().Initialized() {
					return fmt.Errorf("%s holds an incomplete system (its set-up was interrupted); delete it to start over", l.Dir)
				}
				single = true
				fmt.Printf("%s holds a single chain: running it alone (delete it for the two-chain system)\n", l.Dir)
			}
			if !single {
				s, err := system(cmd)
				if err != nil {
					return err
				}
				if err := s.CheckPorts(); err != nil {
					if s.Initialized() {
						return fmt.Errorf("%w; stop what holds it, or delete %s and start over with another --base-port", err, l.Dir)
					}
					return fmt.Errorf("%w; pick other ports with --base-port N (make testnet BASE_PORT=N)", err)
				}
				if !s.Initialized() {
					if err := testnet.InitSystem(s); err != nil {
						return err
					}
				}
				ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
				defer stop()
				return testnet.SystemUp(ctx, s, bin, os.Stdout, 10*time.Second)
			}
			if l.Initialized() {
				if n := countHomes(l.Dir); n != l.Nodes() {
					return fmt.Errorf("%s holds a testnet of %d nodes, not %d (--validators %d, --full-nodes %d); pass the flags it was created with or delete it", l.Dir, n, l.Nodes(), l.Validators, l.FullNodes)
				}
				stored, err := l.StoredBasePort()
				if err != nil {
					return err
				}
				if cmd.Flags().Changed("base-port") && stored != l.BasePort {
					return fmt.Errorf("%s holds a testnet on base port %d, not %d; its ports are in its configs, so delete it to move it", l.Dir, stored, l.BasePort)
				}
				l.BasePort = stored
			} else if err := checkBase(); err != nil {
				return err
			}
			if err := l.CheckPorts(); err != nil {
				if l.Initialized() {
					return fmt.Errorf("%w; stop what holds it, or delete %s and start over with another --base-port", err, l.Dir)
				}
				return fmt.Errorf("%w; pick other ports with --base-port N (make testnet BASE_PORT=N)", err)
			}
			if !l.Initialized() {
				if _, err := testnet.Init(l, o); err != nil {
					return err
				}
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			return testnet.Up(ctx, l, bin, os.Stdout, 10*time.Second)
		},
	}
	flags(initCmd)
	flags(up)
	up.Flags().BoolVar(&single, "single", false, "run one chain only (the C2C chain, or --profile's), without main, the external chain, the bridge processes and the relayer")
	up.Flags().Uint64Var(&cpInterval, "checkpoint-interval", testnet.DefaultCheckpointInterval, "side blocks per checkpoint (a new system)")
	cmd.AddCommand(initCmd, up, newBenchCmd(g))
	return cmd
}

// profileOptions reads the profile flags into o; without --profile the
// testnet is the sidechain as before (random keys, no profile in the
// genesis). An unchanged --chain-id defaults per profile.
func profileOptions(l *testnet.Layout, o *testnet.InitOptions, profile, mainChain string, sideChains []string) error {
	if profile == "" {
		if mainChain != "" || len(sideChains) > 0 {
			return fmt.Errorf("--main-chain and --side-chain need --profile")
		}
		return nil
	}
	p, err := app.ParseProfile(profile)
	if err != nil {
		return fmt.Errorf("--profile: %w", err)
	}
	o.Profile = p
	if l.ChainID == defaultTestnetChainID {
		l.ChainID = map[app.Profile]string{app.Main: "accord-main", app.Side: "accord-side-1"}[p]
	}
	o.SideChains = nil
	for _, s := range sideChains {
		c, err := testnet.ParseLinkedChain(s)
		if err != nil {
			return fmt.Errorf("--side-chain: %w", err)
		}
		o.SideChains = append(o.SideChains, c)
	}
	if mainChain != "" {
		c, err := testnet.ParseLinkedChain(mainChain)
		if err != nil {
			return fmt.Errorf("--main-chain: %w", err)
		}
		o.MainChain = &c
	}
	return nil
}

const defaultTestnetChainID = "accord-local"

func countHomes(dir string) int {
	n := 0
	for {
		if _, err := os.Stat(filepath.Join(dir, fmt.Sprintf("node%d", n), "config", "genesis.json")); err != nil {
			return n
		}
		n++
	}
}

func newBenchCmd(g *globals) *cobra.Command {
	var urls []string
	var cfg testnet.BenchConfig
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Load a testnet with pre-signed transfers and report finalized tx/s and finality latency",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg.URLs = urls
			if len(cfg.URLs) == 0 {
				cfg.URLs = []string{g.client().URL}
			}
			if !g.jsonOut {
				cfg.Progress = os.Stderr
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			r, err := testnet.Bench(ctx, cfg)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(r)
			}
			fmt.Println(r.String())
			if r.FirstReject != "" {
				fmt.Println("first rejection:", r.FirstReject)
			}
			return nil
		},
	}
	cmd.Flags().StringSliceVar(&urls, "node", nil, "node RPC URLs, comma-separated (default: --home's node)")
	cmd.Flags().DurationVar(&cfg.Duration, "duration", 30*time.Second, "how long to submit load")
	cmd.Flags().IntVar(&cfg.Rate, "rate", 0, "target submitted tx/s (0 = as fast as accepted)")
	cmd.Flags().IntVar(&cfg.Accounts, "accounts", 1000, "sending accounts (must be funded: testnet up --bench-accounts)")
	cmd.Flags().IntVar(&cfg.BatchSize, "batch", 500, "transactions per RPC call")
	return cmd
}
