// Package ledgertest is the ledger's own test application and test chain:
// accounts with a nonce and a balance, one transfer message, a fee that
// goes to a treasury. It stands in for the real modules (which live above
// the ledger in contracts/) so the ledger's tests and benchmarks exercise
// the block loop, storage and proofs without importing any of them.
package ledgertest

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// ChainID of test chains.
const ChainID = "accord-test"

// MinFee of test chains, in micro-USDT.
const MinFee = 10_000

// TypeTransfer is the one message type of the test application.
const TypeTransfer types.TxType = 0x0101

// Codespace of the test application's result codes.
const Codespace = "ledgertest"

// Result codes of failed transfers.
const (
	CodeBadPayload        uint32 = 2
	CodeInsufficientFunds uint32 = 3
)

// Treasury receives every fee.
var Treasury = types.Address{0x7e, 0xa5}

// Errors. ErrBadNonce, ErrFeeTooLow and ErrCannotPayFee make a transaction
// invalid (wrapped in ledger.ErrInvalidTx); ErrInsufficientFunds and
// ErrBadPayload fail its message.
var (
	ErrBadNonce          = errors.New("bad nonce")
	ErrFeeTooLow         = errors.New("fee below the minimum")
	ErrCannotPayFee      = errors.New("balance below the fee")
	ErrUnknownType       = errors.New("unknown transaction type")
	ErrBadPayload        = errors.New("malformed payload")
	ErrInsufficientFunds = errors.New("insufficient funds")
)

// Transfer is the payload of TypeTransfer.
type Transfer struct {
	To     types.Address
	Amount uint64 // micro-USDT
}

// Account is an account's state.
type Account struct {
	Nonce   uint64
	Balance uint64 // micro-USDT
}

// GenesisSection is the application's app_state section ("ledgertest").
type GenesisSection struct {
	Accounts []GenesisAccount `json:"accounts"`
}

// GenesisAccount is one funded account; Balance is in USDT ("1000000").
type GenesisAccount struct {
	Address string `json:"address"`
	Balance string `json:"balance"`
}

// SectionName is the application's key in the genesis app_state.
const SectionName = "ledgertest"

var (
	prefixAccount = []byte("acct/")
	keySupply     = []byte("supply") // the genesis total, which transfers keep
)

func accountKey(a types.Address) []byte { return append(append([]byte{}, prefixAccount...), a[:]...) }

// Get reads a's account (zero when absent).
func Get(st state.Store, a types.Address) Account {
	v, ok := st.Get(accountKey(a))
	if !ok || len(v) != 16 {
		return Account{}
	}
	return Account{Nonce: binary.BigEndian.Uint64(v[:8]), Balance: binary.BigEndian.Uint64(v[8:])}
}

// Balance is a's balance.
func Balance(st state.Store, a types.Address) uint64 { return Get(st, a).Balance }

// SetAccount writes a's account (a bulk load of test state).
func SetAccount(st state.Store, a types.Address, acc Account) { put(st, a, acc) }

// TransferPayload is the encoded payload of a transfer.
func TransferPayload(to types.Address, amount uint64) []byte {
	b, err := rlp.EncodeToBytes(&Transfer{To: to, Amount: amount})
	if err != nil {
		panic(err)
	}
	return b
}

func put(st state.Store, a types.Address, acc Account) {
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v[:8], acc.Nonce)
	binary.BigEndian.PutUint64(v[8:], acc.Balance)
	st.Set(accountKey(a), v)
}

// SupplyInvariant reports whether the balances still sum to the genesis
// supply.
func SupplyInvariant(st state.Store) (string, bool) {
	v, _ := st.Get(keySupply)
	var want uint64
	if len(v) == 8 {
		want = binary.BigEndian.Uint64(v)
	}
	if got := Supply(st); got != want {
		return fmt.Sprintf("ledgertest: balances sum to %d, genesis supply %d", got, want), true
	}
	return "", false
}

// Supply is the sum of every balance, treasury included.
func Supply(st state.Store) uint64 {
	var sum uint64
	st.Iterate(prefixAccount, state.PrefixEnd(prefixAccount), false, func(_, v []byte) bool {
		if len(v) == 16 {
			sum += binary.BigEndian.Uint64(v[8:])
		}
		return true
	})
	return sum
}

// App is the test application (ledger.App).
type App struct{}

var _ ledger.App = App{}

