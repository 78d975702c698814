package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net/http"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/spf13/cobra"
)

// processKey loads a process's key from the keyring of --home, or, with
// name "validator:HOME", a node home's validator key (a testnet's main
// validators are its bridge signers; a side validator runs the producer).
func processKey(g *globals, name, pwFile string) (*ecdsa.PrivateKey, error) {
	if vh, ok := strings.CutPrefix(name, "validator:"); ok {
		return node.LoadValidatorKeyWith(node.Home(vh), node.KeyOptions{PasswordFile: pwFile})
	}
	if pwFile == "" {
		return nil, errors.New("--password-file is required to decrypt the key")
	}
	pw, err := client.ReadPassword(pwFile)
	if err != nil {
		return nil, err
	}
	return g.keyring().Load(name, pw)
}

func newBridgeSignerCmd(g *globals) *cobra.Command {
	var ethURL, mainURL, from, vaultFrom, pwFile, token, vault, devInfo string
	var conf, fromBlock uint64
	var interval time.Duration
	var margin time.Duration
	cmd := &cobra.Command{
		Use:   "bridge-signer",
		Short: "Run a bridge signer: attest external USDT deposits on main, and pay and attest withdrawals",
		Long: `Follows the external chain's ERC-20 Transfer logs into the bridge vault (through ethclient
at --eth), waits --confirmations blocks and attests each deposit on main (--main) with the
key --from (a bridge_signer by gov). The one signer given the vault's key (--vault-from)
also pays approved withdrawals out of the vault, one tagged ERC-20 transfer each; every
signer attests a payout only once it finds it on the external chain, confirmed and matching
the withdrawal. Progress is kept in --home/bridge-signer: the process may be killed at any
point and restarted. Production would hold the vault in a multisig or threshold contract
rather than one key.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := g.logger("info")
			key, err := processKey(g, from, pwFile)
			if err != nil {
				return err
			}
			var vaultKey *ecdsa.PrivateKey
			if vaultFrom != "" {
				if vaultKey, err = processKey(g, vaultFrom, pwFile); err != nil {
					return fmt.Errorf("--vault-from: %w", err)
				}
				vault = crypto.PubkeyToAddress(vaultKey.PublicKey).Hex()
			}
			if devInfo != "" && token == "" {
				info, err := devchain.ReadInfo(devInfo)
				if err != nil {
					return err
				}
				token = info.Token.Hex()
			}
			if !common.IsHexAddress(token) || !common.IsHexAddress(vault) {
				return fmt.Errorf("--token %q and --vault %q (or --vault-from) must be hex addresses", token, vault)
			}
			ctx, stop := signal.NotifyContext(cmdContext(cmd), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			mc, st, err := chainStatus(ctx, "main", mainURL)
			if err != nil {
				return err
			}
			eth, err := ethclient.DialContext(ctx, ethURL)
			if err != nil {
				return fmt.Errorf("external chain %s: %w", ethURL, err)
			}
			defer eth.Close()
			extID, err := eth.ChainID(ctx)
			if err != nil {
				return fmt.Errorf("external chain %s: %w", ethURL, err)
			}
			store, err := sidechain.OpenStore(filepath.Join(g.home, "bridge-signer"), nil)
			if err != nil {
				return err
			}
			defer store.Close()
			s, err := sidechain.NewSigner(sidechain.SignerConfig{MainChainID: st.ChainID, ExtChainID: extID.Uint64(),
				Token: common.HexToAddress(token), Vault: common.HexToAddress(vault), Confirmations: conf, FromBlock: fromBlock,
				Key: key, Fee: st.MinFeeMicro, VaultKey: vaultKey, PayoutMargin: uint64(margin.Milliseconds()), Log: log},
				eth, rpcchain.NewMain(mc), store)
			if err != nil {
				return err
			}
			log.Info("bridge signer running", "signer", types.PubkeyAddress(key).Hex(), "main", mainURL, "main_chain", st.ChainID,
				"eth", ethURL, "ext_chain", extID, "token", token, "vault", vault, "payer", vaultKey != nil, "confirmations", conf)
			return sidechain.Run(ctx, s.Step, interval, log.With("component", "bridge-signer"))
		},
	}
	f := cmd.Flags()
	f.StringVar(&ethURL, "eth", "", "external chain JSON-RPC endpoint (required)")
	f.StringVar(&mainURL, "main", "", "main chain node RPC endpoint (required)")
	f.StringVar(&from, "from", "", "name of the signer's key in --home's keyring, or validator:HOME for a node home's validator key (required)")
	f.StringVar(&pwFile, "password-file", "", passwordFileHelp("the keys' password (required)"))
	f.StringVar(&vaultFrom, "vault-from", "", "name of the vault's key (the one signer that pays withdrawals)")
	f.StringVar(&vault, "vault", "", "the vault's address on the external chain (implied by --vault-from)")
	f.StringVar(&token, "token", "", "the ERC-20's address on the external chain")
	f.StringVar(&devInfo, "devchain", "", "a devchain home: read the token address from its devchain.json")
	f.Uint64Var(&conf, "confirmations", 12, "blocks on top of a deposit or payout before it is attested")
	f.Uint64Var(&fromBlock, "from-block", 0, "first external block to scan (the token's deployment)")
	f.DurationVar(&interval, "interval", 2*time.Second, "time between steps")
	f.DurationVar(&margin, "payout-margin", 5*time.Minute, "do not pay a withdrawal this close to its refund deadline (main block time)")
	for _, r := range []string{"eth", "main", "from"} {
		_ = cmd.MarkFlagRequired(r)
	}
	return cmd
}

func newRelayerCmd(g *globals) *cobra.Command {
	var mainURL, sideURL, from, pwFile string
	var producers []string
	var mainFrom, sideFrom uint64
	var interval time.Duration
	cmd := &cobra.Command{
		Use:   "relayer",
		Short: "Run a relayer between main and a side chain",
		Long: `Carries main headers (with their commit certificates) and locks to the side chain's light
client and bridge, and proves side burns to main once an anchored checkpoint covers them.
Checkpoints with a quorum of side validator signatures are fetched from the side
validators' checkpointers (--checkpointers) and submitted to main. The key --from pays fees
on both chains. Progress is in --home/relayer: the process may be SIGKILLed at any point and
restarted; every step is checked against chain state first and each transaction is
persisted before it is sent, so nothing is sent twice or lost.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := g.logger("info")
			key, err := processKey(g, from, pwFile)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmdContext(cmd), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			mc, mst, err := chainStatus(ctx, "main", mainURL)
			if err != nil {
				return err
			}
			sc, sst, err := chainStatus(ctx, "side", sideURL)
			if err != nil {
				return err
			}
			var cps rpcchain.CheckpointSource
			if len(producers) > 0 {
				cps = rpcchain.ProducerCheckpoints(producers, &http.Client{Timeout: 10 * time.Second})
			}
			store, err := sidechain.OpenStore(filepath.Join(g.home, "relayer"), nil)
			if err != nil {
				return err
			}
			defer store.Close()
			r, err := sidechain.NewRelayer(sidechain.RelayerConfig{SideChainID: sst.ChainID, MainChainID: mst.ChainID, Key: key,
				Fee: max(mst.MinFeeMicro, sst.MinFeeMicro), MainFrom: mainFrom, SideFrom: sideFrom, Log: log},
				rpcchain.NewMain(mc), rpcchain.NewSide(sc, cps), store)
			if err != nil {
				return err
			}
			log.Info("relayer running", "relayer", types.PubkeyAddress(key).Hex(), "main", mainURL, "main_chain", mst.ChainID,
				"side", sideURL, "side_chain", sst.ChainID)
			return sidechain.Run(ctx, r.Step, interval, log.With("component", "relayer"))
		},
	}
	f := cmd.Flags()
	f.StringVar(&mainURL, "main", "", "main chain node RPC endpoint (required)")
	f.StringVar(&sideURL, "side", "", "side chain node RPC endpoint (required)")
	f.StringVar(&from, "from", "", "name of the relayer's key in --home's keyring, or validator:HOME (required)")
	f.StringVar(&pwFile, "password-file", "", passwordFileHelp("the key's password (required)"))
	f.StringSliceVar(&producers, "checkpointers", nil, "the side validators' checkpointer URLs, to fetch completed checkpoints from")
	f.Uint64Var(&mainFrom, "main-from", 0, "first main height to scan (the light client's trust height + 1; default 1)")
	f.Uint64Var(&sideFrom, "side-from", 0, "first side height to scan (default 1)")
	f.DurationVar(&interval, "interval", time.Second, "time between steps")
	for _, r := range []string{"main", "side", "from"} {
		_ = cmd.MarkFlagRequired(r)
	}
	return cmd
}

// chainStatus is a client of the chain (what: "main" or "side") at url and
// its status, which the bridge's processes need first and without which
// they cannot start.
func chainStatus(ctx context.Context, what, url string) (*client.Client, *views.Status, error) {
	c := client.New(url)
	st, err := c.Status(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("%s %s: %w", what, url, err)
	}
	return c, st, nil
}
