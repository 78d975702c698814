package testnet

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/internal/parallel"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// BenchKey is the i-th load-generator account key. Testnets fund these in
// genesis (see InitOptions.BenchAccounts) so a benchmark needs no setup.
func BenchKey(i int) *ecdsa.PrivateKey {
	h := types.Keccak([]byte(fmt.Sprintf("accord-bench-key-%d", i)))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

// BenchConfig describes a load run.
type BenchConfig struct {
	URLs      []string      // nodes to submit to (round-robin by batch; a batch a node cannot take goes to the next)
	Duration  time.Duration // how long to submit
	Rate      int           // target submitted tx/s; 0 = as fast as the nodes accept
	Accounts  int           // sending accounts (BenchKey(0..Accounts-1))
	BatchSize int           // transactions per accord_sendRawTransactions call
	Drain     time.Duration // how long to wait for the last transactions to finalize
	Progress  io.Writer     // a progress line per second; nil for none
	// SubmitTimeout bounds one batch submission, so a frozen node costs a
	// batch this long before it goes elsewhere; default 5 s.
	SubmitTimeout time.Duration
}

// BenchReport is the outcome of a load run.
type BenchReport struct {
	Submitted    int     `json:"submitted"`
	Rejected     int     `json:"rejected"`
	Retried      int     `json:"retried"` // submitted again to another node after one could not take them
	Finalized    int     `json:"finalized"`
	Seconds      float64 `json:"seconds"`
	FinalizedTPS float64 `json:"finalized_tps"`
	SubmittedTPS float64 `json:"submitted_tps"`
	P50Ms        float64 `json:"finality_p50_ms"`
	P95Ms        float64 `json:"finality_p95_ms"`
	P99Ms        float64 `json:"finality_p99_ms"`
	MaxMs        float64 `json:"finality_max_ms"`
	Blocks       int     `json:"blocks"`
	BlocksPerSec float64 `json:"blocks_per_sec"`
	TxsPerBlock  float64 `json:"txs_per_block"`
	FirstReject  string  `json:"first_reject,omitempty"`
	// Final lists the transactions seen committed, for checks after a run.
	Final   []types.Hash `json:"-"`
	Machine string       `json:"machine"`
}

// String renders the report for people.
func (r BenchReport) String() string {
	return fmt.Sprintf("submitted %d (%.0f tx/s), rejected %d, retried %d, finalized %d in %.1fs: %.0f tx/s finalized\n"+
		"finality latency p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms\n"+
		"blocks %d (%.1f/s, %.0f txs/block); machine: %s",
		r.Submitted, r.SubmittedTPS, r.Rejected, r.Retried, r.Finalized, r.Seconds, r.FinalizedTPS,
		r.P50Ms, r.P95Ms, r.P99Ms, r.MaxMs, r.Blocks, r.BlocksPerSec, r.TxsPerBlock, r.Machine)
}

type benchTx struct {
	tx   *types.Tx
	hash types.Hash
}

// Bench pre-signs transfers from many accounts, submits them to the nodes
// and measures, per transaction, the time from submission to its block
// being final (first seen committed on any node: every node is watched, so
// a dead one does not stop the measurement). A batch a node cannot take
// (unreachable, or no answer within SubmitTimeout) is sent to the next
// node, so a dead node leaves no nonce gaps; the report counts those
// transactions as retried.
func Bench(ctx context.Context, cfg BenchConfig) (*BenchReport, error) {
	if len(cfg.URLs) == 0 {
		return nil, errors.New("bench: no node URLs")
	}
	if cfg.Accounts <= 0 {
		cfg.Accounts = 1000
	}
	if cfg.BatchSize <= 0 {
		cfg.BatchSize = 500
	}
	if cfg.Drain <= 0 {
		cfg.Drain = 15 * time.Second
	}
	if cfg.SubmitTimeout <= 0 {
		cfg.SubmitTimeout = 5 * time.Second
	}
	clients := make([]*client.Client, len(cfg.URLs))
	for i, u := range cfg.URLs {
		clients[i] = client.New(u)
	}
	var st *views.Status
	var live *client.Client
	var err error
	for _, c := range clients { // the first node that answers
		if st, err = c.Status(ctx); err == nil {
			live = c
			break
		}
	}
	if live == nil {
		return nil, fmt.Errorf("bench: no node answers: %w", err)
	}
	txs, err := presign(ctx, live, st.ChainID, st.MinFeeMicro, cfg)
	if err != nil {
		return nil, err
	}
	progress(cfg.Progress, "pre-signed %d transfers from %d accounts; submitting for %s", len(txs), cfg.Accounts, cfg.Duration)

	var (
		mu        sync.Mutex
		submitted = make(map[types.Hash]time.Time, len(txs))
		latencies []time.Duration
		final     []types.Hash
		nSub      atomic.Int64
		nRej      atomic.Int64
		nRetried  atomic.Int64
		firstRej  atomic.Value
	)
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()

	// Watch committed blocks on every node; a transaction is final when
	// the first node commits it, a block counts once per height.
	startHeight := st.Height
	var blocks, blockTxs atomic.Int64
	var counted atomic.Uint64 // highest height counted in blocks
	counted.Store(startHeight)
	var lastFinal atomic.Int64
	stopWatch := make(chan struct{})
	// Cancelled with stopWatch, so a block read in flight (to a node that
	// is shutting down, say) does not hold the report back.
	watchCtx, stopWatchers := context.WithCancel(runCtx)
	defer stopWatchers()
	var watchers sync.WaitGroup
	for _, c := range clients {
		watchers.Add(1)
		go func() {
			defer watchers.Done()
			watchBlocks(watchCtx, stopWatch, c, startHeight+1, func(b *views.Block) {
				now := time.Now()
				// Each watcher walks heights in order, so whoever first
				// sees a height moves counted up by exactly one.
				for top := counted.Load(); b.Height > top; top = counted.Load() {
					if counted.CompareAndSwap(top, b.Height) {
						blocks.Add(1)
						blockTxs.Add(int64(len(b.Txs)))
						break
					}
				}
				mu.Lock()
				found := false
				for _, hs := range b.Txs {
					th, _ := types.ParseHash(hs)
					if t0, ok := submitted[th]; ok {
						latencies = append(latencies, now.Sub(t0))
						final = append(final, th)
						delete(submitted, th)
						found = true
					}
				}
				mu.Unlock()
				if found {
					lastFinal.Store(now.UnixNano())
				}
			})
		}()
	}

	start := time.Now()
	var next atomic.Int64 // index of the next batch
	nBatches := (len(txs) + cfg.BatchSize - 1) / cfg.BatchSize
	workers := 4 * len(clients)
	var wg sync.WaitGroup
	deadline := start.Add(cfg.Duration)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= nBatches || time.Now().After(deadline) || runCtx.Err() != nil {
					return
				}
				if cfg.Rate > 0 { // open loop: batch i is due at i*batch/rate
					due := start.Add(time.Duration(float64(i*cfg.BatchSize) / float64(cfg.Rate) * float64(time.Second)))
					if d := time.Until(due); d > 0 {
						time.Sleep(d)
					}
				}
				lo, hi := i*cfg.BatchSize, min((i+1)*cfg.BatchSize, len(txs))
				batch := make([]*types.Tx, 0, hi-lo)
				now := time.Now()
				mu.Lock()
				for _, bt := range txs[lo:hi] {
					batch = append(batch, bt.tx)
					submitted[bt.hash] = now
				}
				mu.Unlock()
				res, tries, err := sendAnywhere(runCtx, clients, i, batch, cfg.SubmitTimeout)
				if tries > 1 {
					nRetried.Add(int64(len(batch)))
				}
				if err != nil {
					if runCtx.Err() == nil {
						firstRej.CompareAndSwap(nil, err.Error())
						nRej.Add(int64(len(batch)))
						mu.Lock()
						for _, bt := range txs[lo:hi] {
							delete(submitted, bt.hash)
						}
						mu.Unlock()
					}
					continue
				}
				nSub.Add(int64(len(batch)))
				for j, r := range res {
					// A node that died after admitting (and gossiping) part
					// of the batch: the rest of the network already has it.
					if r.Error != "" && tries > 1 && strings.Contains(r.Error, "already in mempool") {
						continue
					}
					if r.Error != "" {
						nRej.Add(1)
						firstRej.CompareAndSwap(nil, r.Error)
						mu.Lock()
						delete(submitted, txs[lo+j].hash)
						mu.Unlock()
					}
				}
			}
		}(w)
	}
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	subDone := make(chan struct{})
	go func() { wg.Wait(); close(subDone) }()
	report := func(phase string) {
		mu.Lock()
		fin, pend := len(latencies), len(submitted)
		mu.Unlock()
		el := time.Since(start).Seconds()
		progress(cfg.Progress, "%s t=%.0fs submitted=%d rejected=%d retried=%d finalized=%d pending=%d blocks=%d (%.0f tx/s finalized)",
			phase, el, nSub.Load(), nRej.Load(), nRetried.Load(), fin, pend, blocks.Load(), float64(fin)/el)
	}
