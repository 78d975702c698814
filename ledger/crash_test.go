//go:build unix

package ledger_test

// Crash safety: a child process (this test binary, running TestCrashChild)
// commits blocks of transfers into a ledger directory and is killed with
// SIGKILL at random points, over and over on the same directory. After each
// kill the parent reopens the store and checks that it is exactly at a
// committed height, at or after the last one the child reported, and that its
// state is the one an independent in-memory replay (and plain arithmetic over
// the transfer plan) gives.
//
// Replay a failure with ACCORD_CRASH_SEED=<seed printed by the test>; the
// kill points depend on the seed, their exact timing on the machine.

import (
	"bufio"
	"bytes"
	"crypto/ecdsa"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/ledgertest"
	"github.com/accordnet/accord/types"
)

const (
	crashEnvDir     = "ACCORD_CRASH_CHILD_DIR"
	crashEnvBackend = "ACCORD_CRASH_CHILD_BACKEND"
	crashEnvSeed    = "ACCORD_CRASH_SEED"

	crashAccounts = 400
	crashBlockTxs = 200
	// Genesis funds each account with 1,000,000 USDT (ledgertest.New).
	crashGenesisBalance = 1_000_000 * types.MicroPerUSDT
)

// transferPlan is the j-th transfer of block h (h >= 1) on a chain of
// accounts funded accounts with perBlock transfers per block: accounts send
// in turn (so each sender's nonce follows from h and j), to a pseudo-random
// other account. It is a pure function, so a restarted process rebuilds
// exactly the block it was killed in the middle of.
func transferPlan(accounts, perBlock, h uint64, j int) (from, nonce, to, amount uint64) {
	seq := (h-1)*perBlock + uint64(j)
	from = seq % accounts
	nonce = seq / accounts
	to = (from + 1 + (seq*2_654_435_761)%(accounts-1)) % accounts
	return from, nonce, to, 1 + seq%1_000
}

// crashKeys are the deterministic keys ledgertest.New funds.
var crashKeys = sync.OnceValues(func() ([]*ecdsa.PrivateKey, []types.Address) {
	keys := make([]*ecdsa.PrivateKey, crashAccounts)
	addrs := make([]types.Address, crashAccounts)
	for i := range keys {
		keys[i] = ledgertest.DeterministicKey(uint64(i))
		addrs[i] = types.PubkeyAddress(keys[i])
	}
	return keys, addrs
})

// crashTxs signs the transactions of block h.
func crashTxs(keys []*ecdsa.PrivateKey, addrs []types.Address, h uint64) []*types.Tx {
	txs := make([]*types.Tx, crashBlockTxs)
	for j := range txs {
		from, nonce, to, amount := transferPlan(crashAccounts, crashBlockTxs, h, j)
		txs[j] = ledgertest.SignTransfer(keys[from], nonce, addrs[to], amount)
	}
	return txs
}

// TestCrashChild is the process the crash test kills. It does nothing unless
// the parent set crashEnvDir.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		return
	}
	// Die with the parent: it holds our stdin open until it has killed us.
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(3)
	}()
	l, err := ledger.Open(os.Getenv(crashEnvBackend), dir, kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("open %d\n", l.Last().Height)
	c, err := ledgertest.New(l, crashAccounts)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("genesis")
	addrs := make([]types.Address, len(c.Keys))
	for i, k := range c.Keys {
		addrs[i] = types.PubkeyAddress(k)
	}
	deadline := time.Now().Add(2 * time.Minute) // the parent kills us long before
	for time.Now().Before(deadline) {
		h := l.Last().Height + 1
		x, dropped, err := c.Produce(crashTxs(c.Keys, addrs, h))
		if err != nil {
			t.Fatalf("block %d: %v", h, err)
		}
		if len(dropped) > 0 {
			t.Fatalf("block %d: %d dropped, first: %v", h, len(dropped), dropped[0].Err)
		}
		if x.Block.Height() != h {
			t.Fatalf("block %d committed as %d", h, x.Block.Height())
		}
		fmt.Printf("committed %d\n", h)
	}
	t.Fatal("not killed in time")
}

