package channel_test

import (
	"crypto/ecdsa"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
)

const usdt = types.MicroPerUSDT

// env is c2ctest's environment with the channel module registered (and
// bank refusing transfers into its escrow), as the app assembly will.
type env struct {
	*c2ctest.Env
	K channel.Keeper
}

func newEnv() *env {
	e := c2ctest.NewEnv()
	k := channel.NewKeeper(channel.Deps{Bank: e.Bank, Freezer: e.Freezer, Params: e.Gov})
	mods := e.Keepers.Modules()
	mods[0] = bank.Module{Keeper: e.Bank, Blocked: []types.Address{order.EscrowAddress, acceptor.FloatAddress,
		acceptor.MarginAddress, channel.EscrowAddress}}
	r, err := core.NewRouter(c2ctest.ChainID, nil, c2ctest.Replace(mods, channel.NewModule(k))...)
	if err != nil {
		panic(err)
	}
	e.Router = r
	return &env{Env: e, K: k}
}

func (e *env) invariants() string {
	if msg := e.Env.Invariants(); msg != "" {
		return msg
	}
	if msg, broken := e.K.EscrowInvariant(e.St); broken {
		return msg
	}
	esc, err := e.K.Escrowed(e.St)
	if err != nil {
		return err.Error()
	}
	if b := e.Bank.Balance(e.St, channel.EscrowAddress); b != esc {
		return "channel escrow account differs from the channels' remainders"
	}
	return ""
}

func key(n uint64) (*ecdsa.PrivateKey, types.Address) { return testkit.Key(7, n) }

func voucher(t testing.TB, k *ecdsa.PrivateKey, id types.Hash, amount, nonce uint64) *channel.Voucher {
	t.Helper()
	v, err := channel.SignVoucher(c2ctest.ChainID, id, amount, nonce, k)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
