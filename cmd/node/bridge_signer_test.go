package main

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"io"
	"log/slog"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/evm"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/accordnet/accord/sidechain/rpcchain/rpcchaintest"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
)

// process is a long-running command run in-process.
type process struct {
	cancel context.CancelFunc
	done   chan error
}

// runProcess starts the command line args; stop ends it.
func runProcess(t *testing.T, args ...string) *process {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(io.Discard)
	root.SetErr(io.Discard)
	p := &process{cancel: cancel, done: make(chan error, 1)}
	go func() { p.done <- root.ExecuteContext(ctx) }()
	t.Cleanup(func() { p.stop(t) })
	return p
}

// runPrinting starts the command line args and returns the first line it
// prints that starts with prefix (where it listens).
func runPrinting(t *testing.T, prefix string, args ...string) (*process, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(pw)
	root.SetErr(io.Discard)
	p := &process{cancel: cancel, done: make(chan error, 1)}
	go func() {
		err := root.ExecuteContext(ctx)
		_ = pw.Close()
		p.done <- err
	}()
	t.Cleanup(func() { p.stop(t) })
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), prefix) {
			go func() { _, _ = io.Copy(io.Discard, pr) }()
			return p, sc.Text()
		}
	}
	t.Fatalf("%s exited without printing %q", args[0], prefix)
	return nil, ""
}

func (p *process) stop(t *testing.T) {
	if p.cancel == nil {
		return
	}
	p.cancel()
	p.cancel = nil
	if err := <-p.done; err != nil {
		t.Errorf("process: %v", err)
	}
}

// importKey puts key into home's keyring as name, password "pw", and
// returns the password file.
func importKey(t *testing.T, home, name string, key *ecdsa.PrivateKey) string {
	t.Helper()
	if _, err := (client.Keyring{Dir: node.Home(home).KeysDir()}).Import(name, "pw", key); err != nil {
		t.Fatal(err)
	}
	pw := filepath.Join(home, "pw")
	if err := os.WriteFile(pw, []byte("pw"), 0o600); err != nil {
		t.Fatal(err)
	}
	return pw
}

// eventually produces main blocks until cond holds (the processes run on
// their own timers against the chains over HTTP).
func eventually(t *testing.T, what string, produce func(), cond func() bool) {
	t.Helper()
	deadline := time.After(60 * time.Second)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("timed out waiting for %s", what)
		case <-tick.C:
			produce()
		}
	}
}

func sendERC20(t *testing.T, eth *ethclient.Client, key *ecdsa.PrivateKey, token common.Address, data []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := devchain.Send(ctx, eth, key, token, data); err != nil {
		t.Fatal(err)
	}
}

// TestBridgeSignerCommand runs two `accord bridge-signer` processes (the
// payer with the vault's key, and a checker) against a dev chain and a
// main-profile chain, both over HTTP: 1,000 USDT sent to the vault on the
// external chain is minted on main; the payer is stopped and restarted
// from its home; a 400 USDT withdrawal is paid once to the external
// address and marked PAID on main.
func TestBridgeSignerCommand(t *testing.T) {
	vaultKey, _ := crypto.GenerateKey()
	vault := crypto.PubkeyToAddress(vaultKey.PublicKey)
	dc, err := devchain.Start(devchain.Config{Accounts: 2, USDT: 5_000_000_000, Fund: []common.Address{vault},
		BlockInterval: 20 * time.Millisecond, Log: quietLog})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dc.Close() }) // after the processes stop
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

	user := devchain.DevKey(1)
	userAddr := types.PubkeyAddress(user)
	payerKey, checkerKey := banktest.DeterministicKey(500), banktest.DeterministicKey(501)
	signers := []types.Address{types.PubkeyAddress(payerKey), types.PubkeyAddress(checkerKey)}
	main := rpcchaintest.Start(t, rpcchaintest.Spec{Profile: app.Main, ChainID: "accord-main", Validator: banktest.DeterministicKey(1 << 40),
		AppState: map[string]json.RawMessage{
			"bank": rpcchaintest.Bank(t, "10", userAddr, signers[0], signers[1]),
			"gov": rpcchaintest.JSON(t, gov.Genesis{Admins: []string{userAddr.Hex()}, Threshold: 1, Roles: []gov.GenesisRole{
				{Address: signers[0].Hex(), Role: "bridge_signer"}, {Address: signers[1].Hex(), Role: "bridge_signer"}}}),
			"bridge": json.RawMessage(`{"params":{"attest_threshold":2}}`),
		}})
	main.ProduceOK()

	payerHome, checkerHome := t.TempDir(), t.TempDir()
	pw := importKey(t, payerHome, "signer", payerKey)
	importKey(t, payerHome, "vault", vaultKey)
	pw2 := importKey(t, checkerHome, "signer", checkerKey)
	base := []string{"bridge-signer", "--eth", info.RPC, "--main", main.URL, "--from", "signer", "--token", info.Token.Hex(),
		"--confirmations", "2", "--interval", "20ms", "--log-level", "error"}
	payerArgs := append(append([]string{}, base...), "--home", payerHome, "--password-file", pw, "--vault-from", "vault")
	payer := runProcess(t, payerArgs...)
	runProcess(t, append(append([]string{}, base...), "--home", checkerHome, "--password-file", pw2, "--vault", vault.Hex())...)

	data, _ := evm.TokenABI().Pack("transfer", vault, big.NewInt(1000_000_000))
	sendERC20(t, eth, user, info.Token, data)
	before := bank.Keeper{}.Balance(main.L.ReadState(), userAddr)
	eventually(t, "the deposit minted on main", func() { main.ProduceOK() }, func() bool {
		return bank.Keeper{}.Balance(main.L.ReadState(), userAddr) == before+1000*types.MicroPerUSDT
	})

	payer.stop(t)
	payer = runProcess(t, payerArgs...)
	extTo := common.Address{0xee, 3}
	main.Send(user, bridge.TypeWithdraw, &bridge.MsgWithdraw{ExtAddress: types.Address(extTo), Amount: 400 * types.MicroPerUSDT})
	var w *bridge.Withdrawal
	eventually(t, "the withdrawal paid", func() { main.ProduceOK() }, func() bool {
		w, err = bridge.Keeper{}.GetWithdrawal(main.L.ReadState(), 1)
		return err == nil && w.State == bridge.WithdrawalPaid
	})
	balance := func(a common.Address) int64 {
		data, _ := evm.TokenABI().Pack("balanceOf", a)
		out, err := eth.CallContract(context.Background(), ethereum.CallMsg{To: &info.Token, Data: data}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return new(big.Int).SetBytes(out).Int64()
	}
	if got := balance(extTo); got != 400_000_000 {
		t.Fatalf("external recipient holds %d, want 400 USDT", got)
	}
	if got := balance(vault); got != 600_000_000 {
		t.Fatalf("vault holds %d, want 600 USDT", got)
	}
	if len(w.Attested) != 2 {
		t.Fatalf("%d payout attestations", len(w.Attested))
	}
}

var quietLog = slog.New(slog.DiscardHandler)
