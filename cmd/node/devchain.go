package main

import (
	"context"
	"fmt"
	"math/big"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
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
	var fund, fundUSDT []string
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
			var funded, fundedUSDT []common.Address
			for _, f := range fund {
				if !common.IsHexAddress(f) {
					return fmt.Errorf("--fund %q: not a hex address", f)
				}
				funded = append(funded, common.HexToAddress(f))
			}
			for _, f := range fundUSDT {
				if !common.IsHexAddress(f) {
					return fmt.Errorf("--fund-usdt %q: not a hex address", f)
				}
				fundedUSDT = append(fundedUSDT, common.HexToAddress(f))
			}
			if err := os.MkdirAll(g.home, 0o700); err != nil {
				return err
			}
			log := g.logger("info")
			c, err := devchain.Start(devchain.Config{Dir: g.home, Accounts: accounts, USDT: micro, Fund: funded, FundUSDT: fundedUSDT, BlockInterval: interval, Log: log})
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
			// Written last: whoever waits for it finds the chain serving
			// and devchain.json naming this run's address.
			if err := writeListening(g.home, l.Addr().String()); err != nil {
				return err
			}
			defer removeListening(g.home)
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
	f.StringVar(&listen, "listen", "127.0.0.1:8545", "HTTP JSON-RPC listen address (port 0: the OS picks one, recorded in devchain.json and --home/data/listen.json)")
	f.IntVar(&accounts, "accounts", 4, "dev accounts to fund (first start only)")
	f.StringVar(&usdt, "usdt", "1000000", "TestUSDT minted to each dev account (first start only)")
	f.StringSliceVar(&fundUSDT, "fund-usdt", nil, "further addresses to give ETH and --usdt, e.g. a testnet's dev key (first start only)")
	f.StringSliceVar(&fund, "fund", nil, "further addresses to give ETH for gas, e.g. the bridge vault (first start only)")
	f.DurationVar(&interval, "block-interval", 2*time.Second, "seal an empty block this often (0: only when transactions arrive)")
	cmd.AddCommand(newDevchainSendCmd(g), newDevchainBalanceCmd(g))
	return cmd
}

// newDevchainSendCmd sends TestUSDT on an external chain from a key of
// --home's keyring (the same secp256k1 key is an Ethereum account).
func newDevchainSendCmd(g *globals) *cobra.Command {
	var ethURL, tokenS, from, pwFile, to, amount string
	cmd := &cobra.Command{
		Use:   "send",
		Short: "Transfer TestUSDT on the external chain from a key of --home (e.g. into the bridge vault)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := processKey(g, from, pwFile)
			if err != nil {
				return err
			}
			micro, err := types.ParseUSDT(amount)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			if !common.IsHexAddress(tokenS) || !common.IsHexAddress(to) {
				return fmt.Errorf("--token %q and --to %q must be hex addresses", tokenS, to)
			}
			ctx, cancel := g.ctx()
			defer cancel()
			eth, err := ethclient.DialContext(ctx, ethURL)
			if err != nil {
				return err
			}
			defer eth.Close()
			data, err := evm.TokenABI().Pack("transfer", common.HexToAddress(to), new(big.Int).SetUint64(micro))
			if err != nil {
				return err
			}
			rc, err := devchain.Send(ctx, eth, key, common.HexToAddress(tokenS), data)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(map[string]any{"tx": rc.TxHash, "block": rc.BlockNumber.Uint64()})
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s (block %d)\n", rc.TxHash.Hex(), rc.BlockNumber.Uint64())
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&ethURL, "eth", "http://127.0.0.1:8545", "external chain JSON-RPC endpoint")
	f.StringVar(&tokenS, "token", "", "the ERC-20's address (required)")
	f.StringVar(&from, "from", "", "name of the sending key in --home's keyring (required)")
	f.StringVar(&pwFile, "password-file", "", passwordFileHelp("the key's password (required)"))
	f.StringVar(&to, "to", "", "recipient address (required)")
	f.StringVar(&amount, "amount", "", "USDT (decimal) (required)")
	for _, r := range []string{"token", "from", "to", "amount"} {
		_ = cmd.MarkFlagRequired(r)
	}
	return cmd
}

func newDevchainBalanceCmd(g *globals) *cobra.Command {
	var ethURL, tokenS string
	cmd := &cobra.Command{
		Use:   "balance ADDR",
		Short: "Print an address's TestUSDT balance on the external chain",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !common.IsHexAddress(tokenS) || !common.IsHexAddress(args[0]) {
				return fmt.Errorf("--token %q and %q must be hex addresses", tokenS, args[0])
			}
			ctx, cancel := g.ctx()
			defer cancel()
			eth, err := ethclient.DialContext(ctx, ethURL)
			if err != nil {
				return err
			}
			defer eth.Close()
			data, _ := evm.TokenABI().Pack("balanceOf", common.HexToAddress(args[0]))
			token := common.HexToAddress(tokenS)
			out, err := eth.CallContract(ctx, ethereum.CallMsg{To: &token, Data: data}, nil)
			if err != nil {
				return err
			}
			v := new(big.Int).SetBytes(out)
			if !v.IsUint64() {
				return fmt.Errorf("balance %s does not fit micro-USDT", v)
			}
			fmt.Fprintln(cmd.OutOrStdout(), types.FormatUSDT(v.Uint64()))
			return nil
		},
	}
	cmd.Flags().StringVar(&ethURL, "eth", "http://127.0.0.1:8545", "external chain JSON-RPC endpoint")
	cmd.Flags().StringVar(&tokenS, "token", "", "the ERC-20's address (required)")
	_ = cmd.MarkFlagRequired("token")
	return cmd
}

// writeListening records a service's address in home's listen file (as a
// node's), so a supervisor learns a port the OS picked.
func writeListening(home, addr string) error {
	if err := node.WriteListening(node.Home(home), node.Listening{RPC: addr}); err != nil {
		return fmt.Errorf("write %s: %w", node.Home(home).ListenFile(), err)
	}
	return nil
}

// removeListening removes it on a clean exit.
func removeListening(home string) { _ = os.Remove(node.Home(home).ListenFile()) }
