package testkit

import (
	"crypto/ecdsa"
	"fmt"
	"strings"

	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// ValKeys are the keys of a test validator set, in set order.
type ValKeys []*ecdsa.PrivateKey

// NewValKeys is a set of n deterministic keys, numbered from first.
func NewValKeys(first uint64, n int) ValKeys {
	ks := make(ValKeys, n)
	for i := range ks {
		ks[i] = banktest.DeterministicKey(first + uint64(i))
	}
	return ks
}

// Addrs are the set's addresses.
func (ks ValKeys) Addrs() []types.Address {
	out := make([]types.Address, len(ks))
	for i, k := range ks {
		out[i] = types.PubkeyAddress(k)
	}
	return out
}

// Hash is the set's ValidatorSet hash.
func (ks ValKeys) Hash() types.Hash { return (&types.ValidatorSet{Validators: ks.Addrs()}).Hash() }

// QuotedAddrs is the set's addresses as JSON strings joined by commas, for
// a genesis document's validator list.
func (ks ValKeys) QuotedAddrs() string {
	s := make([]string, len(ks))
	for i, a := range ks.Addrs() {
		s[i] = fmt.Sprintf("%q", a.Hex())
	}
	return strings.Join(s, ",")
}

// Run runs h on payload in ctx (whose store is st), rolling a failure back
// as the router does; it returns the events of a success.
func Run(st *state.Overlay, ctx *core.Context, h core.Handler, payload []byte) ([]types.Event, error) {
	mark := st.Snapshot()
	if err := h(ctx, payload); err != nil {
		st.RevertTo(mark)
		return nil, err
	}
	return ctx.Events(), nil
}

// Dump is every key and value under prefix, one "key=value" hex line each,
// to compare whole module states.
func Dump(st state.Store, prefix []byte) string {
	var b strings.Builder
	st.Iterate(prefix, state.PrefixEnd(prefix), false, func(k, v []byte) bool {
		fmt.Fprintf(&b, "%x=%x\n", k, v)
		return true
	})
	return b.String()
}
