package rpcchain_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/mempool"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

const sideID = "accord-side-1"

var quiet = slog.New(slog.DiscardHandler)

// mainNode is a main-profile ledger (the real app assembly) behind the
// real API server, with rpcchain's methods registered and served over
// HTTP on 127.0.0.1:0. Transactions wait in a list until produce seals
// them into a block.
type mainNode struct {
	t     *testing.T
	l     *ledger.Ledger
	chain *banktest.Chain
	url   string

	mu      sync.Mutex
	pending []*types.Tx
	seen    map[types.Hash]bool
}

func (n *mainNode) Ledger() *ledger.Ledger { return n.l }
func (n *mainNode) SubmitTx(raw []byte) (types.Hash, error) {
	tx, err := types.DecodeTx(raw)
	if err != nil {
		return types.Hash{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[tx.Hash()] {
		return types.Hash{}, mempool.ErrAlreadyKnown
	}
	n.seen[tx.Hash()] = true
	n.pending = append(n.pending, tx)
	return tx.Hash(), nil
}
func (n *mainNode) SubmitTxs(r [][]byte) ([]types.Hash, []error) {
	return make([]types.Hash, len(r)), make([]error, len(r))
}
func (*mainNode) PendingNonce(types.Address) (uint64, bool) { return 0, false }
func (*mainNode) MempoolSize() int                          { return 0 }
func (*mainNode) Peers() int                                { return 0 }
func (*mainNode) Validator() types.Address                  { return types.Address{} }
func (*mainNode) TxTypeName(types.TxType) string            { return "" }
func (*mainNode) MinFee() uint64                            { return banktest.MinFee }
func (*mainNode) Version() string                           { return "test" }
func (*mainNode) CatchingUp() bool                          { return false }

func js(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newMain(t *testing.T, funded []types.Address, signers []types.Address) *mainNode {
	a, err := app.New(app.Main, banktest.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	var accs []bank.GenesisAccount
	for _, f := range funded {
		accs = append(accs, bank.GenesisAccount{Address: f.Hex(), Balance: "10"})
	}
	var roles []gov.GenesisRole
	for _, s := range signers {
		roles = append(roles, gov.GenesisRole{Address: s.Hex(), Role: "bridge_signer"})
	}
	validator := banktest.DeterministicKey(1 << 40)
	treasury := bank.ModuleAddress("treasury")
	g := ledger.Genesis{ChainID: banktest.ChainID, GenesisTime: time.Unix(1_700_000_000, 0).UTC(),
		Validators: []string{types.PubkeyAddress(validator).Hex()}, AppState: map[string]json.RawMessage{
			"bank":       js(t, bank.Genesis{MinFee: types.FormatUSDT(banktest.MinFee), Treasury: treasury.Hex(), Accounts: accs}),
			"gov":        js(t, gov.Genesis{Admins: []string{funded[0].Hex()}, Threshold: 1, Roles: roles}),
			"checkpoint": js(t, checkpoint.Genesis{Chains: []checkpoint.GenesisChain{{ChainID: sideID, Validators: []string{funded[0].Hex()}, FirstHeight: 1}}}),
			"bridge":     json.RawMessage(`{"params":{"attest_threshold":2}}`),
		}}
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	n := &mainNode{t: t, l: l, seen: map[types.Hash]bool{},
		chain: &banktest.Chain{Ledger: l, Router: a.Router, Validator: validator, Genesis: raw, Treasury: treasury}}
	if err := l.InitGenesis(raw, a.Router); err != nil {
		t.Fatal(err)
	}
	srv := api.NewServer(n, quiet)
	rpcchain.Register(srv, l)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() { _ = hs.Close() })
	n.url = "http://" + ln.Addr().String()
	n.produce()
	return n
}

// produce seals the waiting transactions into the next block; each must succeed.
func (n *mainNode) produce() *ledger.Executed {
	n.t.Helper()
	n.mu.Lock()
	txs := n.pending
	n.pending = nil
	n.mu.Unlock()
	x, dropped, err := n.chain.Produce(txs)
	if err != nil {
		n.t.Fatal(err)
	}
	if len(dropped) > 0 {
		n.t.Fatalf("dropped %d transactions: %v", len(dropped), dropped[0].Err)
	}
	for _, rc := range x.Receipts {
		if rc.Status != types.StatusOK {
			n.t.Fatalf("failed transaction in block %d: %s", x.Block.Header.Height, rc.Error)
		}
	}
	return x
}

func (n *mainNode) send(key *ecdsa.PrivateKey, typ types.TxType, msg any) {
	n.t.Helper()
	a := types.PubkeyAddress(key)
	tx, err := types.SignTx(&types.Tx{ChainID: banktest.ChainID, Nonce: bank.Keeper{}.GetAccount(n.l.ReadState(), a).Nonce,
		Type: typ, Payload: core.Encode(msg), Fee: banktest.MinFee}, key)
	if err != nil {
		n.t.Fatal(err)
	}
	if _, err := n.SubmitTx(tx.Encode()); err != nil {
		n.t.Fatal(err)
	}
}

// TestRawMethodsMatchTheLedger reads blocks and records through the
// client over HTTP and compares them with the ledger's own.
func TestRawMethodsMatchTheLedger(t *testing.T) {
	user := banktest.DeterministicKey(7)
	n := newMain(t, []types.Address{types.PubkeyAddress(user)}, nil)
	n.send(user, bank.TypeTransfer, &bank.MsgTransfer{To: types.Address{9}, Amount: 1})
	n.produce()
	n.produce()
	m := rpcchain.NewMain(client.New(n.url))
	side := rpcchain.NewSide(client.New(n.url), nil)
	ctx := context.Background()
	if h, err := m.Height(ctx); err != nil || h != 3 {
		t.Fatalf("height %d %v", h, err)
	}
	for h := uint64(1); h <= 3; h++ {
		hdr, cert, rs, err := m.Block(ctx, h)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := n.l.Block(h)
		want, _ := n.l.Receipts(h)
		if hdr.Hash() != b.Hash() || cert.BlockHash != b.Hash() || len(rs) != len(want) {
			t.Fatalf("block %d: header %s cert %s, %d receipts; ledger %s, %d", h, hdr.Hash().Hex(), cert.BlockHash.Hex(), len(rs), b.Hash().Hex(), len(want))
		}
	}
	hs, err := side.BlockHashes(ctx, 1, 3)
	if err != nil || len(hs) != 3 {
		t.Fatalf("hashes %v %v", hs, err)
	}
	for i, h := range hs {
		if b, _ := n.l.Block(uint64(i + 1)); b.Hash() != h {
			t.Fatalf("hash %d is %s, block's %s", i+1, h.Hex(), b.Hash().Hex())
		}
	}
	if nonce, err := m.Nonce(ctx, types.PubkeyAddress(user)); err != nil || nonce != 1 {
		t.Fatalf("nonce %d %v", nonce, err)
	}
	if num, end, err := m.Anchored(ctx, sideID); err != nil || num != 0 || end != 0 {
		t.Fatalf("anchored %d %d %v", num, end, err)
	}
	if cp, err := m.Covering(ctx, sideID, 1); err != nil || cp != nil {
		t.Fatalf("covering %v %v", cp, err)
	}
	if _, _, err := m.Anchored(ctx, "accord-unknown"); err == nil {
		t.Fatal("an unregistered side chain answered")
	}
	if w, err := m.Withdrawal(ctx, 1); err != nil || w != nil {
		t.Fatalf("withdrawal %v %v", w, err)
	}
	if ok, err := m.Released(ctx, types.Hash{1}); err != nil || ok {
		t.Fatalf("released %v %v", ok, err)
	}
	if _, _, _, err := m.Block(ctx, 4); err == nil {
		t.Fatal("a block past the head answered")
	}
	if _, err := side.BlockHashes(ctx, 2, 1); err == nil {
		t.Fatal("an empty range answered")
	}
	tx, err := types.SignTx(&types.Tx{ChainID: banktest.ChainID, Nonce: 1, Type: bank.TypeTransfer,
		Payload: core.Encode(&bank.MsgTransfer{To: types.Address{9}, Amount: 1}), Fee: banktest.MinFee}, user)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.SendTx(ctx, tx); err != nil {
		t.Fatal(err)
	}
	if err := m.SendTx(ctx, tx); !errors.Is(err, sidechain.ErrKnownTx) {
		t.Fatalf("a re-sent transaction: %v, want ErrKnownTx", err)
	}
}

// TestSignersOverRPC runs two bridge signers (the payer holding the vault
// key, and a checker) against a real EVM (devchain, over HTTP) and a
// main-profile ledger behind the API (over HTTP): a 1,000 USDT ERC-20
// transfer into the vault is minted on main; a 400 USDT withdrawal on
// main is paid out of the vault once, attested by both and marked PAID.
func TestSignersOverRPC(t *testing.T) {
	vaultKey, _ := crypto.GenerateKey()
	vault := crypto.PubkeyToAddress(vaultKey.PublicKey)
	dc, err := devchain.Start(devchain.Config{Accounts: 2, USDT: 5_000_000_000, Fund: []common.Address{vault}, BlockInterval: 20 * time.Millisecond, Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer dc.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := dc.Serve(ln); err != nil {
		t.Fatal(err)
	}
	info := dc.Info()
	eth, err := ethclient.Dial(info.RPC)
	if err != nil {
		t.Fatal(err)
	}
	defer eth.Close()

	user := devchain.DevKey(1) // deposits on the external chain; its address receives on main
	signerKeys := []*ecdsa.PrivateKey{banktest.DeterministicKey(500), banktest.DeterministicKey(501)}
	userAddr := types.PubkeyAddress(user)
	n := newMain(t, []types.Address{userAddr, types.PubkeyAddress(signerKeys[0]), types.PubkeyAddress(signerKeys[1])},
		[]types.Address{types.PubkeyAddress(signerKeys[0]), types.PubkeyAddress(signerKeys[1])})
	var signers []*sidechain.Signer
	for i, k := range signerKeys {
		st, err := sidechain.OpenStore(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		cfg := sidechain.SignerConfig{MainChainID: banktest.ChainID, ExtChainID: info.ChainID, Token: info.Token, Vault: vault,
			Confirmations: 2, Key: k, Fee: banktest.MinFee, Log: quiet}
		if i == 0 {
			cfg.VaultKey = vaultKey
		}
		s, err := sidechain.NewSigner(cfg, eth, rpcchain.NewMain(client.New(n.url)), st)
		if err != nil {
			t.Fatal(err)
		}
		signers = append(signers, s)
	}
	ctx := context.Background()
	balance := func(a common.Address) *big.Int {
		data, _ := evm.TokenABI().Pack("balanceOf", a)
		out, err := eth.CallContract(ctx, ethereum.CallMsg{To: &info.Token, Data: data}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(out)
	}
	// until steps the signers and seals a main block until cond holds,
	// awaiting a new external block between rounds.
	until := func(what string, cond func() bool) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for !cond() {
			head, err := eth.BlockNumber(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range signers {
				if err := s.Step(ctx); err != nil {
					t.Fatal(err)
				}
			}
			n.produce()
			for h := head; h == head; <-tick.C {
				if time.Now().After(deadline) {
					t.Fatalf("timed out waiting for %s", what)
				}
				if h, err = eth.BlockNumber(ctx); err != nil {
					t.Fatal(err)
				}
			}
		}
	}

	data, _ := evm.TokenABI().Pack("transfer", vault, big.NewInt(1000_000_000))
	sendEth(t, eth, user, info.Token, data)
	before := bank.Keeper{}.Balance(n.l.ReadState(), userAddr)
	until("the deposit minted on main", func() bool {
		return bank.Keeper{}.Balance(n.l.ReadState(), userAddr) >= before+1000*types.MicroPerUSDT
	})
	extTo := common.Address{0xee, 2}
	n.send(user, bridge.TypeWithdraw, &bridge.MsgWithdraw{ExtAddress: types.Address(extTo), Amount: 400 * types.MicroPerUSDT})
	n.produce()
	var w *bridge.Withdrawal
	until("the withdrawal paid", func() bool {
		w, err = bridge.Keeper{}.GetWithdrawal(n.l.ReadState(), 1)
		return err == nil && w.State == bridge.WithdrawalPaid
	})
	if got := balance(extTo); got.Int64() != 400_000_000 {
		t.Fatalf("recipient holds %s, want 400 USDT", got)
	}
	if got := balance(vault); got.Int64() != 600_000_000 {
		t.Fatalf("vault holds %s, want 600 USDT", got)
	}
	rc, err := eth.TransactionReceipt(ctx, common.Hash(w.ExtTxHash))
	if err != nil || rc.Status != ethtypes.ReceiptStatusSuccessful || len(w.Attested) != 2 {
		t.Fatalf("paid in %s (%v), %d attestations", w.ExtTxHash.Hex(), err, len(w.Attested))
	}
	if supply := (bank.Keeper{}).Supply(n.l.ReadState()); supply != 30*types.MicroPerUSDT+600*types.MicroPerUSDT {
		t.Fatalf("main supply %s, want genesis 30 + 600 bridged", types.FormatUSDT(supply))
	}
}

func sendEth(t *testing.T, eth *ethclient.Client, key *ecdsa.PrivateKey, to common.Address, data []byte) {
	t.Helper()
	ctx := context.Background()
	from := crypto.PubkeyToAddress(key.PublicKey)
	nonce, err := eth.PendingNonceAt(ctx, from)
	if err != nil {
		t.Fatal(err)
	}
	head, err := eth.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	chainID, err := eth.ChainID(ctx)
	if err != nil {
		t.Fatal(err)
	}
	tip := big.NewInt(params.GWei)
	tx, err := ethtypes.SignNewTx(key, ethtypes.LatestSignerForChainID(chainID), &ethtypes.DynamicFeeTx{ChainID: chainID, Nonce: nonce,
		GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))), Gas: 200_000, To: &to, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if err := eth.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
}
