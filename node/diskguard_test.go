package node

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

const guardMin = 64 << 20

// singleNode is a one-validator node on a home in a temp dir, its RPC on
// 127.0.0.1:0, with a funded sender.
type singleNode struct {
	t      *testing.T
	home   Home
	sender *ecdsa.PrivateKey
	nonce  uint64
	n      *Node
	free   FreeSpaceFunc
}

func newSingleNode(t *testing.T, home Home, free FreeSpaceFunc, minFree int64, mods ...func(*Config)) *singleNode {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.RPCAddr = "127.0.0.1:0"
	cfg.MaxBlockIntervalMs = 50
	cfg.MinFreeDiskBytes = minFree
	for _, m := range mods {
		m(&cfg)
	}
	if _, err := Init(home, InitOptions{ChainID: "disk-test", Config: &cfg,
		Allocs: []Alloc{{Address: types.PubkeyAddress(k), Micro: 1000 * types.MicroPerUSDT}}}); err != nil {
		t.Fatal(err)
	}
	return &singleNode{t: t, home: home, sender: k, free: free}
}

// open opens the node; start also starts it.
func (s *singleNode) open() (*Node, error) {
	return New(s.home, Options{Logger: slog.New(slog.DiscardHandler), DiskFree: s.free})
}

func (s *singleNode) start() {
	s.t.Helper()
	n, err := s.open()
	if err != nil {
		s.t.Fatal(err)
	}
	if err := n.Start(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	s.n = n
	s.t.Cleanup(func() { n.Stop() })
}

func (s *singleNode) transfer() (types.Hash, error) {
	s.t.Helper()
	tx, err := types.SignTx(&types.Tx{ChainID: "disk-test", Nonce: s.nonce, Type: bank.TypeTransfer,
		Payload: core.Encode(&bank.MsgTransfer{To: types.Address{0xaa}, Amount: 1}), Fee: 10_000}, s.sender)
	if err != nil {
		s.t.Fatal(err)
	}
	h, err := s.n.SubmitTx(tx.Encode())
	if err == nil {
		s.nonce++
	}
	return h, err
}

// waitTx waits until the node has committed h.
func (s *singleNode) waitTx(h types.Hash) {
	s.t.Helper()
	ch, cancel := s.n.SubscribeCommits(16)
	defer cancel()
	deadline := time.After(30 * time.Second)
	for {
		if _, err := s.n.Ledger().Tx(h); err == nil {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			s.t.Fatalf("tx %s not committed", h.Hex())
		}
	}
}

func TestDiskGuard(t *testing.T) {
	var free atomic.Uint64
	free.Store(10 << 30)
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), func(string) (uint64, error) { return free.Load(), nil }, guardMin)
	s.start()
	h1, err := s.transfer()
	if err != nil {
		t.Fatal(err)
	}
	s.waitTx(h1)

	// Below the minimum: transactions refused, nothing written, not ready.
	free.Store(guardMin - 1)
	if err := s.n.disk.check(s.n); err != nil {
		t.Fatal(err)
	}
	if _, err := s.transfer(); !errors.Is(err, ErrDiskLow) || !strings.Contains(err.Error(), "accepts no transactions") {
		t.Fatalf("tx on a low disk: err %v, want ErrDiskLow", err)
	}
	if r := s.n.readiness(); len(r) != 1 || !strings.HasPrefix(r[0], "disk space low") {
		t.Fatalf("readiness %q, want the disk reason", r)
	}
	// A block in flight when the guard tripped may still land; none after.
	ch, cancel := s.n.SubscribeCommits(64)
	h0 := s.n.Ledger().Last().Height
	time.Sleep(20 * s.n.cfg.MaxBlockInterval()) // absence of blocks cannot be awaited
	cancel()
	if h := s.n.Ledger().Last().Height; h > h0+1 {
		t.Fatalf("%d blocks committed while the disk was low (height %d -> %d)", len(ch), h0, h)
	}

	// Just above the minimum is not enough to resume (hysteresis).
	free.Store(guardMin + guardMin/20)
	if err := s.n.disk.check(s.n); err != nil || !s.n.disk.tripped() {
		t.Fatalf("resumed inside the hysteresis band (err %v)", err)
	}
	// Space back: the node resumes by itself.
	free.Store(10 << 30)
	if err := s.n.disk.check(s.n); err != nil || s.n.disk.tripped() {
		t.Fatalf("did not resume with space back (err %v)", err)
	}
	h2, err := s.transfer()
	if err != nil {
		t.Fatal(err)
	}
	s.waitTx(h2)

	// Someone fills the disk: the node stops with one clear line.
	free.Store(guardMin/4 - 1)
	select {
	case err := <-s.n.Err():
		if !errors.Is(err, ErrDiskFull) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("stop error %q, want one line wrapping ErrDiskFull", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("node did not stop on a full disk")
	}
	top := s.n.Ledger().Last().Height
	if err := s.n.Stop(); err != nil {
		t.Fatal(err)
	}

	// Restart on the full disk is refused at once, in one line.
	if _, err := s.open(); !errors.Is(err, ErrDiskLow) || strings.Contains(err.Error(), "\n") {
		t.Fatalf("start on a full disk: err %v, want one line wrapping ErrDiskLow", err)
	}
	// With space back it starts normally, with everything committed.
	free.Store(10 << 30)
	s.start()
	if h := s.n.Ledger().Last().Height; h < top {
		t.Fatalf("restarted at height %d, had committed %d", h, top)
	}
	for _, h := range []types.Hash{h1, h2} {
		if _, err := s.n.Ledger().Tx(h); err != nil {
			t.Fatalf("committed tx %s lost: %v", h.Hex(), err)
		}
	}
	h3, err := s.transfer()
	if err != nil {
		t.Fatal(err)
	}
	s.waitTx(h3)
}
