package testnet

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/types"
)

// BenchmarkC2CWithCheckpoints measures the C2C throughput of a 4-validator
// side chain (in process, libp2p on loopback) with and without its
// checkpoints running: orders created, marked paid and confirmed per
// second. Both runs have a one-validator main chain beside the side chain;
// the checkpointed run adds a checkpoint producer per side validator
// (reading its node over JSON-RPC, votes passed in process) and a relayer
// anchoring each checkpoint on main, every ACCORD_BENCH_CP_INTERVAL (16)
// side blocks. One iteration runs ACCORD_BENCH_PAIRS (2) pairs of runs,
// interleaved plain, checkpointed, plain, ..., each on fresh chains, for
// ACCORD_BENCH_SECONDS (20) of load; it logs every run and reports the
// ratio of the checkpointed runs' mean to the plain runs'. With
// ACCORD_BENCH_CP_NOCACHE=1 each round adds a checkpointed run whose
// producers have no block cache and read raw blocks (every step re-reads
// the open range, receipts and all). Run
// it alone:
//
//	go test ./testnet -run '^$' -bench C2CWithCheckpoints -benchtime 1x
func BenchmarkC2CWithCheckpoints(b *testing.B) {
	pairs, secs, interval := envInt(b, "ACCORD_BENCH_PAIRS", 2), envInt(b, "ACCORD_BENCH_SECONDS", 20), envInt(b, "ACCORD_BENCH_CP_INTERVAL", 16)
	modes := []benchMode{plain, checkpointed}
	if os.Getenv("ACCORD_BENCH_CP_NOCACHE") != "" {
		modes = append(modes, cpNoCache)
	}
	for i := 0; i < b.N; i++ {
		runs := map[benchMode][]float64{}
		n := 0
		for p := 0; p < pairs; p++ {
			for _, m := range modes {
				r := runC2CBench(b, m, time.Duration(secs)*time.Second, uint64(interval))
				n++
				b.Logf("run %d %-24s %s", n, m.String()+":", r)
				runs[m] = append(runs[m], r.ordersPerSec)
			}
		}
		mp, mc := mean(runs[plain]), mean(runs[checkpointed])
		b.ReportMetric(mp, "orders/s-plain")
		b.ReportMetric(mc, "orders/s-checkpointed")
		b.ReportMetric(mc/mp, "ratio")
		b.Logf("plain %.1f, checkpointed %.1f orders/s: ratio %.3f (runs %v; GOMAXPROCS %d)", mp, mc, mc/mp, runs, runtime.GOMAXPROCS(0))
		if rs := runs[cpNoCache]; len(rs) > 0 {
			b.ReportMetric(mean(rs)/mp, "ratio-nocache")
			b.Logf("checkpointed without the producers' block cache %.1f orders/s: ratio %.3f", mean(rs), mean(rs)/mp)
		}
	}
}

// benchMode is one variant of BenchmarkC2CWithCheckpoints' runs.
type benchMode int

const (
	plain        benchMode = iota // no producers, no relayer
	checkpointed                  // producers (with a block cache, as accord checkpointer) and relayer
	cpNoCache                     // the same, the producers re-reading every raw block (receipts and all) every step
)

func (m benchMode) String() string {
	return [...]string{"plain", "checkpointed", "checkpointed-nocache"}[m]
}

func envInt(b *testing.B, name string, def int) int {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.Atoi(s)
	if err != nil || v <= 0 {
		b.Fatalf("%s=%q: want a positive integer", name, s)
	}
	return v
}

func mean(xs []float64) float64 {
	var s float64
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}

type c2cBenchResult struct {
	orders       uint64
	seconds      float64
	ordersPerSec float64
	sideBlocks   uint64
	anchored     uint64 // checkpoints main anchored
	load1        string
}

func (r c2cBenchResult) String() string {
	return fmt.Sprintf("%d orders completed in %.1fs = %.1f orders/s (%.0f tx/s), %d side blocks, %d checkpoints anchored, load average %s",
		r.orders, r.seconds, r.ordersPerSec, 3*r.ordersPerSec, r.sideBlocks, r.anchored, r.load1)
}

func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(raw) < 14 {
		return "?"
	}
	return string(raw[:14])
}

const (
	benchMainID = "accord-main"
	benchSideID = "accord-side-1"
	c2cWorkers  = 16 // merchant–acceptor pairs, one fiat currency each
	c2cWave     = 40 // orders a worker has in flight
)

