package main

import (
	"fmt"

	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

func newInitCmd(g *globals) *cobra.Command {
	var chainID, minFee, rpcAddr, db string
	var allocs []string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: config, validator key and a genesis with this node as the validator",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			o := node.InitOptions{ChainID: chainID}
			for _, a := range allocs {
				al, err := node.ParseAlloc(a)
				if err != nil {
					return err
				}
				o.Allocs = append(o.Allocs, al)
			}
			fee, err := types.ParseUSDT(minFee)
			if err != nil {
				return fmt.Errorf("--min-fee: %w", err)
			}
			o.MinFee = fee
			cfg := node.DefaultConfig()
			if rpcAddr != "" {
				cfg.RPCAddr = rpcAddr
			}
			if db != "" {
				cfg.DB = db
			}
			o.Config = &cfg
			h := node.Home(g.home)
			self, err := node.Init(h, o)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(map[string]string{"home": g.home, "chain_id": chainID, "validator": self.Hex(), "genesis": h.GenesisFile()})
			}
			fmt.Printf("Initialized %s for chain %s\n  validator: %s\n  genesis:   %s\n  start it:  node start --home %s\n",
				g.home, chainID, self.Hex(), h.GenesisFile(), g.home)
			return nil
		},
	}
	cmd.Flags().StringVar(&chainID, "chain-id", "", "chain ID (required)")
	cmd.Flags().StringArrayVar(&allocs, "alloc", nil, "genesis allocation ADDR=AMOUNT (USDT decimal), repeatable")
	cmd.Flags().StringVar(&minFee, "min-fee", "0.01", "minimum transaction fee in USDT")
	cmd.Flags().StringVar(&rpcAddr, "rpc.addr", "", "RPC listen address written to config (default 127.0.0.1:26657)")
	cmd.Flags().StringVar(&db, "db", "", "ledger backend written to config: pebble or badger")
	_ = cmd.MarkFlagRequired("chain-id")
	return cmd
}
