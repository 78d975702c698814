package rpcchain_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

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
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/sidechain/rpcchain/rpcchaintest"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

const sideID, mainID = "accord-side-1", "accord-main"

var quiet = slog.New(slog.DiscardHandler)

type mainNode struct {
	*rpcchaintest.Node
	l   *ledger.Ledger
	url string
}

func (n mainNode) produce() *ledger.Executed { return n.ProduceOK() }
func (n mainNode) send(key *ecdsa.PrivateKey, typ types.TxType, msg any) {
	n.Send(key, typ, msg)
}

// newMain is a main-profile chain (the real app assembly) behind the real
// API server: funded addresses hold 10 USDT, signers are bridge signers
// (threshold 2), and side chain sideID is registered.
func newMain(t *testing.T, funded []types.Address, signers []types.Address) mainNode {
	var roles []gov.GenesisRole
	for _, s := range signers {
		roles = append(roles, gov.GenesisRole{Address: s.Hex(), Role: "bridge_signer"})
	}
	n := rpcchaintest.Start(t, rpcchaintest.Spec{Profile: app.Main, ChainID: mainID, Validator: banktest.DeterministicKey(1 << 40),
		AppState: map[string]json.RawMessage{
			"bank":       rpcchaintest.Bank(t, "10", funded...),
			"gov":        rpcchaintest.JSON(t, gov.Genesis{Admins: []string{funded[0].Hex()}, Threshold: 1, Roles: roles}),
			"checkpoint": rpcchaintest.JSON(t, checkpoint.Genesis{Chains: []checkpoint.GenesisChain{{ChainID: sideID, Validators: []string{funded[0].Hex()}, FirstHeight: 1}}}),
			"bridge":     json.RawMessage(`{"params":{"attest_threshold":2}}`),
		}})
	m := mainNode{Node: n, l: n.L, url: n.URL}
	m.produce()
	return m
}

// TestChainReadsMatchTheLedger reads blocks and records through the
// node's documented methods over HTTP and compares them with the ledger's
// own.
func TestChainReadsMatchTheLedger(t *testing.T) {
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
	for h := uint64(1); h <= 3; h++ {
		hdr, err := side.Header(ctx, mainID, h)
		if b, _ := n.l.Block(h); err != nil || hdr.Hash() != b.Hash() {
			t.Fatalf("header %d alone: %v", h, err)
		}
	}
	if _, err := side.Header(ctx, "accord-other", 1); err == nil {
		t.Fatal("a header rebuilt with another chain ID matched its hash")
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
	vals, err := rpcchain.SideBlocks{Side: side}.Validators(4)
	if want, _ := n.l.ValidatorSet(4); err != nil || len(vals) != 1 || vals[0] != want.Validators[0] {
		t.Fatalf("validators of block 4: %v %v", vals, err)
	}
	if _, err := (rpcchain.SideBlocks{Side: side}).Validators(5); err == nil {
		t.Fatal("the validators of a block past head + 1 answered")
	}
	if minted, attested, err := m.Deposit(ctx, types.Hash{1}, types.PubkeyAddress(user)); err != nil || minted || attested {
		t.Fatalf("unknown deposit: minted %v attested %v %v", minted, attested, err)
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
	tx, err := types.SignTx(&types.Tx{ChainID: mainID, Nonce: 1, Type: bank.TypeTransfer,
		Payload: core.Encode(&bank.MsgTransfer{To: types.Address{9}, Amount: 1}), Fee: rpcchaintest.MinFee}, user)
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
		cfg := sidechain.SignerConfig{MainChainID: mainID, ExtChainID: info.ChainID, Token: info.Token, Vault: vault,
			Confirmations: 2, Key: k, Fee: rpcchaintest.MinFee, Log: quiet}
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
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := devchain.Send(ctx, eth, key, to, data); err != nil {
		t.Fatal(err)
	}
}

// counting is a Caller that counts calls by method.
type counting struct {
	c     rpcchain.Caller
	calls map[string]int
}

func (c *counting) Call(ctx context.Context, method string, out any, params ...any) error {
	c.calls[method]++
	return c.c.Call(ctx, method, out, params...)
}

// TestBlockCacheReadsEachBlockOnce: the producer re-reads the open
// checkpoint's range every step; with a cache each header and set is
// fetched from the node once, and what it returns is the node's.
func TestBlockCacheReadsEachBlockOnce(t *testing.T) {
	user := banktest.DeterministicKey(7)
	n := newMain(t, []types.Address{types.PubkeyAddress(user)}, nil)
	n.produce()
	cc := &counting{c: client.New(n.url), calls: map[string]int{}}
	for _, tc := range []struct {
		name  string
		cache *rpcchain.BlockCache
		want  int
	}{
		{"without a cache every read is a call", nil, 6},
		{"with one each block is read once", rpcchain.NewBlockCache(16), 2},
		{"a cache smaller than the range starts over and still answers", rpcchain.NewBlockCache(1), 6},
	} {
		clear(cc.calls)
		b := rpcchain.SideBlocks{Side: rpcchain.NewSide(cc, nil), Cache: tc.cache}
		for range 3 {
			for h := uint64(1); h <= 2; h++ {
				hdr, err := b.Header(h)
				want, _ := n.l.Block(h)
				if err != nil || hdr.Hash() != want.Hash() {
					t.Fatalf("%s: header %d: %v", tc.name, h, err)
				}
				if vs, err := b.Validators(h); err != nil || len(vs) != 1 {
					t.Fatalf("%s: validators %d: %v %v", tc.name, h, vs, err)
				}
			}
		}
		if got := cc.calls["accord_getRawBlock"]; got != tc.want {
			t.Errorf("%s: %d raw block reads, want %d", tc.name, got, tc.want)
		}
		if got := cc.calls["accord_getValidators"]; got != tc.want {
			t.Errorf("%s: %d validator reads, want %d", tc.name, got, tc.want)
		}
	}
}
