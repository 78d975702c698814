package main

import (
	"bufio"
	"context"
	"io"
	"math/big"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/ethclient"
)

// startDevchain runs `accord devchain` in-process on 127.0.0.1:0 until the
// test ends, and returns what it printed about itself.
func startDevchain(t *testing.T, home string, args ...string) *devchain.Info {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	root := newRootCmd()
	root.SetArgs(append([]string{"devchain", "--home", home, "--listen", "127.0.0.1:0", "--log-level", "error"}, args...))
	root.SetOut(pw)
	root.SetErr(io.Discard)
	done := make(chan error, 1)
	go func() {
		err := root.ExecuteContext(ctx)
		_ = pw.CloseWithError(io.EOF)
		done <- err
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("devchain: %v", err)
		}
	})
	sc := bufio.NewScanner(pr)
	var lines []string
	for sc.Scan() {
		lines = append(lines, sc.Text())
		if strings.HasPrefix(sc.Text(), "info file") {
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "devchain RPC") {
		cancel()
		t.Fatalf("devchain printed %q (%v)", lines, <-done)
	}
	info, err := devchain.ReadInfo(home)
	if err != nil {
		t.Fatal(err)
	}
	if f := strings.Fields(lines[0]); f[2] != info.RPC || !strings.Contains(lines[1], info.Token.Hex()) {
		t.Fatalf("printed %q, info file says %s and %s", lines[:2], info.RPC, info.Token)
	}
	return info
}

// TestDevchainCommand runs the command and checks, over HTTP with
// ethclient, what it printed: the endpoint answers, the token is deployed,
// the dev accounts hold the USDT asked for and the --fund address has ETH.
func TestDevchainCommand(t *testing.T) {
	vault := common.HexToAddress("0x000000000000000000000000000000000000b00b")
	info := startDevchain(t, t.TempDir(), "--accounts", "2", "--usdt", "5000", "--fund", vault.Hex(), "--block-interval", "0")
	cl, err := ethclient.Dial(info.RPC)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx := context.Background()
	for _, a := range info.Accounts {
		data, _ := evm.TokenABI().Pack("balanceOf", a.Address)
		out, err := cl.CallContract(ctx, ethereum.CallMsg{To: &info.Token, Data: data}, nil)
		if err != nil || new(big.Int).SetBytes(out).Uint64() != 5000_000_000 {
			t.Fatalf("%s holds %x (%v), want 5000 USDT", a.Address, out, err)
		}
	}
	if len(info.Accounts) != 2 {
		t.Fatalf("%d accounts", len(info.Accounts))
	}
	if bal, err := cl.BalanceAt(ctx, vault, nil); err != nil || bal.Sign() <= 0 {
		t.Fatalf("--fund address has %v ETH (%v)", bal, err)
	}
}
