package channel_test

import (
	"crypto/ecdsa"
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/internal/testkit/c2ckit"
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
	c2ckit.Register(e, []types.Address{channel.EscrowAddress}, channel.NewModule(k))
	return &env{Env: e, K: k}
}

func (e *env) invariants() string {
	return c2ckit.Invariants(e.Env, e.K, channel.EscrowAddress, "channel escrow account differs from the channels' remainders")
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