func TestCrashRecovery(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(crashEnvSeed); s != "" {
		var err error
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("%s: %v", crashEnvSeed, err)
		}
	}
	t.Logf("seed %d (replay with %s=%d)", seed, crashEnvSeed, seed)
	for _, tc := range []struct {
		backend string
		kills   int
	}{
		{kv.BackendPebble, 50},
		{kv.BackendBadger, 25},
	} {
		if testing.Short() {
			tc.kills /= 5
		}
		t.Run(tc.backend, func(t *testing.T) {
			h := fnv.New64a()
			h.Write([]byte(tc.backend))
			rng := rand.New(rand.NewPCG(seed, h.Sum64()))
			cr := &crashRun{t: t, seed: seed, backend: tc.backend, dir: t.TempDir(), printed: -1}
			cr.model = newCrashModel(t)
			start := time.Now()
			for cr.kills < tc.kills {
				cr.runChild(rng)
				cr.verify()
			}
			t.Logf("%s: %d kills, %d child runs, height %d, %s", tc.backend, cr.kills, cr.runs, cr.model.height, time.Since(start).Round(time.Millisecond))
		})
	}
}

// crashRun is one backend's sequence of child runs on one directory.
type crashRun struct {
	t          *testing.T
	seed       uint64
	backend    string
	dir        string
	printed    int64 // highest height a child reported committed, -1 if none
	sawGenesis bool  // a child reported genesis written
	kills      int
	runs       int
	model      *crashModel
}

func (cr *crashRun) fatalf(format string, args ...any) {
	cr.t.Helper()
	cr.t.Fatalf("seed %d, %s, after kill %d: %s", cr.seed, cr.backend, cr.kills, fmt.Sprintf(format, args...))
}

// runChild starts a child on the directory and kills it at a random point:
// a random short delay after a randomly chosen line of its output. The
// delay spans a block's whole life (signing, execution, batch, fsync).
func (cr *crashRun) runChild(rng *rand.Rand) {
	cr.t.Helper()
	cr.runs++
	triggerLine := "open"
	if rng.IntN(10) > 0 { // mostly mid-chain; sometimes during start-up and genesis
		triggerLine = "committed"
	}
	afterLines := 1 + rng.IntN(3)
	delay := time.Duration(0)
	if rng.IntN(4) > 0 {
		delay = time.Duration(rng.Int64N(int64(25 * time.Millisecond)))
	}
	if triggerLine == "open" {
		afterLines, delay = 1, time.Duration(rng.Int64N(int64(80*time.Millisecond)))
	}

	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1", "-test.timeout=5m")
	cmd.Env = append(os.Environ(), crashEnvDir+"="+cr.dir, crashEnvBackend+"="+cr.backend)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		cr.t.Fatal(err)
	}
	defer stdin.Close()
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cr.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cr.t.Fatal(err)
	}
	var killOnce sync.Once
	kill := func() { killOnce.Do(func() { _ = cmd.Process.Kill() }) }
	stalled := time.AfterFunc(30*time.Second, kill) // a hung child fails the test, not the suite
	defer stalled.Stop()

	var out []string
	seen := 0
	armed := false
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		out = append(out, line)
		if h, ok := strings.CutPrefix(line, "committed "); ok {
			n, err := strconv.ParseInt(h, 10, 64)
			if err != nil {
				cr.fatalf("child printed %q", line)
			}
			cr.printed = max(cr.printed, n)
		}
		if line == "genesis" {
			cr.sawGenesis = true
		}
		if !armed && strings.HasPrefix(line, triggerLine) {
			if seen++; seen == afterLines {
				armed = true
				if delay == 0 {
					kill()
				} else {
					time.AfterFunc(delay, kill)
				}
			}
		}
	}
	// Stdout is at EOF: the child is gone and every line it wrote is read.
	err = cmd.Wait()
	ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus)
	if !armed || !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		cr.fatalf("child was not killed by us (armed %v): %v\nstdout:\n%s\nstderr:\n%s",
			armed, err, strings.Join(out, "\n"), stderr.String())
	}
	cr.kills++
}

