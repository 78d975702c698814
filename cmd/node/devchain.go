package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/spf13/cobra"
)

// cmdContext is the command's context (tests cancel it), else Background.
func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

func newDevchainCmd(g *globals) *cobra.Command {
	var listen, usdt string
	var accounts int
	var fund []string
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "devchain",
		Short: "Run a local Ethereum-compatible dev chain with the TestUSDT token (for the bridge)",
		Long: `Runs go-ethereum's chain in-process (a real EVM, sealed by go-ethereum's simulated
beacon as in geth --dev), serving the standard Ethereum JSON-RPC over HTTP. On first
start it deploys the checked-in TestUSDT (contracts/bridge/evm) and funds dev accounts
with ETH and USDT; their keys are fixed and printed: local use only. The endpoint,
token address and accounts are written to devchain.json in --home for the bridge
signers and scripts. Blocks are sealed when transactions arrive and every
--block-interval. State persists in --home across restarts.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			micro, err := types.ParseUSDT(usdt)
			if err != nil {
				return fmt.Errorf("--usdt: %w", err)
			}
			var funded []common.Address
			for _, f := range fund {
				if !common.IsHexAddress(f) {
					return fmt.Errorf("--fund %q: not a hex address", f)
				}
				funded = append(funded, common.HexToAddress(f))
			}
			if err := os.MkdirAll(g.home, 0o700); err != nil {
				return err
			}
			log := g.logger("info")
			c, err := devchain.Start(devchain.Config{Dir: g.home, Accounts: accounts, USDT: micro, Fund: funded, BlockInterval: interval, Log: log})
			if err != nil {
				return err
			}
			defer c.Close()
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("devchain: listen %s: %w", listen, err)
			}
			if err := c.Serve(l); err != nil {
				_ = l.Close()
				return err
			}
			info := c.Info()
			if g.jsonOut {
				if err := printJSON(info); err != nil {
					return err
				}
			} else {
				out := cmd.OutOrStdout()
				fmt.Fprintf(out, "devchain RPC   %s (chain ID %d)\n", info.RPC, info.ChainID)
				fmt.Fprintf(out, "TestUSDT       %s (minter %s)\n", info.Token, info.Minter)
				for i, a := range info.Accounts {
					fmt.Fprintf(out, "account %-6d %s key %s\n", i, a.Address, a.PrivateKey)
				}
				fmt.Fprintf(out, "info file      %s/%s\n", g.home, devchain.InfoFile)
			}
			ctx, stop := signal.NotifyContext(cmdContext(cmd), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			<-ctx.Done()
			log.Info("shutting down")
			return c.Close()
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", "127.0.0.1:8545", "HTTP JSON-RPC listen address (port 0 picks a free one; see devchain.json)")
	f.IntVar(&accounts, "accounts", 4, "dev accounts to fund (first start only)")
	f.StringVar(&usdt, "usdt", "1000000", "TestUSDT minted to each dev account (first start only)")
	f.StringSliceVar(&fund, "fund", nil, "further addresses to give ETH for gas, e.g. the bridge vault (first start only)")
	f.DurationVar(&interval, "block-interval", 2*time.Second, "seal an empty block this often (0: only when transactions arrive)")
	return cmd
}
