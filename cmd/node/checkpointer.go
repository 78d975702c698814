package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

func newCheckpointerCmd(g *globals) *cobra.Command {
	var sideURL, mainURL, from, pwFile, listen string
	var peers []string
	var interval time.Duration
	var every, first uint64
	cmd := &cobra.Command{
		Use:   "checkpointer",
		Short: "Run a side validator's checkpoint producer",
		Long: `Builds the side chain's checkpoints (every --checkpoint-interval blocks, at least every
30 minutes of block time, never across a validator-set change), signs each once with the
side validator's key (--from; validator:HOME for a node home's key), and exchanges votes
with the other validators' checkpointers over HTTP (--peers; it serves POST /vote and
GET /checkpoint/N on --listen). A relayer fetches completed checkpoints from
GET /checkpoint/N and submits them to main. Signed checkpoints are kept in
--home/checkpointer: it never signs two different checkpoints for one number, across
restarts too.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := g.logger("info")
			key, err := processKey(g, from, pwFile)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmdContext(cmd), syscall.SIGINT, syscall.SIGTERM)
			defer stop()
			sc, sst, err := chainStatus(ctx, "side", sideURL)
			if err != nil {
				return err
			}
			store, err := sidechain.OpenStore(filepath.Join(g.home, "checkpointer"), nil)
			if err != nil {
				return err
			}
			defer store.Close()
			hc := &http.Client{Timeout: 5 * time.Second}
			var urls []string
			for _, p := range peers {
				if p = strings.TrimRight(strings.TrimSpace(p), "/"); p != "" {
					urls = append(urls, p)
				}
			}
			p, err := sidechain.NewProducer(sidechain.ProducerConfig{ChainID: sst.ChainID, FirstHeight: first, Interval: every, Key: key, Log: log},
				rpcchain.SideBlocks{Side: rpcchain.NewSide(sc, nil), Cache: rpcchain.NewBlockCache(cacheBlocks(every)), ChainID: sst.ChainID}, rpcchain.Peers{URLs: urls, HTTP: hc, Log: log},
				rpcchain.MainAnchors{Main: rpcchain.NewMain(client.New(mainURL))}, store)
			if err != nil {
				return err
			}
			l, err := net.Listen("tcp", listen)
			if err != nil {
				return fmt.Errorf("checkpointer: listen %s: %w", listen, err)
			}
			srv := &http.Server{Handler: rpcchain.ProducerHandler(p), ReadHeaderTimeout: 10 * time.Second}
			served := make(chan error, 1)
			go func() { served <- srv.Serve(l) }()
			defer srv.Close()
			if err := writeListening(g.home, l.Addr().String()); err != nil {
				return err
			}
			defer removeListening(g.home)
			fmt.Fprintf(cmd.OutOrStdout(), "checkpointer   http://%s (side %s, validator %s)\n", l.Addr(), sst.ChainID, types.PubkeyAddress(key).Hex())
			log.Info("checkpointer running", "listen", l.Addr().String(), "side", sideURL, "side_chain", sst.ChainID, "main", mainURL,
				"validator", types.PubkeyAddress(key).Hex(), "peers", len(urls))
			err = sidechain.Run(ctx, func(context.Context) error { return p.Step() }, interval, log.With("component", "checkpointer"))
			select {
			case serr := <-served:
				if !errors.Is(serr, http.ErrServerClosed) {
					return serr
				}
			default:
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&sideURL, "side", "", "side chain node RPC endpoint (required)")
	f.StringVar(&mainURL, "main", "", "main chain node RPC endpoint (required)")
	f.StringVar(&from, "from", "", "the side validator's key: a name in --home's keyring, or validator:HOME (required)")
	f.StringVar(&pwFile, "password-file", "", passwordFileHelp("the key's password"))
	f.StringVar(&listen, "listen", "127.0.0.1:26800", "HTTP address for the peers' votes and the relayers (port 0: the OS picks one, recorded in --home/data/listen.json)")
	f.StringSliceVar(&peers, "peers", nil, "the other side validators' checkpointer URLs")
	f.DurationVar(&interval, "interval", time.Second, "time between steps")
	f.Uint64Var(&every, "checkpoint-interval", sidechain.DefaultInterval, "side blocks per checkpoint at most (as every validator must use)")
	f.Uint64Var(&first, "first-height", 1, "start of checkpoint 1, as registered on main")
	for _, r := range []string{"side", "main", "from"} {
		_ = cmd.MarkFlagRequired(r)
	}
	return cmd
}

// cacheBlocks is how many side headers a checkpointer keeps: a few open
// checkpoints' ranges, so each block is read from the node once.
func cacheBlocks(interval uint64) int {
	return int(min(max(8*interval, 4096), 1<<16))
}
