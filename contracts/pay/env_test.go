package pay_test

import (
	"crypto/ecdsa"
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/contracts/internal/testkit/c2ckit"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/types"
)

const usdt = types.MicroPerUSDT

// env is c2ctest's environment with the pay module registered (and
// bank refusing transfers into its escrow), as the app assembly will.
type env struct {
	*c2ctest.Env
	K pay.Keeper
}

func newEnv() *env {
	e := c2ctest.NewEnv()
	k := pay.NewKeeper(pay.Deps{Bank: e.Bank, Freezer: e.Freezer, Params: e.Gov})
	c2ckit.Register(e, []types.Address{pay.EscrowAddress}, pay.NewModule(k))
	return &env{Env: e, K: k}
}

func (e *env) invariants() string {
	return c2ckit.Invariants(e.Env, e.K, pay.EscrowAddress, "pay escrow account differs from the open payments")
}

func key(n uint64) (*ecdsa.PrivateKey, types.Address) { return testkit.Key(9, n) }

func attest(t testing.TB, k *ecdsa.PrivateKey, id types.Hash, o pay.Outcome) *pay.Attestation {
	t.Helper()
	a, err := pay.SignAttestation(c2ctest.ChainID, id, o, k)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
