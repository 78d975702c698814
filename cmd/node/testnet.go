package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/testnet"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

const devFunds = 1_000_000 * types.MicroPerUSDT

func newTestnetCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "testnet", Short: "Local testnets for development"}
	var dir, chainID string
	var validators, basePort, benchAccounts int
	up := &cobra.Command{
		Use:   "up",
		Short: "Create (if needed) and run a local testnet in --dir until Ctrl-C",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if validators != 1 {
				return errors.New("this build runs single-validator testnets only (--validators 1); multi-validator networking is not wired yet")
			}
			home := node.Home(filepath.Join(dir, "node0"))
			rpc := fmt.Sprintf("127.0.0.1:%d", basePort)
			devAddr, created, err := initDevHome(home, dir, chainID, rpc, benchAccounts)
			if err != nil {
				return err
			}
			cfg, err := node.LoadConfig(home)
			if err != nil {
				return err
			}
			log := g.logger(cfg.LogLevel)
			n, err := node.New(home, node.Options{Logger: log})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if err := n.Start(ctx); err != nil {
				n.Stop()
				return err
			}
			state := "resumed"
			if created {
				state = "created"
			}
			fmt.Printf(`
Accord testnet %s in %s (1 validator)
  node0 RPC:   http://%s   (JSON-RPC; /metrics, /health)
  dev key:     name "dev", address %s, funded with %s USDT
  password:    %s
Try:
  go run ./cmd/node status --home %s
  go run ./cmd/node tx transfer --home %s --from dev --password-file %s --to 0x000000000000000000000000000000000000dEaD --amount 1.5 --wait
Stop with Ctrl-C; run again to resume.

`, state, dir, n.RPCAddr(), devAddr.Hex(), types.FormatUSDT(devFunds), devPasswordFile(dir), string(home), string(home), devPasswordFile(dir))
			var runErr error
			select {
			case <-ctx.Done():
			case runErr = <-n.Err():
			}
			if err := n.Stop(); err != nil && runErr == nil {
				runErr = err
			}
			return runErr
		},
	}
	up.Flags().StringVar(&dir, "dir", "./testnet-data", "directory holding the validators' homes")
	up.Flags().IntVar(&validators, "validators", 1, "number of validators")
	up.Flags().IntVar(&basePort, "base-port", 26657, "RPC port of the first validator (others follow)")
	up.Flags().StringVar(&chainID, "chain-id", "accord-local", "chain ID of a new testnet")
	up.Flags().IntVar(&benchAccounts, "bench-accounts", 2000, "load-generator accounts funded in a new testnet's genesis (for `testnet bench`)")
	cmd.AddCommand(up, newBenchCmd(g))
	return cmd
}

func devPasswordFile(dir string) string { return filepath.Join(dir, "dev.password") }

// initDevHome creates the home with a funded "dev" key unless it exists.
func initDevHome(home node.Home, dir, chainID, rpc string, benchAccounts int) (types.Address, bool, error) {
	kr := client.Keyring{Dir: home.KeysDir(), LightKDF: true}
	if _, err := os.Stat(home.GenesisFile()); err == nil {
		a, err := kr.Address("dev")
		return a, false, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return types.Address{}, false, err
	}
	pwFile := devPasswordFile(dir)
	if err := os.WriteFile(pwFile, []byte("dev\n"), 0o600); err != nil {
		return types.Address{}, false, err
	}
	devAddr, err := kr.New("dev", "dev")
	if err != nil {
		return types.Address{}, false, err
	}
	cfg := node.DefaultConfig()
	cfg.RPCAddr = rpc
	allocs := []node.Alloc{{Address: devAddr, Micro: devFunds}}
	for i := 0; i < benchAccounts; i++ {
		allocs = append(allocs, node.Alloc{Address: types.PubkeyAddress(testnet.BenchKey(i)), Micro: devFunds})
	}
	_, err = node.Init(home, node.InitOptions{ChainID: chainID, Config: &cfg, Allocs: allocs})
	return devAddr, true, err
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