// runC2CBench starts a main and a side chain (and, withCP, the checkpoint
// producers and the relayer), sets up the C2C actors and runs the load.
func runC2CBench(b *testing.B, mode benchMode, d time.Duration, interval uint64) c2cBenchResult {
	b.Helper()
	withCP := mode != plain
	quiet := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithTimeout(context.Background(), d+5*time.Minute)
	defer cancel()
	mainC, err := NewCluster(b.TempDir(), ClusterOptions{Validators: 1, ChainID: benchMainID, Profile: app.Main, Logger: quiet,
		SideChains: []LinkedChain{{ChainID: benchSideID, Validators: 4}}})
	if err != nil {
		b.Fatal(err)
	}
	defer mainC.Close()
	big := strconv.FormatUint(1<<62, 10)
	sideC, err := NewCluster(b.TempDir(), ClusterOptions{Validators: 4, ChainID: benchSideID, Profile: app.Side, Logger: quiet,
		MainChain: &LinkedChain{ChainID: benchMainID, Validators: 1}, BenchAccounts: 2*c2cWorkers + 2,
		Params: map[string]map[string]string{
			risk.ModuleName: {risk.ParamVelocityMax: "1000000", risk.ParamPairMax: "1000000", risk.ParamVolumeMax: big,
				risk.ParamNewLarge: big, risk.ParamStructMax: "1000000"},
			acceptor.ModuleName: {acceptor.ParamRampAge: "0", acceptor.ParamRampOrders: "0", acceptor.ParamNewDailyLimit: big,
				acceptor.ParamMaxDailyLimit: big, acceptor.ParamNewOrderLimit: big, acceptor.ParamMaxOrderLimit: big},
			oracle.ModuleName: {oracle.ParamMinPosts: "1"},
		}})
	if err != nil {
		b.Fatal(err)
	}
	defer sideC.Close()
	if err := mainC.WaitAll(ctx, 1); err != nil {
		b.Fatal(err)
	}
	if err := sideC.WaitAll(ctx, 1); err != nil {
		b.Fatal(err)
	}
	side := newC2CLoad(b, ctx, sideC)
	side.setup()

	var wg sync.WaitGroup
	runCtx, stopRun := context.WithCancel(ctx)
	defer func() { stopRun(); wg.Wait() }()
	if withCP {
		startCheckpointing(b, runCtx, &wg, mainC, sideC, interval, side.fee, mode == cpNoCache)
	}
	startH := sideC.Node(0).Ledger().Last().Height
	start := time.Now()
	before := side.completed()
	side.run(d)
	elapsed := time.Since(start)
	done := side.completed() - before
	r := c2cBenchResult{orders: done, seconds: elapsed.Seconds(), ordersPerSec: float64(done) / elapsed.Seconds(),
		sideBlocks: sideC.Node(0).Ledger().Last().Height - startH, load1: loadAverage()}
	if c, err := (checkpoint.Keeper{}).Chain(mainC.Node(0).Ledger().ReadState(), benchSideID); err == nil {
		r.anchored = c.LastNumber
	}
	if withCP && r.anchored == 0 {
		b.Fatalf("checkpointed run anchored no checkpoint: %s", r)
	}
	return r
}

// startCheckpointing runs a producer per side validator and a relayer.
func startCheckpointing(b *testing.B, ctx context.Context, wg *sync.WaitGroup, mainC, sideC *Cluster, interval, fee uint64, noCache bool) {
	quiet := slog.New(slog.DiscardHandler)
	mainURL := mainC.URLs()[0]
	prods := make([]*sidechain.Producer, 4)
	for i := range prods {
		var cache *rpcchain.BlockCache // as accord checkpointer has, which reads headers alone
		chainID := benchSideID
		if !noCache {
			cache = rpcchain.NewBlockCache(4096)
		} else {
			chainID = "" // as before: every step re-reads raw blocks with their receipts
		}
		st, err := sidechain.OpenStore(b.TempDir(), nil)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { st.Close() })
		prods[i], err = sidechain.NewProducer(sidechain.ProducerConfig{ChainID: benchSideID, Interval: interval, Key: ValidatorKey(benchSideID, i), Log: quiet},
			rpcchain.SideBlocks{Side: rpcchain.NewSide(client.New(sideC.URLs()[i]), nil), Cache: cache, ChainID: chainID}, localGossip{prods: prods, self: i},
			rpcchain.MainAnchors{Main: rpcchain.NewMain(client.New(mainURL))}, st)
		if err != nil {
			b.Fatal(err)
		}
	}
	cps := func(_ context.Context, n uint64) (*checkpoint.MsgSubmit, error) {
		for _, p := range prods {
			if m, err := p.Completed(n); err != nil || m != nil {
				return m, err
			}
		}
		return nil, nil
	}
	st, err := sidechain.OpenStore(b.TempDir(), nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	r, err := sidechain.NewRelayer(sidechain.RelayerConfig{SideChainID: benchSideID, MainChainID: benchMainID, Key: DevKey(), Fee: fee, Log: quiet},
		rpcchain.NewMain(client.New(mainURL)), rpcchain.NewSide(client.New(sideC.URLs()[0]), cps), st)
	if err != nil {
		b.Fatal(err)
	}
	const step = 100 * time.Millisecond // as the checkpointer and relayer commands default to
	for _, p := range prods {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = sidechain.Run(ctx, func(context.Context) error { return p.Step() }, step, quiet)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_ = sidechain.Run(ctx, r.Step, step, quiet)
	}()
}