// InitGenesis implements ledger.App.
func (App) InitGenesis(_ ledger.BlockInfo, st state.Store, appState map[string]json.RawMessage) error {
	raw, ok := appState[SectionName]
	if !ok {
		return nil
	}
	var g GenesisSection
	if err := json.Unmarshal(raw, &g); err != nil {
		return fmt.Errorf("genesis %s: %w", SectionName, err)
	}
	var total uint64
	for _, ga := range g.Accounts {
		a, err := types.ParseAddress(ga.Address)
		if err != nil {
			return fmt.Errorf("genesis %s: %w", SectionName, err)
		}
		bal, err := types.ParseUSDT(ga.Balance)
		if err != nil {
			return fmt.Errorf("genesis %s %s: %w", SectionName, ga.Address, err)
		}
		acc := Get(st, a)
		if acc.Balance, err = types.AddAmount(acc.Balance, bal); err != nil {
			return fmt.Errorf("genesis %s %s: %w", SectionName, ga.Address, err)
		}
		put(st, a, acc)
		if total, err = types.AddAmount(total, bal); err != nil {
			return fmt.Errorf("genesis %s: supply: %w", SectionName, err)
		}
	}
	st.Set(keySupply, binary.BigEndian.AppendUint64(nil, total))
	return nil
}

// BeginBlock implements ledger.App: the test application has no timers.
func (App) BeginBlock(ledger.BlockInfo, state.Journaled) ([]types.Event, error) { return nil, nil }

func invalid(err error) error { return fmt.Errorf("%w: %w", ledger.ErrInvalidTx, err) }

// ApplyTx implements ledger.App: check the nonce and the fee, charge the
// fee to the treasury, then move the amount or fail the message.
func (App) ApplyTx(_ ledger.BlockInfo, st state.Journaled, tx *types.Tx) (*types.Receipt, error) {
	if err := tx.CheckChainID(ChainID); err != nil {
		return nil, invalid(err)
	}
	from, err := tx.Sender()
	if err != nil {
		return nil, invalid(err)
	}
	if tx.Type != TypeTransfer {
		return nil, invalid(fmt.Errorf("%w %#x", ErrUnknownType, tx.Type))
	}
	acc := Get(st, from)
	switch {
	case tx.Nonce != acc.Nonce:
		return nil, invalid(fmt.Errorf("%w: %d, want %d", ErrBadNonce, tx.Nonce, acc.Nonce))
	case tx.Fee < MinFee:
		return nil, invalid(fmt.Errorf("%w: %d < %d", ErrFeeTooLow, tx.Fee, MinFee))
	case acc.Balance < tx.Fee:
		return nil, invalid(fmt.Errorf("%w: %d < %d", ErrCannotPayFee, acc.Balance, tx.Fee))
	}
	acc.Nonce++
	acc.Balance -= tx.Fee
	put(st, from, acc)
	tr := Get(st, Treasury)
	tr.Balance += tx.Fee
	put(st, Treasury, tr)

	rc := &types.Receipt{TxHash: tx.Hash(), Fee: tx.Fee}
	fail := func(code uint32, err error) (*types.Receipt, error) {
		rc.Status, rc.Codespace, rc.Code, rc.Error = types.StatusFailed, Codespace, code, err.Error()
		return rc, nil
	}
	var m Transfer
	if err := rlp.DecodeBytes(tx.Payload, &m); err != nil {
		return fail(CodeBadPayload, fmt.Errorf("%w: %v", ErrBadPayload, err))
	}
	acc = Get(st, from)
	if m.Amount > acc.Balance {
		return fail(CodeInsufficientFunds, fmt.Errorf("%w: %d > %d", ErrInsufficientFunds, m.Amount, acc.Balance))
	}
	acc.Balance -= m.Amount
	put(st, from, acc)
	to := Get(st, m.To)
	if to.Balance, err = types.AddAmount(to.Balance, m.Amount); err != nil {
		return nil, err // the supply is bounded by the genesis: unreachable
	}
	put(st, m.To, to)
	rc.Events = []types.Event{{Type: "transfer", Attrs: []types.Attr{
		{Key: "from", Value: from.Hex()}, {Key: "to", Value: m.To.Hex()}, {Key: "amount", Value: fmt.Sprint(m.Amount)}}}}
	return rc, nil
}

// ReadKeys implements ledger.ReadKeyNamer: a transfer reads its sender's
// account and its recipient's (and the treasury's, which every transaction
// reads and the state cache keeps).
func (App) ReadKeys(tx *types.Tx, add func(key []byte)) {
	if from, err := tx.Sender(); err == nil {
		add(accountKey(from))
	}
	var m Transfer
	if tx.Type == TypeTransfer && rlp.DecodeBytes(tx.Payload, &m) == nil {
		add(accountKey(m.To))
	}
}

var _ ledger.ReadKeyNamer = App{}

// ChangedAccounts implements ledger.App.
func (App) ChangedAccounts(ws []state.Write) []types.Address {
	var out []types.Address
	for _, w := range ws {
		if len(w.Key) == len(prefixAccount)+len(types.Address{}) && string(w.Key[:len(prefixAccount)]) == string(prefixAccount) {
			out = append(out, types.Address(w.Key[len(prefixAccount):]))
		}
	}
	return out
}
