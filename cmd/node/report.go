package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/accordnet/accord/ledger"
	ledgerkv "github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/report"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

// parseReportTime reads --from/--to: a date (UTC midnight; as --to it
// means the end of that day, so --from D --to D is the whole day D) or an
// RFC 3339 time (exact). It returns unix ms.
func parseReportTime(s string, end bool) (uint64, error) {
	if d, err := time.Parse(time.DateOnly, s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return uint64(d.UnixMilli()), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0, fmt.Errorf("%q is neither a date (2006-01-02) nor an RFC 3339 time (2006-01-02T15:04:05Z)", s)
	}
	if t.Before(time.Unix(0, 0)) {
		return 0, fmt.Errorf("%q is before 1970", s)
	}
	return uint64(t.UnixMilli()), nil
}

func newReportCmd(g *globals) *cobra.Command {
	var from, to, kind, format, threshold, out string
	var every time.Duration
	cmd := &cobra.Command{
		Use:   "report --kind large-tx|freezes|disputes|kyc|orders [--from DATE] [--to DATE] [--format csv|json] [--threshold USDT]",
		Short: "Write a compliance report from this home's store (committed events, streamed)",
		Long: "Write a compliance report: the committed events of one kind in a block-time range, read from the\n" +
			"store under --home (a stopped node's, or a copy of it), one block at a time, so memory stays flat\n" +
			"however long the range. DATE is 2006-01-02 (UTC; --to includes that whole day) or an RFC 3339\n" +
			"time (--to exclusive). Without --from the report starts at genesis; without --to it runs to the\n" +
			"last block. large-tx reports transfers of at least --threshold USDT (default: all). Rows keep the\n" +
			"chain's attribute values verbatim (amounts in micro-USDT, times in block-time ms). Progress lines\n" +
			"go to stderr every --progress-every; the report goes to stdout or --out.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := report.ParseKind(kind)
			if err != nil {
				return withUsage(cmd, err)
			}
			q := report.Query{Kind: k, To: ^uint64(0)}
			if from != "" {
				if q.From, err = parseReportTime(from, false); err != nil {
					return withUsage(cmd, fmt.Errorf("--from: %w", err))
				}
			}
			if to != "" {
				if q.To, err = parseReportTime(to, true); err != nil {
					return withUsage(cmd, fmt.Errorf("--to: %w", err))
				}
			}
			if threshold != "" {
				if k != report.LargeTx {
					return withUsage(cmd, report.ErrThreshold)
				}
				if q.Threshold, err = types.ParseUSDT(threshold); err != nil {
					return withUsage(cmd, fmt.Errorf("--threshold: %w", err))
				}
			}
			if q.To <= q.From {
				return withUsage(cmd, fmt.Errorf("%w: --to is not after --from", report.ErrBadRange))
			}
			f := report.Format(strings.ToLower(format))
			if f != report.CSV && f != report.JSON {
				return withUsage(cmd, fmt.Errorf("%w: --format %q", report.ErrUnknownFormat, format))
			}

			home := node.Home(g.home)
			cfg, err := node.LoadConfig(home)
			if err != nil {
				return err
			}
			if _, err := os.Stat(home.LedgerDir()); err != nil {
				return fmt.Errorf("no store at %s: %w", home.LedgerDir(), err)
			}
			l, err := ledger.Open(cfg.DB, home.LedgerDir(), ledgerkv.Options{ReadOnly: true})
			if err != nil {
				return fmt.Errorf("open the store read-only (is the node running? stop it, or report from a copy): %w", err)
			}
			defer l.Close()

			var dst io.Writer = cmd.OutOrStdout()
			var file *os.File
			if out != "" && out != "-" {
				if file, err = os.Create(out); err != nil {
					return err
				}
				defer file.Close()
				dst = file
			}
			bw := bufio.NewWriterSize(dst, 256<<10)
			w, err := report.NewWriter(bw, f, k)
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			defer stop()
			errOut := cmd.ErrOrStderr()
			start := time.Now()
			var progress report.Progress
			if every > 0 {
				progress = func(h, lo, hi uint64, rows int64) {
					pct := 100.0
					if hi > lo {
						pct = float64(h-lo) * 100 / float64(hi-lo)
					}
					fmt.Fprintf(errOut, "report %s: block %d of %d..%d (%.1f%%), %d rows, %s\n",
						k, h, lo, hi, pct, rows, time.Since(start).Round(time.Millisecond))
				}
			}
			st, err := report.Run(ctx, l, q, w.Write, progress, every)
			if err != nil {
				return err
			}
			if err := w.Close(); err != nil {
				return err
			}
			if err := bw.Flush(); err != nil {
				return err
			}
			if file != nil {
				if err := file.Close(); err != nil {
					return err
				}
			}
			if st.Blocks == 0 {
				fmt.Fprintf(errOut, "report %s: no block in the range\n", k)
			} else {
				fmt.Fprintf(errOut, "report %s: %d rows from %d events in blocks %d..%d, %s\n",
					k, st.Rows, st.Events, st.From, st.To, time.Since(start).Round(time.Millisecond))
			}
			if err := report.RecordSuccess(g.home, k, time.Now()); err != nil {
				// The report is written; only the metric will lag.
				fmt.Fprintf(errOut, "report %s: cannot record its success for the node's metrics: %v\n", k, err)
			}
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&kind, "kind", "", "large-tx, freezes, disputes, kyc or orders")
	fl.StringVar(&from, "from", "", "first day (2006-01-02, UTC) or time (RFC 3339); default genesis")
	fl.StringVar(&to, "to", "", "last day (inclusive) or end time (exclusive); default the last block")
	fl.StringVar(&format, "format", "csv", "csv or json")
	fl.StringVar(&threshold, "threshold", "", "large-tx only: smallest transfer reported, in USDT")
	fl.StringVar(&out, "out", "", "write the report to this file instead of stdout")
	fl.DurationVar(&every, "progress-every", 2*time.Second, "interval of progress lines on stderr; 0 for none")
	_ = cmd.MarkFlagRequired("kind")
	return cmd
}