// localGossip hands a vote to the other producers in process.
type localGossip struct {
	prods []*sidechain.Producer
	self  int
}

func (g localGossip) Broadcast(v *sidechain.Vote) error {
	for i, p := range g.prods {
		if i != g.self && p != nil {
			_ = p.HandleVote(v)
		}
	}
	return nil
}

// c2cLoad drives the C2C flow on a side cluster: worker i is merchant
// BenchKey(i), served by acceptor BenchKey(c2cWorkers+i), the only one
// taking fiat currency i, so every order's acceptor is known when it is
// created and each worker keeps its own nonces.
type c2cLoad struct {
	b       *testing.B
	ctx     context.Context
	c       *Cluster
	chainID string
	fee     uint64
	nonces  map[types.Address]uint64
	mu      sync.Mutex
}

func newC2CLoad(b *testing.B, ctx context.Context, c *Cluster) *c2cLoad {
	st, err := c.Client(0).Status(ctx)
	if err != nil {
		b.Fatal(err)
	}
	return &c2cLoad{b: b, ctx: ctx, c: c, chainID: st.ChainID, fee: st.MinFeeMicro, nonces: map[types.Address]uint64{}}
}

func merchantKey(i int) *ecdsa.PrivateKey { return BenchKey(i) }
func acceptorKey(i int) *ecdsa.PrivateKey { return BenchKey(c2cWorkers + i) }

var (
	kycKey    = func() *ecdsa.PrivateKey { return BenchKey(2 * c2cWorkers) }
	oracleKey = func() *ecdsa.PrivateKey { return BenchKey(2*c2cWorkers + 1) }
)

func (l *c2cLoad) tx(key *ecdsa.PrivateKey, typ types.TxType, msg any) *types.Tx {
	a := types.PubkeyAddress(key)
	l.mu.Lock()
	n, ok := l.nonces[a]
	if !ok {
		acc, err := l.c.Client(0).Account(l.ctx, a)
		if err != nil {
			l.mu.Unlock()
			l.b.Fatal(err)
		}
		n = acc.Nonce
	}
	l.nonces[a] = n + 1
	l.mu.Unlock()
	tx, err := types.SignTx(&types.Tx{ChainID: l.chainID, Nonce: n, Type: typ, Payload: core.Encode(msg), Fee: l.fee}, key)
	if err != nil {
		l.b.Fatal(err)
	}
	return tx
}

// commit submits txs to node `at` and waits until the last is committed;
// every one must have succeeded when check is set (setup), else only the
// last (the load counts completions on chain).
func (l *c2cLoad) commit(at int, txs []*types.Tx, check bool) error {
	cl := l.c.Client(at % 4)
	res, err := cl.SendTxs(l.ctx, txs)
	if err != nil {
		return err
	}
	for i, r := range res {
		if r.Error != "" {
			return fmt.Errorf("tx %d refused: %s", i, r.Error)
		}
	}
	last := txs[len(txs)-1].Hash()
	for {
		rc, err := cl.Receipt(l.ctx, last)
		if err != nil {
			return err
		}
		if rc != nil {
			if rc.Status != "ok" {
				return fmt.Errorf("tx %s failed: %s", last.Hex(), rc.Error)
			}
			break
		}
		select {
		case <-l.ctx.Done():
			return l.ctx.Err()
		case <-time.After(40 * time.Millisecond):
		}
	}
	if check {
		for _, tx := range txs[:len(txs)-1] {
			rc, err := cl.WaitReceipt(l.ctx, tx.Hash())
			if err != nil || rc.Status != "ok" {
				return fmt.Errorf("setup tx %s: %v %+v", tx.Hash().Hex(), err, rc)
			}
		}
	}
	return nil
}

func (l *c2cLoad) must(at int, txs ...*types.Tx) {
	l.b.Helper()
	if err := l.commit(at, txs, true); err != nil {
		l.b.Fatal(err)
	}
}