loop:
	for {
		select {
		case <-subDone:
			break loop
		case <-tick.C:
			report("load")
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	submitEnd := time.Now()
	drainUntil := time.Now().Add(cfg.Drain)
	for time.Now().Before(drainUntil) {
		mu.Lock()
		pend := len(submitted)
		mu.Unlock()
		if pend == 0 {
			break
		}
		select {
		case <-tick.C:
			report("drain")
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	close(stopWatch)
	stopWatchers()
	watchers.Wait()
	mu.Lock()
	defer mu.Unlock()
	end := time.Unix(0, lastFinal.Load())
	if end.Before(submitEnd) {
		end = submitEnd
	}
	r := &BenchReport{Submitted: int(nSub.Load()), Rejected: int(nRej.Load()), Retried: int(nRetried.Load()), Finalized: len(latencies),
		Seconds: end.Sub(start).Seconds(), Blocks: int(blocks.Load()), Final: final,
		Machine: fmt.Sprintf("%d CPUs, %s/%s", runtime.NumCPU(), runtime.GOOS, runtime.GOARCH)}
	if s, ok := firstRej.Load().(string); ok {
		r.FirstReject = s
	}
	r.FinalizedTPS = float64(r.Finalized) / r.Seconds
	r.SubmittedTPS = float64(r.Submitted) / submitEnd.Sub(start).Seconds()
	r.BlocksPerSec = float64(r.Blocks) / r.Seconds
	if r.Blocks > 0 {
		r.TxsPerBlock = float64(blockTxs.Load()) / float64(r.Blocks)
	}
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	pct := func(p float64) float64 {
		if len(latencies) == 0 {
			return math.NaN()
		}
		i := int(math.Ceil(p*float64(len(latencies)))) - 1
		return float64(latencies[max(i, 0)].Microseconds()) / 1000
	}
	r.P50Ms, r.P95Ms, r.P99Ms, r.MaxMs = pct(0.50), pct(0.95), pct(0.99), pct(1)
	return r, nil
}

// sendAnywhere submits batch to clients[i mod n], and on a transport error
// or timeout (not a JSON-RPC error: that node is alive and answered) to the
// following nodes in turn. tries is how many nodes were asked.
func sendAnywhere(ctx context.Context, clients []*client.Client, i int, batch []*types.Tx, timeout time.Duration) (res []views.BatchResult, tries int, err error) {
	for k := range clients {
		c := clients[(i+k)%len(clients)]
		sctx, cancel := context.WithTimeout(ctx, timeout)
		res, err = c.SendTxs(sctx, batch)
		cancel()
		tries++
		if err == nil || wire.CodeOf(err) != 0 || ctx.Err() != nil {
			return res, tries, err
		}
	}
	return nil, tries, err
}

// watchBlocks calls seen for each block c commits from height from on,
// until stop closes or ctx ends. A node that cannot be reached is polled
// again a little later: it may be restarting.
func watchBlocks(ctx context.Context, stop <-chan struct{}, c *client.Client, from uint64, seen func(*views.Block)) {
	for h := from; ; {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		b, err := c.Block(ctx, h)
		if err != nil {
			wait := 200 * time.Millisecond // unreachable
			if wire.CodeOf(err) != 0 {
				wait = 5 * time.Millisecond // the block is not there yet: poll the head
			}
			select {
			case <-stop:
				return
			case <-ctx.Done():
				return
			case <-time.After(wait):
			}
			continue
		}
		seen(b)
		h++
	}
}

// presign signs enough transfers for the run, spread round-robin over the
// accounts so each account's transactions are submitted in nonce order.
func presign(ctx context.Context, c *client.Client, chainID string, fee uint64, cfg BenchConfig) ([]benchTx, error) {
	total := cfg.Rate * int(math.Ceil(cfg.Duration.Seconds()))
	if cfg.Rate <= 0 {
		total = 20_000 * int(math.Ceil(cfg.Duration.Seconds()))
	}
	perAcc := (total + cfg.Accounts - 1) / cfg.Accounts
	keys := make([]*ecdsa.PrivateKey, cfg.Accounts)
	nonces := make([]uint64, cfg.Accounts)
	var wg sync.WaitGroup
	errs := make(chan error, cfg.Accounts)
	sem := make(chan struct{}, 16)
	for i := range keys {
		keys[i] = BenchKey(i)
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			acc, err := c.Account(ctx, types.PubkeyAddress(keys[i]))
			if err != nil {
				errs <- err
				return
			}
			if acc.BalanceMicro == 0 {
				errs <- fmt.Errorf("bench account %d (%s) has no funds: create the testnet with bench accounts", i, acc.Address)
				return
			}
			nonces[i] = acc.PendingNonce
		}(i)
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, err
	}
	out := make([]benchTx, perAcc*cfg.Accounts)
	sink := types.Address{0xbe, 0x0c}
	payload := core.Encode(&bank.MsgTransfer{To: sink, Amount: 1})
	parallel.ForEach(len(out), 0, func(k int) {
		round, acc := k/cfg.Accounts, k%cfg.Accounts
		tx, err := types.SignTx(&types.Tx{ChainID: chainID, Nonce: nonces[acc] + uint64(round), Type: bank.TypeTransfer, Payload: payload, Fee: fee}, keys[acc])
		if err != nil {
			panic(err)
		}
		out[k] = benchTx{tx: tx, hash: tx.Hash()}
	})
	return out, nil
}

func progress(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, time.Now().Format("15:04:05")+" "+format+"\n", args...)
	}
}
