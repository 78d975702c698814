package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

func newInitCmd(g *globals) *cobra.Command {
	var chainID, minFee, rpcAddr, db, profile, mainChain string
	var allocs, admins, roles, params, sideChains []string
	var threshold uint64
	var encryptKey bool
	var passwordFile string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a node home: config, validator key and a genesis with this node as the validator",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			p, err := app.ParseProfile(profile)
			if err != nil {
				return fmt.Errorf("--profile: %w", err)
			}
			o := node.InitOptions{ChainID: chainID, Profile: p}
			for _, s := range sideChains {
				r, err := node.ParseChainRef(s)
				if err != nil {
					return fmt.Errorf("--side-chain: %w", err)
				}
				o.SideChains = append(o.SideChains, r)
			}
			if mainChain != "" {
				r, err := node.ParseChainRef(mainChain)
				if err != nil {
					return fmt.Errorf("--main-chain: %w", err)
				}
				o.MainChain = &r
			}
			for _, a := range allocs {
				al, err := node.ParseAlloc(a)
				if err != nil {
					return err
				}
				o.Allocs = append(o.Allocs, al)
			}
			for _, s := range admins {
				a, err := types.ParseAddress(s)
				if err != nil {
					return fmt.Errorf("--admin: %w", err)
				}
				o.Admins = append(o.Admins, a)
			}
			o.AdminThreshold = threshold
			for _, s := range roles {
				r, err := node.ParseRoleGrant(s)
				if err != nil {
					return fmt.Errorf("--role: %w", err)
				}
				o.Roles = append(o.Roles, r)
			}
			for _, s := range params {
				mod, key, val, err := gov.ParseParam(s)
				if err != nil {
					return fmt.Errorf("--param: %w", err)
				}
				if o.Params == nil {
					o.Params = map[string]map[string]string{}
				}
				if o.Params[mod] == nil {
					o.Params[mod] = map[string]string{}
				}
				o.Params[mod][key] = string(val)
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
			if encryptKey {
				pw, err := initPassword(passwordFile)
				if err != nil {
					return err
				}
				o.KeyPassword = pw
				if passwordFile != "" {
					abs, err := filepath.Abs(passwordFile)
					if err != nil {
						return err
					}
					cfg.ValidatorPasswordFile = abs
				}
			}
			o.Config = &cfg
			h := node.Home(g.home)
			self, err := node.Init(h, o)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(map[string]string{"home": g.home, "chain_id": chainID, "profile": string(p), "validator": self.Hex(),
					"genesis": h.GenesisFile()})
			}
			fmt.Printf("Initialized %s for chain %s (profile %s)\n  validator: %s\n  genesis:   %s\n  start it:  accord start --home %s\n",
				g.home, chainID, p, self.Hex(), h.GenesisFile(), g.home)
			return nil
		},
	}
	cmd.Flags().StringVar(&chainID, "chain-id", "", "chain ID (required)")
	cmd.Flags().StringVar(&profile, "profile", "side", "the chain's module list: side (C2C sidechain) or main (bridged USDT, checkpoints)")
	cmd.Flags().StringArrayVar(&sideChains, "side-chain", nil, "main only: register a side chain's checkpoints, CHAIN_ID=VALIDATOR,VALIDATOR,... (repeatable, one per side chain)")
	cmd.Flags().StringVar(&mainChain, "main-chain", "", "side only: the main chain the light client trusts, CHAIN_ID=VALIDATOR,VALIDATOR,... (its genesis validators)")
	cmd.Flags().StringArrayVar(&allocs, "alloc", nil, "genesis allocation ADDR=AMOUNT (USDT decimal), repeatable")
	cmd.Flags().StringArrayVar(&admins, "admin", nil, "gov admin address, repeatable (default: the validator)")
	cmd.Flags().Uint64Var(&threshold, "admin-threshold", 0, "approvals a gov proposal needs (default: more than 2/3 of the admins)")
	cmd.Flags().StringArrayVar(&roles, "role", nil, "gov role at genesis ADDR=ROLE (kyc_provider, compliance, oracle, arbitrator, bridge_signer), repeatable")
	cmd.Flags().StringArrayVar(&params, "param", nil, "module parameter MODULE.KEY=VALUE in gov's genesis, repeatable (e.g. order.payment_window_ms=60000)")
	cmd.Flags().StringVar(&minFee, "min-fee", "0.01", "minimum transaction fee in USDT")
	cmd.Flags().StringVar(&rpcAddr, "rpc.addr", "", "RPC listen address written to config (default 127.0.0.1:26657; port 0: the OS picks one at each start and clients given --home find it)")
	cmd.Flags().StringVar(&db, "db", "", "ledger backend written to config: pebble or badger")
	cmd.Flags().BoolVar(&encryptKey, "encrypt-key", false, "encrypt the validator key (keystore v3) with the password from --validator-password-file or $"+node.PasswordEnv)
	cmd.Flags().StringVar(&passwordFile, "validator-password-file", "", "file holding the validator key's password (with --encrypt-key); written to config")
	_ = cmd.MarkFlagRequired("chain-id")
	return cmd
}

// initPassword reads the password that encrypts a new validator key.
func initPassword(file string) (string, error) {
	if file != "" {
		raw, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("--validator-password-file: %w", err)
		}
		if pw := strings.TrimRight(string(raw), "\r\n"); pw != "" {
			return pw, nil
		}
		return "", fmt.Errorf("--validator-password-file: %s is empty", file)
	}
	if pw := os.Getenv(node.PasswordEnv); pw != "" {
		return pw, nil
	}
	return "", errors.New("--encrypt-key needs a password: --validator-password-file FILE or $" + node.PasswordEnv)
}