// verify reopens the directory and checks it against what the child
// reported and against the model.
func (cr *crashRun) verify() {
	cr.t.Helper()
	l, err := ledger.Open(cr.backend, cr.dir, kv.Options{})
	if err != nil {
		cr.fatalf("reopen: %v", err)
	}
	defer l.Close()
	if !l.Initialized() {
		if cr.sawGenesis {
			cr.fatalf("genesis was reported written but the store is empty")
		}
		return
	}
	last := l.Last()
	h := last.Height
	if int64(h) < cr.printed {
		cr.fatalf("store at height %d, child reported %d committed", h, cr.printed)
	}
	if l.ChainID() != ledgertest.ChainID {
		cr.fatalf("chain %q", l.ChainID())
	}

	// The last block is complete: block, receipts, certificate, hash index,
	// tx index, and meta agree.
	if h > 0 {
		blk, err := l.Block(h)
		if err != nil {
			cr.fatalf("block %d: %v", h, err)
		}
		hdr := blk.Header
		if blk.Hash() != last.Hash || hdr.Height != h || hdr.StateRoot != last.AppHash || hdr.Time != last.Time {
			cr.fatalf("meta %+v does not match block %d (hash %s, header %+v)", last, h, blk.Hash().Hex(), hdr)
		}
		if len(blk.Txs) != crashBlockTxs {
			cr.fatalf("block %d has %d txs", h, len(blk.Txs))
		}
		rs, err := l.Receipts(h)
		if err != nil {
			cr.fatalf("receipts %d: %v", h, err)
		}
		if len(rs) != len(blk.Txs) || types.ReceiptRoot(rs) != hdr.ReceiptRoot {
			cr.fatalf("receipts of block %d: %d, root mismatch or wrong count", h, len(rs))
		}
		// Stored bytes are the canonical encodings.
		if raw, err := l.DB().Get(heightKey("b/r/", h)); err != nil || !bytes.Equal(raw, types.EncodeReceipts(rs)) {
			cr.fatalf("stored receipts of block %d are not canonical (%v)", h, err)
		}
		if raw, err := l.BlockRaw(h); err != nil || !bytes.Equal(raw, blk.Encode()) {
			cr.fatalf("stored block %d is not canonical (%v)", h, err)
		}
		for i, tx := range blk.Txs {
			if rs[i].TxHash != tx.Hash() || rs[i].Status != types.StatusOK {
				cr.fatalf("receipt %d of block %d: %+v", i, h, rs[i])
			}
			th, ti, err := l.TxLocation(tx.Hash())
			if err != nil || th != h || ti != i {
				cr.fatalf("tx %d of block %d indexed at %d/%d: %v", i, h, th, ti, err)
			}
		}
		cert, err := l.Cert(h)
		if err != nil {
			cr.fatalf("certificate %d: %v", h, err)
		}
		vals, err := l.ValidatorSet(h)
		if err != nil {
			cr.fatal(err)
		}
		if cert.Height != h || cert.BlockHash != last.Hash {
			cr.fatalf("certificate %d is for %d/%s", h, cert.Height, cert.BlockHash.Hex())
		}
		if err := cert.Verify(ledgertest.ChainID, vals); err != nil {
			cr.fatalf("certificate %d: %v", h, err)
		}
		if hh, err := l.HeightOf(last.Hash); err != nil || hh != h {
			cr.fatalf("hash index of block %d: %d, %v", h, hh, err)
		}
	}
	// Nothing of the next block.
	next := h + 1
	if _, err := l.Block(next); !errors.Is(err, ledger.ErrNotFound) {
		cr.fatalf("block %d after last %d: %v", next, h, err)
	}
	if _, err := l.Receipts(next); !errors.Is(err, ledger.ErrNotFound) {
		cr.fatalf("receipts %d after last %d: %v", next, h, err)
	}
	if _, err := l.Cert(next); !errors.Is(err, ledger.ErrNotFound) {
		cr.fatalf("certificate %d after last %d: %v", next, h, err)
	}
	for i, tx := range cr.model.txs(next) {
		if _, _, err := l.TxLocation(tx.Hash()); !errors.Is(err, ledger.ErrNotFound) {
			cr.fatalf("tx %d of uncommitted block %d is indexed: %v", i, next, err)
		}
	}

	// The state is what replaying blocks 1..h from genesis gives.
	cr.model.advance(cr, l, h)
	if got := cr.model.ledger.Last(); got != last {
		cr.fatalf("replay ends at %+v, store at %+v", got, last)
	}
	cr.model.compareState(cr, l)
}

// heightKey is the ledger's key of a per-height record (ledger/keys.go).
func heightKey(prefix string, h uint64) []byte {
	return binary.BigEndian.AppendUint64([]byte(prefix), h)
}

func (cr *crashRun) fatal(err error) {
	cr.t.Helper()
	cr.fatalf("%v", err)
}

// crashModel replays the stored blocks into an in-memory ledger and keeps
// the balances and nonces the transfer plan implies, by plain arithmetic.
type crashModel struct {
	ledger   *ledger.Ledger
	chain    *ledgertest.Chain
	height   uint64
	balances []uint64 // per account
	treasury uint64
	blocks   map[uint64][]*types.Tx
}

