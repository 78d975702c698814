package sidechain

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/accordnet/accord/types"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
)

// faultyEth is the simulated backend's client with a crash between a
// payout being persisted and sent: while dropSends > 0 a send fails
// without reaching the chain. It records every payout hash sent.
type faultyEth struct {
	EthClient
	dropSends int
	sent      []common.Hash
}

var errCrashed = errors.New("test: crashed before the send")

func (f *faultyEth) SendTransaction(ctx context.Context, tx *ethtypes.Transaction) error {
	f.sent = append(f.sent, tx.Hash())
	if f.dropSends > 0 {
		f.dropSends--
		return errCrashed
	}
	return f.EthClient.SendTransaction(ctx, tx)
}

// payoutEnv is main (the fake chain with the real bridge keeper) and an
// external chain (the simulated backend with TestUSDT), a user who has
// deposited 1,000 USDT (minted on main) and a vault whose key the test holds.
type payoutEnv struct {
	t        *testing.T
	w        *world
	b        *simulated.Backend
	ec       *ethChain
	eth      *faultyEth
	token    common.Address
	vaultKey *ecdsa.PrivateKey
	vault    common.Address
	extTo    common.Address // the withdrawal's recipient on the external chain
	genesis  uint64         // main supply before any deposit
	k        *killer
}

func usdt(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }

func newPayoutEnv(t *testing.T) *payoutEnv {
	w := newWorld(t)
	deployer, _ := crypto.GenerateKey()
	vaultKey, _ := crypto.GenerateKey()
	eth := new(big.Int).Mul(big.NewInt(1e18), big.NewInt(100))
	b := simulated.NewBackend(ethtypes.GenesisAlloc{
		crypto.PubkeyToAddress(deployer.PublicKey): {Balance: eth},
		crypto.PubkeyToAddress(vaultKey.PublicKey): {Balance: eth},
		common.Address(w.users[0].addr):            {Balance: eth},
	})
	t.Cleanup(func() { _ = b.Close() })
	chainID, err := b.Client().ChainID(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	e := &payoutEnv{t: t, w: w, b: b, ec: &ethChain{t: t, b: b, chainID: chainID}, eth: &faultyEth{EthClient: b.Client()},
		vaultKey: vaultKey, vault: crypto.PubkeyToAddress(vaultKey.PublicKey), extTo: common.Address{0xee, 1},
		genesis: bk.Supply(w.main.st), k: &killer{byName: map[string]int{}}}
	e.token = e.ec.send(deployer, nil, evm.TokenBytecode()).ContractAddress
	e.ec.send(deployer, &e.token, e.pack("mint", common.Address(w.users[0].addr), usdt(2000)))
	e.ec.send(w.users[0].key, &e.token, e.pack("transfer", e.vault, usdt(1000)))
	return e
}

func (e *payoutEnv) pack(method string, args ...any) []byte {
	d, err := evm.TokenABI().Pack(method, args...)
	if err != nil {
		e.t.Fatal(err)
	}
	return d
}

func (e *payoutEnv) balance(a common.Address) *big.Int {
	out, err := e.b.Client().CallContract(context.Background(), ethereum.CallMsg{To: &e.token, Data: e.pack("balanceOf", a)}, nil)
	if err != nil {
		e.t.Fatal(err)
	}
	return new(big.Int).SetBytes(out)
}

type signerNode struct {
	fs *vfs.MemFS
	st *Store
	s  *Signer
}

func (e *payoutEnv) open(i int, fs *vfs.MemFS, payer bool, margin uint64) *signerNode {
	e.t.Helper()
	st := memStore(e.t, fs)
	cfg := SignerConfig{MainChainID: mainID, ExtChainID: e.ec.chainID.Uint64(), Token: e.token, Vault: e.vault,
		Confirmations: 2, Key: e.w.signers[i].key, Fee: 10_000, PayoutMargin: margin, Log: quiet}
	if payer {
		cfg.VaultKey = e.vaultKey
	}
	s, err := NewSigner(cfg, e.eth, depositRPC{e.w.main, e.k}, st)
	if err != nil {
		e.t.Fatal(err)
	}
	return &signerNode{fs: fs, st: st, s: s}
}

// crash drops what a node did not sync and restarts it.
func (e *payoutEnv) crash(n *signerNode, i int, payer bool) *signerNode {
	clone := n.fs.CrashClone(vfs.CrashCloneCfg{})
	_ = n.st.Close()
	return e.open(i, clone, payer, 0)
}

// pending is the sum of main's PENDING withdrawals.
func (e *payoutEnv) pending() uint64 {
	var sum uint64
	for id := uint64(1); ; id++ {
		w, err := bridge.Keeper{}.GetWithdrawal(e.w.main.st, id)
		if errors.Is(err, bridge.ErrNotFound) {
			return sum
		}
		if err != nil {
			e.t.Fatal(err)
		}
		if w.State == bridge.WithdrawalPending {
			sum += w.Amount
		}
	}
}

// invariant: the vault holds what main minted (beyond its genesis) plus
// what main burned for payouts not made yet, give or take what is in
// flight: deposits on the external chain not minted yet, and payouts made
// whose withdrawal main has not marked paid. No locks run here, so the
// escrow is empty.
func (e *payoutEnv) invariant() {
	e.t.Helper()
	ctx := context.Background()
	want := new(big.Int).SetUint64(bk.Supply(e.w.main.st) - e.genesis + e.pending())
	in, err := e.b.Client().FilterLogs(ctx, ethereum.FilterQuery{Addresses: []common.Address{e.token},
		Topics: [][]common.Hash{{evm.TransferTopic}, nil, {common.BytesToHash(e.vault[:])}}})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, l := range in {
		d, err := bridge.Keeper{}.GetDeposit(e.w.main.st, bridge.DepositID(e.ec.chainID.Uint64(), types.Hash(l.TxHash), uint64(l.Index)))
		if errors.Is(err, bridge.ErrNotFound) || (err == nil && !d.Minted) {
			want.Add(want, new(big.Int).SetBytes(l.Data))
		}
	}
	s := &Signer{cfg: SignerConfig{MainChainID: mainID}}
	for _, l := range e.vaultPayouts() {
		tx, _, err := e.b.Client().TransactionByHash(ctx, l.TxHash)
		if err != nil {
			e.t.Fatal(err)
		}
		if id, _, _, ok := s.parseTag(tx.Data()); ok {
			if w, err := (bridge.Keeper{}).GetWithdrawal(e.w.main.st, id); err == nil && w.State == bridge.WithdrawalPending {
				want.Sub(want, new(big.Int).SetBytes(l.Data))
			}
		}
	}
	if got := e.balance(e.vault); got.Cmp(want) != 0 {
		e.t.Fatalf("vault holds %s, main and what is in flight account for %s", got, want)
	}
}

// round steps every signer, then seals a main block and an external one.
func (e *payoutEnv) round(nodes []*signerNode) {
	e.t.Helper()
	for _, n := range nodes {
		if err := n.s.Step(context.Background()); err != nil {
			e.t.Fatal(err)
		}
	}
	e.w.main.produce()
	e.invariant()
	e.b.Commit()
	e.invariant()
}

func (e *payoutEnv) vaultPayouts() []ethtypes.Log {
	logs, err := e.b.Client().FilterLogs(context.Background(), ethereum.FilterQuery{Addresses: []common.Address{e.token},
		Topics: [][]common.Hash{{evm.TransferTopic}, {common.BytesToHash(e.vault[:])}}})
	if err != nil {
		e.t.Fatal(err)
	}
	return logs
}

// deposit mints the vault deposit on main, then has the user withdraw
// 400 USDT to extTo.
func (e *payoutEnv) deposit(nodes []*signerNode) {
	e.t.Helper()
	user := e.w.users[0]
	for i := 0; bk.Supply(e.w.main.st) == e.genesis; i++ {
		if i == 10 {
			e.t.Fatal("deposit not minted in 10 rounds")
		}
		e.round(nodes)
	}
	e.w.main.send(user, bridge.TypeWithdraw, &bridge.MsgWithdraw{ExtAddress: types.Address(e.extTo), Amount: 400 * types.MicroPerUSDT})
	e.w.main.produce()
	if w, err := (bridge.Keeper{}).GetWithdrawal(e.w.main.st, 1); err != nil || w.State != bridge.WithdrawalPending {
		e.t.Fatalf("withdrawal %+v %v", w, err)
	}
	e.invariant()
}

// TestSignerPaysWithdrawalsOnce has the payer (signer 0, holding the
// vault key) and a checker (signer 1) settle a 400 USDT withdrawal from
// main on the simulated EVM. The payer crashes after persisting the
// payout but before sending it, then again after sending it, and a third
// payer with an empty store takes over before the payout is confirmed:
// the same transaction is sent each time, exactly one transfer leaves the
// vault, both signers attest it with its hash once confirmed, main marks
// the withdrawal PAID, and the supply invariant holds after every block of
// both chains.
func TestSignerPaysWithdrawalsOnce(t *testing.T) {
	e := newPayoutEnv(t)
	payer := e.open(0, vfs.NewCrashableMem(), true, 0)
	checker := e.open(1, vfs.NewCrashableMem(), false, 0)
	e.deposit([]*signerNode{payer, checker})

	ctx := context.Background()
	e.eth.dropSends = 1
	if err := payer.s.Step(ctx); !errors.Is(err, errCrashed) {
		t.Fatalf("step with a failed send: %v", err)
	}
	if len(e.eth.sent) != 1 {
		t.Fatalf("%d payouts attempted, want 1", len(e.eth.sent))
	}
	payout := e.eth.sent[0]
	payer = e.crash(payer, 0, true)
	if err := payer.s.Step(ctx); err != nil { // re-sends the persisted payout
		t.Fatal(err)
	}
	payer = e.crash(payer, 0, true)
	e.round([]*signerNode{payer, checker}) // mines it; 0 confirmations
	if got := e.balance(e.extTo); got.Cmp(usdt(400)) != 0 {
		t.Fatalf("recipient holds %s after the payout", got)
	}
	// A payer that lost its store finds the unconfirmed payout by its tag.
	payer = e.open(0, vfs.NewCrashableMem(), true, 0)
	for i := 0; ; i++ {
		w, err := bridge.Keeper{}.GetWithdrawal(e.w.main.st, 1)
		if err != nil {
			t.Fatal(err)
		}
		if w.State == bridge.WithdrawalPaid {
			if w.ExtTxHash != types.Hash(payout) || len(w.Attested) != 2 {
				t.Fatalf("paid with %s by %d signers, want %s by 2", w.ExtTxHash.Hex(), len(w.Attested), payout)
			}
			break
		}
		if i == 10 {
			t.Fatalf("withdrawal still %d after 10 rounds", w.State)
		}
		e.round([]*signerNode{payer, checker})
	}
	for _, h := range e.eth.sent {
		if h != payout {
			t.Fatalf("a second payout transaction %s was sent (first %s)", h, payout)
		}
	}
	if logs := e.vaultPayouts(); len(logs) != 1 || logs[0].TxHash != payout {
		t.Fatalf("%d transfers out of the vault, want the one payout", len(logs))
	}
	if got, want := e.balance(e.extTo), usdt(400); got.Cmp(want) != 0 {
		t.Fatalf("recipient holds %s, want %s", got, want)
	}
	if got, want := e.balance(e.vault), usdt(600); got.Cmp(want) != 0 {
		t.Fatalf("vault holds %s, want %s", got, want)
	}
	for _, rc := range e.w.main.included {
		if rc.Status != types.StatusOK {
			t.Fatalf("failed main transaction: %s", rc.Error)
		}
	}
	e.round([]*signerNode{payer, checker}) // forget the closed withdrawal
	for _, n := range []*signerNode{payer, checker} {
		if left := pendingWork(t, n.st); left != 0 {
			t.Fatalf("%d records left in a signer store", left)
		}
	}
}

// TestSignerWithholdsPayouts covers what no signer may do: pay a
// withdrawal close to its refund deadline, or attest a tagged transfer
// out of the vault that does not match the withdrawal.
func TestSignerWithholdsPayouts(t *testing.T) {
	for _, tc := range []struct {
		name string
		// payout is sent by the test with the vault key, if set.
		payout func(e *payoutEnv) []byte
		margin uint64
	}{
		{name: "payer within the margin of the refund deadline does not pay", margin: 2 * 24 * 60 * 60 * 1000},
		{name: "tagged transfer of the wrong amount is not attested", payout: func(e *payoutEnv) []byte {
			tag := PayoutTag(mainID, 1)
			return slices.Concat(e.pack("transfer", e.extTo, usdt(300)), tag[:])
		}},
		{name: "tagged transfer to the wrong recipient is not attested", payout: func(e *payoutEnv) []byte {
			tag := PayoutTag(mainID, 1)
			return slices.Concat(e.pack("transfer", common.Address{0xba, 0xd}, usdt(400)), tag[:])
		}},
		{name: "transfer tagged for another main chain is not attested", payout: func(e *payoutEnv) []byte {
			tag := PayoutTag("accord-other", 1)
			return slices.Concat(e.pack("transfer", e.extTo, usdt(400)), tag[:])
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPayoutEnv(t)
			nodes := []*signerNode{e.open(0, vfs.NewCrashableMem(), tc.payout == nil, tc.margin), e.open(1, vfs.NewCrashableMem(), false, 0)}
			e.deposit(nodes)
			if tc.payout != nil {
				e.ec.send(e.vaultKey, &e.token, tc.payout(e))
				// The test's transfer out of the vault breaks the
				// invariant by design; settle without checking it.
				for range 5 {
					for _, n := range nodes {
						if err := n.s.Step(context.Background()); err != nil {
							t.Fatal(err)
						}
					}
					e.w.main.produce()
					e.b.Commit()
				}
			} else {
				for range 5 {
					e.round(nodes)
				}
			}
			w, err := bridge.Keeper{}.GetWithdrawal(e.w.main.st, 1)
			if err != nil {
				t.Fatal(err)
			}
			if w.State != bridge.WithdrawalPending || len(w.Attested) != 0 {
				t.Fatalf("withdrawal state %d with %d attestations, want PENDING and none", w.State, len(w.Attested))
			}
			if tc.payout == nil && (len(e.eth.sent) != 0 || len(e.vaultPayouts()) != 0) {
				t.Fatalf("%d payouts sent", len(e.eth.sent))
			}
		})
	}
}

func TestPayoutTagParses(t *testing.T) {
	s := &Signer{cfg: SignerConfig{MainChainID: mainID}}
	to := common.Address{7}
	good := slices.Concat(transferSel, common.LeftPadBytes(to[:], 32), common.LeftPadBytes(usdt(5).Bytes(), 32))
	tag := PayoutTag(mainID, 42)
	for _, tc := range []struct {
		name string
		data []byte
		id   uint64
		ok   bool
	}{
		{"transfer with the tag", slices.Concat(good, tag[:]), 42, true},
		{"transfer without a tag", good, 0, false},
		{"tag with a byte more", slices.Concat(good, tag[:], []byte{0}), 0, false},
		{"another selector", slices.Concat([]byte{1, 2, 3, 4}, good[4:], tag[:]), 0, false},
		{"another chain's tag", slices.Concat(good, func() []byte { t := PayoutTag("x", 42); return t[:] }()), 0, false},
	} {
		id, gotTo, v, ok := s.parseTag(tc.data)
		if ok != tc.ok || id != tc.id || (ok && (gotTo != to || v.Cmp(usdt(5)) != 0)) {
			t.Errorf("%s: id %d ok %v to %s value %v", tc.name, id, ok, gotTo, v)
		}
	}
}

// jump seals main's next block at time at, then checks the invariant.
func (e *payoutEnv) jump(at uint64) {
	e.t.Helper()
	next := 1_700_000_000_000 + (e.w.main.height()+1)*1000 + e.w.main.skew
	if at < next {
		e.t.Fatalf("jump back to %d from %d", at, next)
	}
	e.w.main.skew += at - next
	e.w.main.produce()
	e.invariant()
}

func (e *payoutEnv) step(nodes ...*signerNode) {
	e.t.Helper()
	for _, n := range nodes {
		if err := n.s.Step(context.Background()); err != nil {
			e.t.Fatal(err)
		}
	}
}

// TestSignerVoidsPayoutsNotMinedInTime holds the payer's payout in the
// external chain's pool (no block is mined) while main's time runs on.
// Once half the payout margin is left before the refund deadline — or,
// with a payer that was down through the margin, once main refunded the
// withdrawal — the payer replaces the payout at its nonce with a transfer
// of nothing from the vault to itself, re-sends that (not the payout)
// after a crash, and once it is mined main's refund is the only outcome:
// nothing leaves the vault, the user has the 400 USDT back on main, and
// the supply invariant holds throughout. (Before the void, the held
// payout was mined after the refund and the withdrawal was paid twice.)
func TestSignerVoidsPayoutsNotMinedInTime(t *testing.T) {
	const margin = 5 * 60 * 1000 // the default PayoutMargin
	for _, tc := range []struct {
		name string
		// voidAt is main's time when the payer next steps.
		voidAt func(w *bridge.Withdrawal) uint64
	}{
		{"within half the margin of the deadline", func(w *bridge.Withdrawal) uint64 { return w.Deadline - margin/2 + 1000 }},
		{"after the refund, the payer having been down", func(w *bridge.Withdrawal) uint64 { return w.Deadline }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newPayoutEnv(t)
			payer := e.open(0, vfs.NewCrashableMem(), true, 0)
			checker := e.open(1, vfs.NewCrashableMem(), false, 0)
			e.deposit([]*signerNode{payer, checker})
			user := e.w.users[0]
			burned := bk.Balance(e.w.main.st, user.addr)
			ctx := context.Background()
			e.step(payer, checker)
			if len(e.eth.sent) != 1 {
				t.Fatalf("%d payouts sent, want 1", len(e.eth.sent))
			}
			payout := e.eth.sent[0]
			w, err := bridge.Keeper{}.GetWithdrawal(e.w.main.st, 1)
			if err != nil {
				t.Fatal(err)
			}
			e.jump(tc.voidAt(w))
			e.step(payer, checker)
			if len(e.eth.sent) != 2 {
				t.Fatalf("%d external transactions sent, want the payout and its void", len(e.eth.sent))
			}
			void := e.eth.sent[1]
			payer = e.crash(payer, 0, true)
			e.step(payer)
			if got := e.eth.sent[len(e.eth.sent)-1]; got != void {
				t.Fatalf("after a crash the payer sent %s, want the void %s", got, void)
			}
			if _, _, err := e.b.Client().TransactionByHash(ctx, payout); err == nil {
				t.Fatalf("the payout %s is still in the pool beside its void", payout)
			}
			tx, _, err := e.b.Client().TransactionByHash(ctx, void)
			if err != nil {
				t.Fatal(err)
			}
			if *tx.To() != e.vault || tx.Value().Sign() != 0 || len(tx.Data()) != 0 {
				t.Fatalf("void %s: to %s, value %s, %d bytes of data", void, tx.To(), tx.Value(), len(tx.Data()))
			}
			e.b.Commit()
			e.invariant()
			if rc, err := e.b.Client().TransactionReceipt(ctx, void); err != nil || rc.Status != ethtypes.ReceiptStatusSuccessful {
				t.Fatalf("void not mined: %v", err)
			}
			if e.w.main.headers[e.w.main.height()-1].Time < w.Deadline {
				e.jump(w.Deadline)
			}
			if w, err = (bridge.Keeper{}).GetWithdrawal(e.w.main.st, 1); err != nil || w.State != bridge.WithdrawalRefunded {
				t.Fatalf("withdrawal %+v %v, want REFUNDED", w, err)
			}
			for range 5 {
				e.round([]*signerNode{payer, checker})
			}
			if logs := e.vaultPayouts(); len(logs) != 0 {
				t.Fatalf("%d transfers out of the vault", len(logs))
			}
			if got := e.balance(e.extTo); got.Sign() != 0 {
				t.Fatalf("recipient holds %s", got)
			}
			if got, want := e.balance(e.vault), usdt(1000); got.Cmp(want) != 0 {
				t.Fatalf("vault holds %s, want %s", got, want)
			}
			if got, want := bk.Balance(e.w.main.st, user.addr), burned+400*types.MicroPerUSDT; got != want {
				t.Fatalf("user holds %d on main, want %d (refunded)", got, want)
			}
			for _, n := range []*signerNode{payer, checker} {
				if left := pendingWork(t, n.st); left != 0 {
					t.Fatalf("%d records left in a signer store", left)
				}
			}
		})
	}
}
