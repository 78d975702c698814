package bank

import (
	"bytes"

	"github.com/accordnet/accord/types"
)

// AccountOf returns the address whose account record is stored under key
// (a key of a block's write set), and false for any other key. The mempool
// uses it to re-read only the senders a block changed.
func AccountOf(key []byte) (types.Address, bool) {
	var a types.Address
	if len(key) != len(prefixAccount)+len(a) || !bytes.HasPrefix(key, prefixAccount) {
		return a, false
	}
	copy(a[:], key[len(prefixAccount):])
	return a, true
}

// AccountOf makes bank a core.AccountKeys: the router reports the accounts
// a block changed through it.
func (Module) AccountOf(key []byte) (types.Address, bool) { return AccountOf(key) }

// ReadKeys makes bank a core.ReadKeyNamer: every transaction reads its
// sender's account (the fee and nonce check), and a transfer its
// recipient's, which the ledger then reads ahead of the block.
func (Module) ReadKeys(tx *types.Tx, add func(key []byte)) {
	if from, err := tx.Sender(); err == nil {
		add(accountKey(from))
	}
	if tx.Type == TypeTransfer {
		if m, err := DecodeTransfer(tx.Payload); err == nil {
			add(accountKey(m.To))
		}
	}
}
