package bridge

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

const (
	sideA   = "accord-side-a"
	sideB   = "accord-side-b"
	extID   = 31337
	usdt    = types.MicroPerUSDT
	t0      = 1_700_000_000_000
	signers = 3
)

type env struct {
	t     testing.TB
	st    *state.Overlay
	m     Module
	gov   gov.Keeper
	bank  bank.Keeper
	cps   checkpoint.Keeper
	block core.Block
	keys  []*ecdsa.PrivateKey // 0..signers-1 are bridge signers
	side  []*ecdsa.PrivateKey // side chain validators (both side chains)
}

func newEnv(t testing.TB) *env {
	e := &env{t: t, st: state.NewOverlay(nil), block: core.Block{ChainID: "accord-main", Height: 1, Time: t0}}
	for i := range 8 {
		e.keys = append(e.keys, banktest.DeterministicKey(uint64(100+i)))
	}
	for i := range 4 {
		e.side = append(e.side, banktest.DeterministicKey(uint64(200+i)))
	}
	e.m = NewModule(NewKeeper(Deps{Bank: e.bank, Roles: e.gov, Checkpoints: e.cps, Params: e.gov}))
	ctx := e.ctx(types.Address{})
	for i := range signers {
		if err := e.gov.GrantRole(e.st, e.addr(i), gov.RoleBridgeSigner); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.m.InitGenesis(ctx, []byte(`{"params":{"attest_threshold":2,"withdraw_cap_per_day":1000000000}}`)); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{sideA, sideB} {
		if err := e.cps.Register(ctx, id, e.sideAddrs(), 1); err != nil {
			t.Fatal(err)
		}
	}
	return e
}

func (e *env) addr(i int) types.Address { return types.PubkeyAddress(e.keys[i]) }

func (e *env) sideAddrs() []types.Address {
	var out []types.Address
	for _, k := range e.side {
		out = append(out, types.PubkeyAddress(k))
	}
	return out
}

func (e *env) ctx(from types.Address) *core.Context {
	c := core.NewContext(e.block, e.st)
	c.Sender = from
	return c
}

// exec runs msg through its route as key i (or any address), rolling back
// a failure as the router does.
func (e *env) execAs(from types.Address, typ types.TxType, msg any) error {
	for _, rt := range e.m.Routes() {
		if rt.Type == typ {
			mark := e.st.Snapshot()
			if err := rt.Handler(e.ctx(from), core.Encode(msg)); err != nil {
				e.st.RevertTo(mark)
				return err
			}
			return nil
		}
	}
	return core.ErrUnknownType
}

func (e *env) exec(i int, typ types.TxType, msg any) error { return e.execAs(e.addr(i), typ, msg) }

func (e *env) advance(ms uint64) {
	e.block.Height++
	e.block.Time += ms
	if err := e.m.BeginBlock(e.ctx(types.Address{})); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) dump() string {
	var b strings.Builder
	for _, p := range []string{"bridge/", "bank/"} {
		e.st.Iterate([]byte(p), state.PrefixEnd([]byte(p)), false, func(k, v []byte) bool {
			fmt.Fprintf(&b, "%x=%x\n", k, v)
			return true
		})
	}
	return b.String()
}

func deposit(tx byte, log uint64, to types.Address, amount uint64) *MsgAttestDeposit {
	return &MsgAttestDeposit{ExtChainID: extID, ExtTxHash: types.Hash{tx}, LogIndex: log, Recipient: to, Amount: amount}
}

func TestDepositMintsOnceAtThreshold(t *testing.T) {
	e := newEnv(t)
	alice := e.addr(5)
	d := deposit(1, 0, alice, 1000*usdt)
	if err := e.exec(0, TypeAttestDeposit, d); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.st, alice) != 0 {
		t.Fatal("minted below threshold")
	}
	if err := e.exec(0, TypeAttestDeposit, d); !errors.Is(err, ErrAlreadyAttested) {
		t.Fatalf("replayed attestation: %v", err)
	}
	if err := e.exec(1, TypeAttestDeposit, d); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.st, alice) != 1000*usdt || e.bank.Supply(e.st) != 1000*usdt {
		t.Fatalf("balance %d", e.bank.Balance(e.st, alice))
	}
	before := e.dump()
	for _, tc := range []struct {
		name string
		by   int
		msg  *MsgAttestDeposit
		want error
	}{
		{"third signer after the mint", 2, d, ErrAlreadyMinted},
		{"same deposit, another recipient", 2, deposit(1, 0, e.addr(6), 1000*usdt), ErrAlreadyMinted},
		{"same deposit, another amount", 2, deposit(1, 0, alice, 2000*usdt), ErrAlreadyMinted},
		{"not a signer", 4, deposit(2, 0, alice, 1), ErrNotSigner},
	} {
		if err := e.exec(tc.by, TypeAttestDeposit, tc.msg); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if e.dump() != before {
		t.Fatal("a refused attestation changed state")
	}
	// Another log of the same transaction is another deposit.
	for i := range 2 {
		if err := e.exec(i, TypeAttestDeposit, deposit(1, 1, alice, 5*usdt)); err != nil {
			t.Fatal(err)
		}
	}
	if e.bank.Balance(e.st, alice) != 1005*usdt {
		t.Fatalf("balance %d", e.bank.Balance(e.st, alice))
	}
}

