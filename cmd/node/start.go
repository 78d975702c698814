package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

func newStartCmd(g *globals) *cobra.Command {
	var rpcAddr, db string
	var key node.KeyOptions
	var pruneKeep uint64
	var joinSnapshot bool
	var joinTrust []string
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run the node until Ctrl-C (SIGINT) or SIGTERM",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(joinTrust) > 0 && !joinSnapshot {
				return errors.New("--join.trust needs --join.snapshot")
			}
			trust, err := types.ParseAddresses(joinTrust)
			if err != nil {
				return fmt.Errorf("--join.trust: %w", err)
			}
			h := node.Home(g.home)
			cfg, err := node.LoadConfig(h)
			if err != nil {
				return err
			}
			log := g.logger(cfg.LogLevel)
			if t := node.ApplyGCTuning(cfg, os.Getenv); t != (node.GCTuning{}) {
				log.Info("garbage collector tuned from config", "gc_percent", t.GCPercent, "memory_limit_bytes", t.MemoryLimitBytes)
			}
			if joinSnapshot {
				jctx, jstop := signal.NotifyContext(cmd.Context(), syscall.SIGINT, syscall.SIGTERM)
				res, err := node.JoinBySnapshot(jctx, h, node.JoinOptions{Logger: log, Key: key, Trust: trust})
				jstop()
				switch {
				case errors.Is(err, node.ErrHasChain):
					log.Info("not joining by snapshot: the ledger already holds a chain")
				case err != nil:
					return err
				default:
					log.Info("joined by snapshot; syncing the rest", "height", res.Height)
				}
			}
			n, err := node.New(h, node.Options{RPCAddr: rpcAddr, DB: db, Logger: log, Key: key, Fatal: exitFatal, PruneKeepBlocks: pruneKeep})
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			if err := n.Start(ctx); err != nil {
				n.Stop()
				return err
			}
			var runErr error
			select {
			case <-ctx.Done():
				log.Info("shutting down")
			case runErr = <-n.Err():
			}
			if err := n.Stop(); err != nil && runErr == nil {
				runErr = err
			}
			return runErr
		},
	}
	cmd.Flags().StringVar(&rpcAddr, "rpc.addr", "", "RPC listen address (overrides config)")
	cmd.Flags().StringVar(&db, "db", "", "ledger backend: pebble or badger (overrides config)")
	cmd.Flags().StringVar(&key.PasswordFile, "validator-password-file", "", "file holding the encrypted validator key's password (default: config's validator_password_file, then $"+node.PasswordEnv+")")
	cmd.Flags().Uint64Var(&pruneKeep, "prune.keep-blocks", 0, "keep only the last N block bodies, receipts and tx-index entries (headers and certificates stay); 0: config's prune_keep_blocks")
	cmd.Flags().BoolVar(&joinSnapshot, "join.snapshot", false, "if the ledger is empty, fill it from a state snapshot of the p2p_peers (signed by more than a third of the genesis validators) before starting")
	cmd.Flags().StringSliceVar(&joinTrust, "join.trust", nil, "with --join.snapshot: the validator set whose signatures count instead of genesis's, comma-separated addresses (for a chain whose validators changed since genesis: accord query validators on a node you trust)")
	cmd.Flags().BoolVar(&key.InsecurePermissions, "insecure-key-permissions", false, "start even if the validator key file is readable by group or others")
	return cmd
}

// exitFatal ends the process with one line on an error the database cannot
// continue after: the operator needs the cause, not a goroutine dump.
func exitFatal(msg string) {
	fmt.Fprintln(os.Stderr, "Error: "+msg)
	os.Exit(1)
}