func newCrashModel(t *testing.T) *crashModel {
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	c, err := ledgertest.New(l, crashAccounts)
	if err != nil {
		t.Fatal(err)
	}
	m := &crashModel{ledger: l, chain: c, balances: make([]uint64, crashAccounts), blocks: map[uint64][]*types.Tx{}}
	for i := range m.balances {
		m.balances[i] = crashGenesisBalance
	}
	return m
}

// txs returns the planned transactions of block h, signed once.
func (m *crashModel) txs(h uint64) []*types.Tx {
	if txs, ok := m.blocks[h]; ok {
		return txs
	}
	keys, addrs := crashKeys()
	txs := crashTxs(keys, addrs, h)
	m.blocks[h] = txs
	return txs
}

// advance replays the stored blocks up to height to.
func (m *crashModel) advance(cr *crashRun, l *ledger.Ledger, to uint64) {
	cr.t.Helper()
	_, addrs := crashKeys()
	for h := m.height + 1; h <= to; h++ {
		blk, err := l.Block(h)
		if err != nil {
			cr.fatalf("block %d (last %d): %v", h, to, err)
		}
		cert, err := l.Cert(h)
		if err != nil {
			cr.fatalf("certificate %d (last %d): %v", h, to, err)
		}
		planned := m.txs(h)
		if len(blk.Txs) != len(planned) {
			cr.fatalf("block %d has %d txs, planned %d", h, len(blk.Txs), len(planned))
		}
		for j, tx := range blk.Txs {
			if tx.Hash() != planned[j].Hash() {
				cr.fatalf("tx %d of block %d is not the planned one", j, h)
			}
			// Same bytes as a transaction we signed: the sender is known.
			from, _, to, amount := transferPlan(crashAccounts, crashBlockTxs, h, j)
			tx.SetSender(addrs[from], nil)
			m.balances[from] -= amount + ledgertest.MinFee
			m.balances[to] += amount
			m.treasury += ledgertest.MinFee
		}
		x, err := m.ledger.Execute(blk, m.chain.App)
		if err != nil {
			cr.fatalf("replay of block %d: %v", h, err)
		}
		if err := m.ledger.Commit(x, cert); err != nil {
			cr.fatalf("replay commit of block %d: %v", h, err)
		}
		delete(m.blocks, h)
		m.height = h
	}
}

// compareState checks the store's state key by key against the replay, and
// the bank's view of it against the plan's arithmetic.
func (m *crashModel) compareState(cr *crashRun, l *ledger.Ledger) {
	cr.t.Helper()
	type kvPair struct{ k, v []byte }
	dump := func(l *ledger.Ledger) []kvPair {
		var out []kvPair
		l.State().Iterate(nil, nil, false, func(k, v []byte) bool {
			out = append(out, kvPair{k, v})
			return true
		})
		return out
	}
	got, want := dump(l), dump(m.ledger)
	if len(got) != len(want) {
		cr.fatalf("store has %d state keys, replay %d", len(got), len(want))
	}
	for i := range got {
		if !bytes.Equal(got[i].k, want[i].k) || !bytes.Equal(got[i].v, want[i].v) {
			cr.fatalf("state differs at %q: %x, replay %q: %x", got[i].k, got[i].v, want[i].k, want[i].v)
		}
	}

	st := l.State()
	_, addrs := crashKeys()
	total := m.height * crashBlockTxs
	for i, a := range addrs {
		acc := ledgertest.Get(st, a)
		wantNonce := uint64(0)
		if total > uint64(i) {
			wantNonce = (total-1-uint64(i))/crashAccounts + 1
		}
		if acc.Balance != m.balances[i] || acc.Nonce != wantNonce {
			cr.fatalf("account %d at height %d: %+v, want balance %d nonce %d", i, m.height, acc, m.balances[i], wantNonce)
		}
	}
	if got := ledgertest.Balance(st, ledgertest.Treasury); got != m.treasury {
		cr.fatalf("treasury %d, want %d", got, m.treasury)
	}
	if msg, broken := ledgertest.SupplyInvariant(st); broken {
		cr.fatalf("%s", msg)
	}
	if s := ledgertest.Supply(st); s != crashAccounts*crashGenesisBalance {
		cr.fatalf("supply %d, want %d", s, crashAccounts*crashGenesisBalance)
	}
}