func TestDisagreeingAttestationsDoNotAddUp(t *testing.T) {
	e := newEnv(t)
	alice, mallory := e.addr(5), e.addr(6)
	if err := e.exec(0, TypeAttestDeposit, deposit(1, 0, mallory, 1000*usdt)); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(1, TypeAttestDeposit, deposit(1, 0, alice, 1000*usdt)); err != nil {
		t.Fatal(err)
	}
	if e.bank.Supply(e.st) != 0 {
		t.Fatal("two different contents reached the threshold together")
	}
	if err := e.exec(0, TypeAttestDeposit, deposit(1, 0, alice, 1000*usdt)); !errors.Is(err, ErrAlreadyAttested) {
		t.Fatalf("signer switching content: %v", err)
	}
	if err := e.exec(2, TypeAttestDeposit, deposit(1, 0, alice, 1000*usdt)); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.st, alice) != 1000*usdt || e.bank.Balance(e.st, mallory) != 0 {
		t.Fatal("wrong mint")
	}
}

func TestRemovedSignerNoLongerCounts(t *testing.T) {
	e := newEnv(t)
	alice := e.addr(5)
	d := deposit(9, 0, alice, 10*usdt)
	if err := e.exec(0, TypeAttestDeposit, d); err != nil {
		t.Fatal(err)
	}
	if err := e.gov.RevokeRole(e.st, e.addr(0), gov.RoleBridgeSigner); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(0, TypeAttestDeposit, deposit(10, 0, alice, 10*usdt)); !errors.Is(err, ErrNotSigner) {
		t.Fatalf("removed signer still signing: %v", err)
	}
	if err := e.exec(1, TypeAttestDeposit, d); err != nil {
		t.Fatal(err)
	}
	if e.bank.Supply(e.st) != 0 {
		t.Fatal("a removed signer's earlier attestation counted")
	}
	if err := e.exec(2, TypeAttestDeposit, d); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.st, alice) != 10*usdt {
		t.Fatal("two current signers did not mint")
	}
}

func (e *env) fund(to types.Address, amount uint64) {
	if err := e.bank.Mint(e.st, to, amount); err != nil {
		e.t.Fatal(err)
	}
}

