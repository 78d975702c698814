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
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
	"github.com/ethereum/go-ethereum/params"
)

type depositRPC struct {
	c *fakeChain
	k *killer
}

func (d depositRPC) Height(context.Context) (uint64, error) { return d.c.height(), d.k.call("height") }
func (d depositRPC) Nonce(_ context.Context, a types.Address) (uint64, error) {
	return d.c.nonce(a), d.k.call("nonce")
}
func (d depositRPC) SendTx(_ context.Context, tx *types.Tx) error { return d.k.send(d.c, tx) }
func (d depositRPC) Deposit(_ context.Context, id types.Hash, signer types.Address) (bool, bool, error) {
	if err := d.k.call("deposit"); err != nil {
		return false, false, err
	}
	dep, err := bridge.Keeper{}.GetDeposit(d.c.st, id)
	if errors.Is(err, bridge.ErrNotFound) {
		return false, false, nil
	}
	if err != nil {
		return false, false, err
	}
	return dep.Minted, slices.Contains(dep.Attested, signer), nil
}

func (d depositRPC) Withdrawal(_ context.Context, id uint64) (*bridge.Withdrawal, error) {
	if err := d.k.call("withdrawal"); err != nil {
		return nil, err
	}
	w, err := bridge.Keeper{}.GetWithdrawal(d.c.st, id)
	if errors.Is(err, bridge.ErrNotFound) {
		return nil, nil
	}
	return w, err
}

func (d depositRPC) BlockTime(context.Context) (uint64, error) {
	if d.c.height() == 0 {
		return 0, d.k.call("time")
	}
	return d.c.headers[d.c.height()-1].Time, d.k.call("time")
}

type ethChain struct {
	t       *testing.T
	b       *simulated.Backend
	chainID *big.Int
}

func (c *ethChain) send(key *ecdsa.PrivateKey, to *common.Address, data []byte) *ethtypes.Receipt {
	c.t.Helper()
	ctx := context.Background()
	cl := c.b.Client()
	nonce, err := cl.PendingNonceAt(ctx, crypto.PubkeyToAddress(key.PublicKey))
	if err != nil {
		c.t.Fatal(err)
	}
	head, err := cl.HeaderByNumber(ctx, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	tip := big.NewInt(params.GWei)
	tx, err := ethtypes.SignNewTx(key, ethtypes.LatestSignerForChainID(c.chainID), &ethtypes.DynamicFeeTx{ChainID: c.chainID, Nonce: nonce,
		GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))), Gas: 3_000_000, To: to, Data: data})
	if err != nil {
		c.t.Fatal(err)
	}
	if err := cl.SendTransaction(ctx, tx); err != nil {
		c.t.Fatal(err)
	}
	c.b.Commit()
	rc, err := cl.TransactionReceipt(ctx, tx.Hash())
	if err != nil || rc.Status != ethtypes.ReceiptStatusSuccessful {
		c.t.Fatalf("tx %s: %v", tx.Hash(), err)
	}
	return rc
}

// TestSignerAttestsConfirmedDepositsOnce runs two bridge signers (main's
// threshold is 2) against TestUSDT on go-ethereum's simulated backend: a
// 1,000 USDT transfer into the vault is attested only after 3
// confirmations, minted on main once, and a signer crashed and restarted
// from its synced store attests nothing twice; a transfer elsewhere is
// ignored.
func TestSignerAttestsConfirmedDepositsOnce(t *testing.T) {
	w := newWorld(t)
	deployer, _ := crypto.GenerateKey()
	user := w.users[0] // the depositor's address is its recipient on main
	vault := common.HexToAddress("0x000000000000000000000000000000000000b00b")
	eth := new(big.Int).Mul(big.NewInt(1e18), big.NewInt(100))
	b := simulated.NewBackend(ethtypes.GenesisAlloc{
		crypto.PubkeyToAddress(deployer.PublicKey): {Balance: eth},
		common.Address(user.addr):                  {Balance: eth},
	})
	defer b.Close()
	ctx := context.Background()
	chainID, err := b.Client().ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ec := &ethChain{t: t, b: b, chainID: chainID}
	token := ec.send(deployer, nil, evm.TokenBytecode()).ContractAddress
	a := evm.TokenABI()
	pack := func(method string, args ...any) []byte {
		d, err := a.Pack(method, args...)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	usdt := func(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1_000_000)) }
	ec.send(deployer, &token, pack("mint", common.Address(user.addr), usdt(2000)))

	k := &killer{byName: map[string]int{}}
	type node struct {
		fs *vfs.MemFS
		st *Store
		s  *Signer
	}
	open := func(i int, fs *vfs.MemFS) *node {
		st := memStore(t, fs)
		s, err := NewSigner(SignerConfig{MainChainID: mainID, ExtChainID: chainID.Uint64(), Token: token, Vault: vault,
			Confirmations: 3, Key: w.signers[i].key, Fee: 10_000, Log: quiet}, b.Client(), depositRPC{w.main, k}, st)
		if err != nil {
			t.Fatal(err)
		}
		return &node{fs: fs, st: st, s: s}
	}
	nodes := []*node{open(0, vfs.NewCrashableMem()), open(1, vfs.NewCrashableMem())}
	step := func() {
		t.Helper()
		for _, n := range nodes {
			if err := n.s.Step(ctx); err != nil {
				t.Fatal(err)
			}
		}
		w.main.produce()
	}
	before := bk.Balance(w.main.st, user.addr)
	dep := ec.send(user.key, &token, pack("transfer", vault, usdt(1000)))
	ec.send(user.key, &token, pack("transfer", common.Address{1}, usdt(5)))
	id := bridge.DepositID(chainID.Uint64(), types.Hash(dep.TxHash), uint64(dep.Logs[0].Index))
	// The deposit's block has one block on top: not confirmed.
	step()
	if w.main.submits != 0 {
		t.Fatalf("attested with %d confirmations", 1)
	}
	b.Commit()
	step() // 2 on top
	if w.main.submits != 0 {
		t.Fatal("attested with 2 confirmations")
	}
	b.Commit()
	// 3 on top: signer 0 attests; crash it right after (only synced
	// writes survive) and restart it from the clone.
	if err := nodes[0].s.Step(ctx); err != nil {
		t.Fatal(err)
	}
	crashed := nodes[0].fs.CrashClone(vfs.CrashCloneCfg{})
	_ = nodes[0].st.Close()
	nodes[0] = open(0, crashed)
	for range 3 {
		step()
	}
	if got := bk.Balance(w.main.st, user.addr); got != before+1000*types.MicroPerUSDT {
		t.Fatalf("main balance moved by %d, want 1000 USDT", int64(got)-int64(before))
	}
	d, err := bridge.Keeper{}.GetDeposit(w.main.st, id)
	if err != nil || !d.Minted || len(d.Attested) != 2 {
		t.Fatalf("deposit %+v %v", d, err)
	}
	if w.main.submits != 2 || len(w.main.includedTx) != 2 {
		t.Fatalf("%d attestations sent, %d included; want one per signer", w.main.submits, len(w.main.includedTx))
	}
	for _, rc := range w.main.included {
		if rc.Status != types.StatusOK {
			t.Fatalf("failed attestation: %s", rc.Error)
		}
	}
	for _, n := range nodes {
		if left := pendingWork(t, n.st); left != 0 {
			t.Fatalf("%d records left in a signer store", left)
		}
	}
}
