package bank

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"
	"sort"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Store layout.
var (
	prefixAccount = []byte("bank/a/")
	keySupply     = []byte("bank/supply")
	keyParams     = []byte("bank/params")
)

// Account is one account's balance and next nonce.
type Account struct {
	Balance uint64
	Nonce   uint64
}

// Params are the bank's governable parameters.
type Params struct {
	MinFee   uint64        // micro-USDT a transaction must offer at least
	Treasury types.Address // receives fees
}

// Keeper reads and writes bank state. It holds no state of its own.
type Keeper struct{}

// ModuleAddress is the account a module holds funds in (e.g. escrow). No
// private key can sign for it: it is a hash, not a public key.
func ModuleAddress(name string) types.Address {
	var a types.Address
	h := types.Keccak([]byte("accord/module/" + name))
	copy(a[:], h[12:])
	return a
}

func accountKey(a types.Address) []byte {
	k := make([]byte, 0, len(prefixAccount)+len(a))
	return append(append(k, prefixAccount...), a[:]...)
}

// GetAccount reads an account; an absent account is zero.
func (Keeper) GetAccount(st state.Store, a types.Address) Account {
	return getAccount(st, accountKey(a))
}

// SetAccount writes an account.
func (Keeper) SetAccount(st state.Store, a types.Address, acc Account) {
	setAccount(st, accountKey(a), acc)
}

// getAccount and setAccount take the account's key, so a handler that
// reads and then writes an account builds its key once.
func getAccount(st state.Store, key []byte) Account {
	v, ok := st.Get(key)
	if !ok || len(v) != 16 {
		return Account{}
	}
	return Account{Balance: binary.BigEndian.Uint64(v[:8]), Nonce: binary.BigEndian.Uint64(v[8:])}
}

func setAccount(st state.Store, key []byte, acc Account) {
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v[:8], acc.Balance)
	binary.BigEndian.PutUint64(v[8:], acc.Nonce)
	st.Set(key, v)
}

// Balance returns a's balance.
func (k Keeper) Balance(st state.Store, a types.Address) uint64 { return k.GetAccount(st, a).Balance }