func TestWithdrawPaidOrRefunded(t *testing.T) {
	e := newEnv(t)
	alice, ext := e.addr(5), types.Address{0xee}
	e.fund(alice, 1000*usdt)
	if err := e.exec(5, TypeWithdraw, &MsgWithdraw{ExtAddress: ext, Amount: 300 * usdt}); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(5, TypeWithdraw, &MsgWithdraw{ExtAddress: ext, Amount: 200 * usdt}); err != nil {
		t.Fatal(err)
	}
	if e.bank.Balance(e.st, alice) != 500*usdt || e.bank.Supply(e.st) != 500*usdt {
		t.Fatal("withdrawals did not burn")
	}
	paid := &MsgAttestPaid{ID: 1, ExtTxHash: types.Hash{0xaa}}
	if err := e.exec(0, TypeAttestPaid, paid); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(0, TypeAttestPaid, paid); !errors.Is(err, ErrAlreadyAttested) {
		t.Fatalf("replayed paid attestation: %v", err)
	}
	if err := e.exec(4, TypeAttestPaid, paid); !errors.Is(err, ErrNotSigner) {
		t.Fatalf("non-signer: %v", err)
	}
	if err := e.exec(1, TypeAttestPaid, &MsgAttestPaid{ID: 1, ExtTxHash: types.Hash{0xbb}}); err != nil {
		t.Fatal(err)
	}
	if w, _ := e.m.GetWithdrawal(e.st, 1); w.State != WithdrawalPending {
		t.Fatal("paid on disagreeing tx hashes")
	}
	if err := e.exec(2, TypeAttestPaid, paid); err != nil {
		t.Fatal(err)
	}
	if w, _ := e.m.GetWithdrawal(e.st, 1); w.State != WithdrawalPaid || w.ExtTxHash != (types.Hash{0xaa}) {
		t.Fatalf("withdrawal 1: %+v", w)
	}
	e.advance(DefaultParams().PayoutTimeout - 1)
	if e.bank.Balance(e.st, alice) != 500*usdt {
		t.Fatal("refunded before the deadline")
	}
	e.advance(1)
	if w, _ := e.m.GetWithdrawal(e.st, 2); w.State != WithdrawalRefunded || e.bank.Balance(e.st, alice) != 700*usdt {
		t.Fatalf("withdrawal 2 not refunded: %+v", w)
	}
	if w, _ := e.m.GetWithdrawal(e.st, 1); w.State != WithdrawalPaid {
		t.Fatal("a paid withdrawal was refunded")
	}
	if err := e.exec(0, TypeAttestPaid, &MsgAttestPaid{ID: 2, ExtTxHash: types.Hash{1}}); !errors.Is(err, ErrWrongState) {
		t.Fatalf("paid after refund: %v", err)
	}
}

func TestDailyCap(t *testing.T) {
	e := newEnv(t)
	alice := e.addr(5)
	e.fund(alice, 5000*usdt)
	w := func(amount uint64) error {
		return e.exec(5, TypeWithdraw, &MsgWithdraw{ExtAddress: types.Address{1}, Amount: amount})
	}
	if err := w(600 * usdt); err != nil {
		t.Fatal(err)
	}
	before := e.dump()
	if err := w(401 * usdt); !errors.Is(err, ErrCapExceeded) {
		t.Fatalf("over the cap: %v", err)
	}
	if e.dump() != before {
		t.Fatal("refused withdrawal changed state")
	}
	if err := w(400 * usdt); err != nil {
		t.Fatalf("up to the cap: %v", err)
	}
	e.advance(day - (e.block.Time % day)) // next UTC day
	if err := w(1000 * usdt); err != nil {
		t.Fatalf("new day: %v", err)
	}
}

func TestPause(t *testing.T) {
	e := newEnv(t)
	alice := e.addr(5)
	e.fund(alice, 100*usdt)
	if err := e.exec(5, TypeWithdraw, &MsgWithdraw{ExtAddress: types.Address{1}, Amount: usdt}); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Pause(e.ctx(types.Address{})); err != nil {
		t.Fatal(err)
	}
	before := e.dump()
	for name, err := range map[string]error{
		"deposit":  e.exec(0, TypeAttestDeposit, deposit(1, 0, alice, 1)),
		"withdraw": e.exec(5, TypeWithdraw, &MsgWithdraw{ExtAddress: types.Address{1}, Amount: 1}),
		"lock":     e.exec(5, TypeLock, &MsgLock{ChainID: sideA, Recipient: alice, Amount: 1}),
		"release":  e.execAs(alice, TypeRelease, &MsgRelease{ChainID: sideA, Proof: []byte{0xc0}}),
	} {
		if !errors.Is(err, ErrPaused) {
			t.Errorf("%s while paused: %v", name, err)
		}
	}
	if e.dump() != before {
		t.Fatal("paused bridge changed state")
	}
	if err := e.exec(0, TypeAttestPaid, &MsgAttestPaid{ID: 1, ExtTxHash: types.Hash{1}}); err != nil {
		t.Fatalf("payout attestations go on while paused: %v", err)
	}
	if err := e.m.Unpause(e.ctx(types.Address{})); err != nil {
		t.Fatal(err)
	}
	if err := e.exec(5, TypeLock, &MsgLock{ChainID: sideA, Recipient: alice, Amount: 1}); err != nil {
		t.Fatal(err)
	}
}