// setup grants the KYC provider and oracle roles, attests the merchants
// and acceptors, posts a rate of 1 fiat unit per USDT for each worker's
// currency, and registers the acceptors with float and margin.
func (l *c2cLoad) setup() {
	dev := DevKey()
	l.must(0, l.tx(dev, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.GrantRoleAction(types.PubkeyAddress(kycKey()), gov.RoleKYCProvider),
		gov.GrantRoleAction(types.PubkeyAddress(oracleKey()), gov.RoleOracle)}, Memo: "c2c bench"}))
	blk, err := l.c.Client(0).Block(l.ctx, 0) // the latest
	if err != nil {
		l.b.Fatal(err)
	}
	expires := blk.Time + 300*24*3600*1000
	var txs []*types.Tx
	var posts []oracle.RatePost
	curs := oracle.Currencies()
	for i := 0; i < c2cWorkers; i++ {
		for lvl, k := range map[uint8]*ecdsa.PrivateKey{2: merchantKey(i), 3: acceptorKey(i)} {
			a := types.PubkeyAddress(k)
			txs = append(txs, l.tx(kycKey(), kyc.TypeAttest, &kyc.MsgAttest{Account: a, Level: lvl, ExpiresAt: expires, Country: "SG",
				RecordHash: types.Keccak([]byte("bench record"), a[:])}))
		}
		posts = append(posts, oracle.RatePost{Currency: curs[i].Code, Rate: 100_000_000})
	}
	txs = append(txs, l.tx(oracleKey(), oracle.TypePostRates, &oracle.MsgPostRates{Rates: posts}))
	l.must(0, txs...)
	txs = nil
	const deposit = 200_000 * types.MicroPerUSDT
	for i := 0; i < c2cWorkers; i++ {
		k, cur := acceptorKey(i), curs[i].Code
		txs = append(txs,
			l.tx(k, acceptor.TypeRegister, &acceptor.MsgRegister{Currencies: []string{cur},
				Methods: []acceptor.PaymentMethod{{Currency: cur, Kind: "bank_transfer", DetailsHash: types.Keccak([]byte(cur))}}}),
			l.tx(k, acceptor.TypeDepositFloat, &acceptor.MsgDepositFloat{Amount: deposit}),
			l.tx(k, acceptor.TypeDepositMargin, &acceptor.MsgDepositMargin{Amount: deposit}))
	}
	l.must(0, txs...)
}

// completed is the orders the acceptors completed, as the chain counts.
func (l *c2cLoad) completed() uint64 {
	var n uint64
	for i := 0; i < c2cWorkers; i++ {
		v, err := l.c.Client(0).Acceptor(l.ctx, types.PubkeyAddress(acceptorKey(i)))
		if err != nil {
			l.b.Fatal(err)
		}
		n += v.Stats.Completed
	}
	return n
}

// run has every worker create, mark paid and confirm waves of c2cWave
// orders until d has passed; it returns when the last wave is done.
func (l *c2cLoad) run(d time.Duration) {
	deadline := time.Now().Add(d)
	curs := oracle.Currencies()
	var wg sync.WaitGroup
	var failed atomic.Value
	var seq atomic.Uint64
	for i := 0; i < c2cWorkers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, a := merchantKey(i), acceptorKey(i)
			cur := curs[i]
			fiat := uint64(10)
			for range cur.Decimals {
				fiat *= 10 // 10 fiat units: 10 USDT at the posted rate
			}
			for time.Now().Before(deadline) {
				ids := make([]types.Hash, c2cWave)
				var creates, paid, confirms []*types.Tx
				for j := range ids {
					ref := fmt.Sprintf("bench-%d-%d", i, seq.Add(1))
					ids[j] = order.OrderID(types.PubkeyAddress(m), ref)
					creates = append(creates, l.tx(m, order.TypeCreate, &order.MsgCreate{Currency: cur.Code, FiatAmount: fiat, MerchantRef: ref}))
				}
				for _, id := range ids {
					paid = append(paid, l.tx(m, order.TypeMarkPaid, &order.MsgMarkPaid{ID: id, PaymentRef: types.Keccak(id[:])}))
					confirms = append(confirms, l.tx(a, order.TypeConfirm, &order.MsgConfirm{ID: id}))
				}
				for _, step := range [][]*types.Tx{creates, paid, confirms} {
					if err := l.commit(i, step, false); err != nil {
						failed.CompareAndSwap(nil, fmt.Errorf("worker %d: %w", i, err))
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil && !errors.Is(err, context.Canceled) {
		l.b.Fatal(err)
	}
}
