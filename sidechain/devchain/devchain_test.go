package devchain

import (
	"context"
	"log/slog"
	"math/big"
	"net"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	ethtypes "github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/params"
)

func serve(t *testing.T, cfg Config) (*Chain, *ethclient.Client) {
	t.Helper()
	c, err := Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Serve(l); err != nil {
		t.Fatal(err)
	}
	cl, err := ethclient.Dial(c.Info().RPC)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return c, cl
}

func balanceOf(t *testing.T, cl *ethclient.Client, token, a common.Address) *big.Int {
	t.Helper()
	data, err := evm.TokenABI().Pack("balanceOf", a)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cl.CallContract(context.Background(), ethereum.CallMsg{To: &token, Data: data}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return new(big.Int).SetBytes(out)
}

// waitFor polls cond (a chain query) until it holds or ten seconds pass:
// the chain seals on its own goroutine and offers no event over HTTP.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for !cond() {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// TestDevchainServesTokenOverHTTP starts a dev chain in a home directory,
// serves it on a 127.0.0.1:0 listener, and talks to it only through
// ethclient over HTTP: the chain ID, the deployed TestUSDT, the dev
// accounts' USDT, the funded addresses' ETH (and USDT) are there; a transfer sent
// by a dev account is sealed without anyone committing; after a restart
// from the same home the token and balances are still there and empty
// blocks follow BlockInterval.
func TestDevchainServesTokenOverHTTP(t *testing.T) {
	home := t.TempDir()
	vault := common.Address{0xb0, 0x0b}
	dev := common.Address{0xde, 0x7}
	cfg := Config{Dir: home, Accounts: 3, USDT: 10_000_000_000, Fund: []common.Address{vault}, FundUSDT: []common.Address{dev},
		Log: slog.New(slog.DiscardHandler)}
	c, cl := serve(t, cfg)
	ctx := context.Background()
	info, err := ReadInfo(home)
	if err != nil {
		t.Fatal(err)
	}
	if info.RPC != c.Info().RPC || info.Token != c.Info().Token || len(info.Accounts) != 3 || info.ChainID != 1337 {
		t.Fatalf("info file %+v, chain %+v", info, c.Info())
	}
	if id, err := cl.ChainID(ctx); err != nil || id.Uint64() != info.ChainID {
		t.Fatalf("chain ID %v %v", id, err)
	}
	if code, err := cl.CodeAt(ctx, info.Token, nil); err != nil || len(code) == 0 {
		t.Fatalf("no token code at %s: %v", info.Token, err)
	}
	for i, a := range info.Accounts {
		if a.Address != crypto.PubkeyToAddress(DevKey(i).PublicKey) {
			t.Fatalf("account %d is %s, its key's address is another", i, a.Address)
		}
		if got := balanceOf(t, cl, info.Token, a.Address); got.Uint64() != cfg.USDT {
			t.Fatalf("account %d holds %s USDT units, want %d", i, got, cfg.USDT)
		}
	}
	if eth, err := cl.BalanceAt(ctx, vault, nil); err != nil || eth.Sign() <= 0 {
		t.Fatalf("funded address has %v ETH: %v", eth, err)
	}
	if got := balanceOf(t, cl, info.Token, vault); got.Sign() != 0 {
		t.Fatalf("the ETH-only funded address holds %s USDT units", got)
	}
	if got := balanceOf(t, cl, info.Token, dev); got.Uint64() != cfg.USDT {
		t.Fatalf("the USDT-funded address holds %s USDT units, want %d", got, cfg.USDT)
	}

	// A transfer is sealed because it arrived.
	from := DevKey(1)
	data, err := evm.TokenABI().Pack("transfer", vault, big.NewInt(250_000_000))
	if err != nil {
		t.Fatal(err)
	}
	nonce, err := cl.PendingNonceAt(ctx, crypto.PubkeyToAddress(from.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	head, err := cl.HeaderByNumber(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	chainID := big.NewInt(int64(info.ChainID))
	tip := big.NewInt(params.GWei)
	tx, err := ethtypes.SignNewTx(from, ethtypes.LatestSignerForChainID(chainID), &ethtypes.DynamicFeeTx{ChainID: chainID, Nonce: nonce,
		GasTipCap: tip, GasFeeCap: new(big.Int).Add(tip, new(big.Int).Mul(head.BaseFee, big.NewInt(2))), Gas: 200_000, To: &info.Token, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	if err := cl.SendTransaction(ctx, tx); err != nil {
		t.Fatal(err)
	}
	var rc *ethtypes.Receipt
	waitFor(t, "the transfer's receipt", func() bool { rc, err = cl.TransactionReceipt(ctx, tx.Hash()); return err == nil })
	if rc.Status != ethtypes.ReceiptStatusSuccessful {
		t.Fatal("transfer reverted")
	}
	if got := balanceOf(t, cl, info.Token, vault); got.Int64() != 250_000_000 {
		t.Fatalf("vault holds %s", got)
	}
	height, err := cl.BlockNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}

	// Restart from the same home, now with empty blocks every 20 ms.
	cfg.BlockInterval = 20 * time.Millisecond
	c2, cl2 := serve(t, cfg)
	defer func() {
		if err := c2.Close(); err != nil {
			t.Error(err)
		}
	}()
	if c2.Info().Token != info.Token {
		t.Fatalf("token moved to %s after a restart", c2.Info().Token)
	}
	if got := balanceOf(t, cl2, info.Token, vault); got.Int64() != 250_000_000 {
		t.Fatalf("vault holds %s after a restart", got)
	}
	waitFor(t, "empty blocks", func() bool {
		h, err := cl2.BlockNumber(ctx)
		return err == nil && h >= height+3
	})
}
