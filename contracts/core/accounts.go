package core

import (
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// AccountKeys is implemented by a module that keeps accounts (bank): it
// names the account whose record is stored under a state key, so the node
// learns which accounts a block changed without knowing the key layout.
type AccountKeys interface {
	AccountOf(key []byte) (types.Address, bool)
}

// ChangedAccounts lists the accounts the writes ws change, as reported by
// the modules that keep accounts (ledger.App).
func (r *Router) ChangedAccounts(ws []state.Write) []types.Address {
	var keepers []AccountKeys
	for _, m := range r.modules {
		if k, ok := m.(AccountKeys); ok {
			keepers = append(keepers, k)
		}
	}
	var out []types.Address
	for _, w := range ws {
		for _, k := range keepers {
			if a, ok := k.AccountOf(w.Key); ok {
				out = append(out, a)
				break
			}
		}
	}
	return out
}

// ReadKeyNamer is implemented by a module that can name state keys a
// transaction will read, from the transaction alone (bank: the sender's
// and a transfer's recipient's accounts), so the ledger reads a block's
// keys ahead of running it (ledger.ReadKeyNamer). A key named wrongly
// costs a read, never a different result.
type ReadKeyNamer interface {
	ReadKeys(tx *types.Tx, add func(key []byte))
}

// ReadKeys implements ledger.ReadKeyNamer with the modules that name keys.
func (r *Router) ReadKeys(tx *types.Tx, add func(key []byte)) {
	for _, n := range r.namers {
		n.ReadKeys(tx, add)
	}
}

var (
	_ ledger.App          = (*Router)(nil)
	_ ledger.ReadKeyNamer = (*Router)(nil)
)
