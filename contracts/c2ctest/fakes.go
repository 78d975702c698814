package c2ctest

import (
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var prefixFrozen = []byte("c2ctest/frozen/")

// Freezer stands in for the risk module's frozen-account set (a later
// issue). It keeps its data in the state store, so it rolls back with a
// failed transaction and survives a ledger commit like a real keeper.
type Freezer struct{}

func frozenKey(a types.Address) []byte {
	return append(append([]byte(nil), prefixFrozen...), a[:]...)
}

// Freeze marks a frozen (or not).
func (Freezer) Freeze(st state.Store, a types.Address, frozen bool) {
	if frozen {
		st.Set(frozenKey(a), []byte{1})
	} else {
		st.Delete(frozenKey(a))
	}
}

// IsFrozen implements acceptor.Freezer.
func (Freezer) IsFrozen(st state.Store, a types.Address) bool { return st.Has(frozenKey(a)) }
