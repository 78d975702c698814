package ledger

import (
	"encoding/json"
	"errors"

	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// BlockInfo is what the application may know about the block it executes
// in (height 0 is genesis).
type BlockInfo struct {
	ChainID string
	Height  uint64
	Time    uint64     // block time, unix milliseconds
	Seed    types.Hash // hash of the parent's commit certificate: unpredictable to the proposer
}

// ErrInvalidTx is wrapped by App.ApplyTx for a transaction that may not be
// in a block at all (bad nonce, cannot pay its fee, unknown type, ...).
var ErrInvalidTx = errors.New("invalid transaction")

// IsInvalidTx reports whether err means the transaction cannot be included.
func IsInvalidTx(err error) bool { return errors.Is(err, ErrInvalidTx) }

// App is the application the ledger executes blocks with: the business
// rules, which the ledger knows nothing about. Build and Execute drive it
// through one block loop: BeginBlock (the block's timers), ApplyTx for each
// transaction in order, then ChangedAccounts over the block's write set.
// Every method must be deterministic: the same state and input give the
// same writes, receipts and events on every node.
type App interface {
	// InitGenesis writes the initial state from the genesis document's
	// app_state sections.
	InitGenesis(b BlockInfo, st state.Store, appState map[string]json.RawMessage) error
	// BeginBlock runs before the block's first transaction and returns the
	// events of its timers.
	BeginBlock(b BlockInfo, st state.Journaled) ([]types.Event, error)
	// ApplyTx executes one transaction. An error wrapping ErrInvalidTx
	// means it may not be in a block; the App has then left st as it
	// found it. Any other error is fatal to the block. A message that
	// fails is not an error: it yields a failed receipt.
	ApplyTx(b BlockInfo, st state.Journaled, tx *types.Tx) (*types.Receipt, error)
	// ChangedAccounts lists the accounts (nonce or balance) that writes ws
	// change, so the node's mempool can revalidate their transactions
	// without knowing where the application keeps accounts.
	ChangedAccounts(ws []state.Write) []types.Address
}