// Supply returns the total USDT in existence on this chain.
func (Keeper) Supply(st state.Store) uint64 {
	v, ok := st.Get(keySupply)
	if !ok || len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func setSupply(st state.Store, s uint64) {
	v := make([]byte, 8)
	binary.BigEndian.PutUint64(v, s)
	st.Set(keySupply, v)
}

// GetParams reads the parameters.
func (Keeper) GetParams(st state.Store) Params {
	var p Params
	if v, ok := st.Get(keyParams); ok {
		// Every transaction reads the parameters: decode the canonical
		// encoding without reflection, anything else as before.
		if fee, treasury, ok := decodeUintAddress(v); ok {
			return Params{MinFee: fee, Treasury: treasury}
		}
		_ = core.Decode(v, &p) // written only by SetParams
	}
	return p
}

// SetParams writes the parameters (genesis and gov).
func (Keeper) SetParams(st state.Store, p Params) { st.Set(keyParams, core.Encode(&p)) }

// Send moves amount from one account to another with checked arithmetic.
// On error nothing is written.
func (k Keeper) Send(st state.Store, from, to types.Address, amount uint64) error {
	if amount == 0 {
		return ErrZeroAmount
	}
	fromKey := accountKey(from)
	src := getAccount(st, fromKey)
	if src.Balance < amount {
		return fmt.Errorf("%s has %s USDT, needs %s: %w", from.Hex(), types.FormatUSDT(src.Balance), types.FormatUSDT(amount), ErrInsufficientFunds)
	}
	if from == to {
		return nil
	}
	toKey := accountKey(to)
	dst := getAccount(st, toKey)
	nb, err := types.AddAmount(dst.Balance, amount)
	if err != nil {
		return fmt.Errorf("credit %s: %w", to.Hex(), ErrOverflow)
	}
	src.Balance -= amount
	dst.Balance = nb
	setAccount(st, fromKey, src)
	setAccount(st, toKey, dst)
	return nil
}

// Mint creates amount in to (bridge deposits, genesis).
func (k Keeper) Mint(st state.Store, to types.Address, amount uint64) error {
	s, err := types.AddAmount(k.Supply(st), amount)
	if err != nil {
		return fmt.Errorf("mint: supply: %w", ErrOverflow)
	}
	acc := k.GetAccount(st, to)
	nb, err := types.AddAmount(acc.Balance, amount)
	if err != nil {
		return fmt.Errorf("mint to %s: %w", to.Hex(), ErrOverflow)
	}
	acc.Balance = nb
	k.SetAccount(st, to, acc)
	setSupply(st, s)
	return nil
}

// Burn destroys amount from from (bridge withdrawals).
func (k Keeper) Burn(st state.Store, from types.Address, amount uint64) error {
	acc := k.GetAccount(st, from)
	if acc.Balance < amount {
		return fmt.Errorf("burn from %s: %w", from.Hex(), ErrInsufficientFunds)
	}
	acc.Balance -= amount
	k.SetAccount(st, from, acc)
	setSupply(st, k.Supply(st)-amount) // supply >= any balance, by the supply invariant
	return nil
}

// Ante checks the nonce and the fee, then charges the fee to the treasury
// and advances the nonce. It is the router's account check for every
// transaction. On error nothing is written.
func (k Keeper) Ante(ctx *core.Context, tx *types.Tx) error {
	senderKey := accountKey(ctx.Sender)
	acc := getAccount(ctx.Store, senderKey)
	if tx.Nonce != acc.Nonce {
		return fmt.Errorf("%w: tx nonce %d, account nonce %d", ErrBadNonce, tx.Nonce, acc.Nonce)
	}
	p := k.GetParams(ctx.Store)
	if tx.Fee < p.MinFee {
		return fmt.Errorf("%w: fee %s < %s USDT", ErrFeeTooLow, types.FormatUSDT(tx.Fee), types.FormatUSDT(p.MinFee))
	}
	if acc.Balance < tx.Fee {
		return fmt.Errorf("%w: balance %s < fee %s USDT", ErrCannotPayFee, types.FormatUSDT(acc.Balance), types.FormatUSDT(tx.Fee))
	}
	acc.Nonce++
	if tx.Fee == 0 || p.Treasury == ctx.Sender {
		// The treasury paying its own fee keeps its balance.
		setAccount(ctx.Store, senderKey, acc)
		return nil
	}
	// Credit the treasury before writing anything, so an error writes nothing.
	trKey := accountKey(p.Treasury)
	tr := getAccount(ctx.Store, trKey)
	nb, err := types.AddAmount(tr.Balance, tx.Fee)
	if err != nil {
		return fmt.Errorf("treasury: %w", ErrOverflow)
	}
	tr.Balance = nb
	acc.Balance -= tx.Fee
	setAccount(ctx.Store, senderKey, acc)
	setAccount(ctx.Store, trKey, tr)
	return nil
}

// Module is the bank as a contract module.
type Module struct {
	Keeper
	// Blocked lists module accounts that keep their own ledgers (escrow,
	// acceptor float and margin): a plain transfer into one would strand the
	// money outside those ledgers, so it is refused. The wiring sets it.
	Blocked []types.Address
}

// Name implements core.Module.
func (Module) Name() string { return "bank" }

// Routes implements core.Module.
func (m Module) Routes() []core.Route {
	return []core.Route{{Type: TypeTransfer, Name: "bank.transfer", Handler: core.HandleDecoded(DecodeTransfer, m.handleTransfer)}}
}

func (m Module) handleTransfer(ctx *core.Context, msg *MsgTransfer) error {
	if slices.Contains(m.Blocked, msg.To) {
		return fmt.Errorf("%s: %w", msg.To.Hex(), ErrBlockedRecipient)
	}
	if err := m.Send(ctx.Store, ctx.Sender, msg.To, msg.Amount); err != nil {
		return err
	}
	ctx.EmitEvent(TransferEvent{From: ctx.Sender, To: msg.To, Amount: msg.Amount})
	return nil
}

// Genesis is the bank's section of the genesis document.
type Genesis struct {
	MinFee   string           `json:"min_fee"` // USDT decimal
	Treasury string           `json:"treasury"`
	Accounts []GenesisAccount `json:"accounts"`
}

// GenesisAccount is one initial allocation.
type GenesisAccount struct {
	Address string `json:"address"`
	Balance string `json:"balance"` // USDT decimal, e.g. "1000" or "12.5"
}

// InitGenesis implements core.Module.
func (m Module) InitGenesis(ctx *core.Context, raw json.RawMessage) error {
	var g Genesis
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &g); err != nil {
			return fmt.Errorf("bank genesis: %w", err)
		}
	}
	var p Params
	if g.MinFee != "" {
		fee, err := types.ParseUSDT(g.MinFee)
		if err != nil {
			return fmt.Errorf("bank genesis min_fee: %w", err)
		}
		p.MinFee = fee
	}
	if g.Treasury != "" {
		t, err := types.ParseAddress(g.Treasury)
		if err != nil {
			return fmt.Errorf("bank genesis treasury: %w", err)
		}
		p.Treasury = t
	} else {
		p.Treasury = ModuleAddress("treasury")
	}
	m.SetParams(ctx.Store, p)
	accs := append([]GenesisAccount(nil), g.Accounts...)
	sort.SliceStable(accs, func(i, j int) bool { return accs[i].Address < accs[j].Address })
	for _, a := range accs {
		addr, err := types.ParseAddress(a.Address)
		if err != nil {
			return fmt.Errorf("bank genesis account: %w", err)
		}
		amt, err := types.ParseUSDT(a.Balance)
		if err != nil {
			return fmt.Errorf("bank genesis account %s: %w", a.Address, err)
		}
		if err := m.Mint(ctx.Store, addr, amt); err != nil {
			return fmt.Errorf("bank genesis account %s: %w", a.Address, err)
		}
	}
	return nil
}
