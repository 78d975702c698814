package bank_test

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var (
	alice    = types.Address{0xa1}
	bob      = types.Address{0xb0}
	carol    = types.Address{0xc0}
	treasury = bank.ModuleAddress("treasury")
)

type balances map[types.Address]uint64

// setup returns a fresh store where each account in bs holds its balance
// (minted, so the supply matches) and the bank parameters are set.
func setup(t *testing.T, bs balances, minFee uint64) *state.Overlay {
	t.Helper()
	st := state.NewOverlay(nil)
	var k bank.Keeper
	k.SetParams(st, bank.Params{MinFee: minFee, Treasury: treasury})
	for a, b := range bs {
		if err := k.Mint(st, a, b); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// nothingWritten fails unless no write happened since mark.
func nothingWritten(t *testing.T, st *state.Overlay, mark int) {
	t.Helper()
	if st.Snapshot() != mark {
		t.Fatalf("failed call wrote %d entries", st.Snapshot()-mark)
	}
}

func checkInvariant(t *testing.T, st state.Store) {
	t.Helper()
	if msg, broken := (bank.Keeper{}).SupplyInvariant(st); broken {
		t.Fatal(msg)
	}
}

func TestSend(t *testing.T) {
	tests := []struct {
		name     string
		start    balances
		from, to types.Address
		amount   uint64
		wantErr  error
		want     balances // checked on success
	}{
		{"moves the amount", balances{alice: 100, bob: 5}, alice, bob, 40, nil, balances{alice: 60, bob: 45}},
		{"whole balance", balances{alice: 100}, alice, bob, 100, nil, balances{alice: 0, bob: 100}},
		{"creates the recipient", balances{alice: 100}, alice, carol, 1, nil, balances{alice: 99, carol: 1}},
		{"zero amount is refused", balances{alice: 100}, alice, bob, 0, bank.ErrZeroAmount, nil},
		{"insufficient funds", balances{alice: 100, bob: 1}, alice, bob, 101, bank.ErrInsufficientFunds, nil},
		{"empty sender", balances{bob: 1}, alice, bob, 1, bank.ErrInsufficientFunds, nil},
		{"self-send changes nothing", balances{alice: 100}, alice, alice, 60, nil, balances{alice: 100}},
		{"self-send above the balance is refused", balances{alice: 100}, alice, alice, 101, bank.ErrInsufficientFunds, nil},
		{"credit up to the largest balance", balances{alice: 10, bob: math.MaxUint64 - 20}, alice, bob, 10, nil, balances{alice: 0, bob: math.MaxUint64 - 10}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := setup(t, tc.start, 0)
			var k bank.Keeper
			mark := st.Snapshot()
			err := k.Send(st, tc.from, tc.to, tc.amount)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Send: %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				nothingWritten(t, st, mark)
				return
			}
			for a, want := range tc.want {
				if got := k.Balance(st, a); got != want {
					t.Errorf("balance of %x = %d, want %d", a[:1], got, want)
				}
			}
			if tc.from == tc.to {
				nothingWritten(t, st, mark)
			}
			checkInvariant(t, st)
		})
	}
}

func TestSendOverflowOnCreditWritesNothing(t *testing.T) {
	// Unreachable while the supply invariant holds (a balance never
	// exceeds the supply), so the balances are written directly.
	st := state.NewOverlay(nil)
	var k bank.Keeper
	k.SetAccount(st, alice, bank.Account{Balance: 10, Nonce: 3})
	k.SetAccount(st, bob, bank.Account{Balance: math.MaxUint64 - 5, Nonce: 7})
	mark := st.Snapshot()
	if err := k.Send(st, alice, bob, 10); !errors.Is(err, bank.ErrOverflow) {
		t.Fatalf("Send: %v, want %v", err, bank.ErrOverflow)
	}
	nothingWritten(t, st, mark)
	if a, b := k.GetAccount(st, alice), k.GetAccount(st, bob); a != (bank.Account{Balance: 10, Nonce: 3}) || b != (bank.Account{Balance: math.MaxUint64 - 5, Nonce: 7}) {
		t.Fatalf("accounts changed: %+v %+v", a, b)
	}
}

func TestSendKeepsNonces(t *testing.T) {
	st := state.NewOverlay(nil)
	var k bank.Keeper
	k.SetAccount(st, alice, bank.Account{Balance: 10, Nonce: 3})
	k.SetAccount(st, bob, bank.Account{Balance: 1, Nonce: 9})
	if err := k.Send(st, alice, bob, 4); err != nil {
		t.Fatal(err)
	}
	if a, b := k.GetAccount(st, alice), k.GetAccount(st, bob); a != (bank.Account{Balance: 6, Nonce: 3}) || b != (bank.Account{Balance: 5, Nonce: 9}) {
		t.Fatalf("accounts: %+v %+v", a, b)
	}
}

func TestMintAndBurnTrackSupply(t *testing.T) {
	type op struct {
		burn    bool
		who     types.Address
		amount  uint64
		wantErr error
	}
	tests := []struct {
		name       string
		ops        []op
		wantSupply uint64
		want       balances
	}{
		{"mint creates supply", []op{{false, alice, 100, nil}, {false, bob, 50, nil}}, 150, balances{alice: 100, bob: 50}},
		{"mint zero is harmless", []op{{false, alice, 0, nil}}, 0, balances{alice: 0}},
		{"burn destroys supply", []op{{false, alice, 100, nil}, {true, alice, 30, nil}}, 70, balances{alice: 70}},
		{"burn everything", []op{{false, alice, 100, nil}, {true, alice, 100, nil}}, 0, balances{alice: 0}},
		{"burn above the balance is refused", []op{{false, alice, 100, nil}, {false, bob, 100, nil}, {true, alice, 101, bank.ErrInsufficientFunds}}, 200, balances{alice: 100, bob: 100}},
		{"mint overflowing the supply is refused", []op{{false, alice, math.MaxUint64 - 1, nil}, {false, bob, 2, bank.ErrOverflow}}, math.MaxUint64 - 1, balances{alice: math.MaxUint64 - 1, bob: 0}},
		{"mint up to the limit", []op{{false, alice, math.MaxUint64 - 1, nil}, {false, bob, 1, nil}}, math.MaxUint64, balances{alice: math.MaxUint64 - 1, bob: 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := setup(t, nil, 0)
			var k bank.Keeper
			for i, o := range tc.ops {
				mark := st.Snapshot()
				var err error
				if o.burn {
					err = k.Burn(st, o.who, o.amount)
				} else {
					err = k.Mint(st, o.who, o.amount)
				}
				if !errors.Is(err, o.wantErr) {
					t.Fatalf("op %d: %v, want %v", i, err, o.wantErr)
				}
				if err != nil {
					nothingWritten(t, st, mark)
				}
				checkInvariant(t, st)
			}
			if got := k.Supply(st); got != tc.wantSupply {
				t.Fatalf("supply %d, want %d", got, tc.wantSupply)
			}
			for a, want := range tc.want {
				if got := k.Balance(st, a); got != want {
					t.Errorf("balance of %x = %d, want %d", a[:1], got, want)
				}
			}
		})
	}
}

func TestMintBalanceOverflowWritesNothing(t *testing.T) {
	// A balance above the supply breaks the invariant; Mint must still
	// refuse to wrap it rather than write a wrapped balance.
	st := state.NewOverlay(nil)
	var k bank.Keeper
	k.SetAccount(st, alice, bank.Account{Balance: math.MaxUint64})
	mark := st.Snapshot()
	if err := k.Mint(st, alice, 1); !errors.Is(err, bank.ErrOverflow) {
		t.Fatalf("Mint: %v", err)
	}
	nothingWritten(t, st, mark)
}

func transferTx(nonce, fee uint64) *types.Tx {
	return &types.Tx{ChainID: "test", Nonce: nonce, Type: bank.TypeTransfer, Fee: fee,
		Payload: core.Encode(&bank.MsgTransfer{To: bob, Amount: 1})}
}

func TestAnte(t *testing.T) {
	const minFee = 10
	tests := []struct {
		name        string
		sender      bank.Account
		treasury    uint64
		nonce, fee  uint64
		wantErr     error
		wantSender  bank.Account // on success
		wantTreasur uint64
	}{
		{"charges the fee and advances the nonce", bank.Account{Balance: 100, Nonce: 4}, 0, 4, minFee, nil, bank.Account{Balance: 90, Nonce: 5}, minFee},
		{"fee above the minimum", bank.Account{Balance: 100}, 7, 0, 25, nil, bank.Account{Balance: 75, Nonce: 1}, 32},
		{"fee equal to the balance", bank.Account{Balance: 10, Nonce: 1}, 0, 1, 10, nil, bank.Account{Balance: 0, Nonce: 2}, 10},
		{"nonce too low (replay)", bank.Account{Balance: 100, Nonce: 4}, 0, 3, minFee, bank.ErrBadNonce, bank.Account{}, 0},
		{"nonce too high (gap)", bank.Account{Balance: 100, Nonce: 4}, 0, 5, minFee, bank.ErrBadNonce, bank.Account{}, 0},
		{"first transaction of an unknown account", bank.Account{}, 0, 1, minFee, bank.ErrBadNonce, bank.Account{}, 0},
		{"fee below the minimum", bank.Account{Balance: 100}, 0, 0, minFee - 1, bank.ErrFeeTooLow, bank.Account{}, 0},
		{"zero fee", bank.Account{Balance: 100}, 0, 0, 0, bank.ErrFeeTooLow, bank.Account{}, 0},
		{"cannot pay the fee", bank.Account{Balance: minFee - 1}, 0, 0, minFee, bank.ErrCannotPayFee, bank.Account{}, 0},
		{"empty account cannot pay", bank.Account{}, 0, 0, minFee, bank.ErrCannotPayFee, bank.Account{}, 0},
		{"treasury overflow", bank.Account{Balance: 100}, math.MaxUint64 - 5, 0, minFee, bank.ErrOverflow, bank.Account{}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := setup(t, nil, minFee)
			var k bank.Keeper
			k.SetAccount(st, alice, tc.sender)
			k.SetAccount(st, treasury, bank.Account{Balance: tc.treasury})
			ctx := core.NewContext(core.Block{ChainID: "test", Height: 1}, st)
			ctx.Sender = alice
			mark := st.Snapshot()
			err := k.Ante(ctx, transferTx(tc.nonce, tc.fee))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("Ante: %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				nothingWritten(t, st, mark)
				return
			}
			if got := k.GetAccount(st, alice); got != tc.wantSender {
				t.Errorf("sender %+v, want %+v", got, tc.wantSender)
			}
			if got := k.Balance(st, treasury); got != tc.wantTreasur {
				t.Errorf("treasury %d, want %d", got, tc.wantTreasur)
			}
		})
	}
}

func TestAnteWhenTheSenderIsTheTreasury(t *testing.T) {
	st := state.NewOverlay(nil)
	var k bank.Keeper
	k.SetParams(st, bank.Params{MinFee: 10, Treasury: alice})
	k.SetAccount(st, alice, bank.Account{Balance: 100, Nonce: 2})
	ctx := core.NewContext(core.Block{}, st)
	ctx.Sender = alice
	if err := k.Ante(ctx, transferTx(2, 10)); err != nil {
		t.Fatal(err)
	}
	if got := k.GetAccount(st, alice); got != (bank.Account{Balance: 100, Nonce: 3}) {
		t.Fatalf("treasury paying itself: %+v", got)
	}
	// Even a full treasury can pay itself.
	k.SetAccount(st, alice, bank.Account{Balance: math.MaxUint64, Nonce: 3})
	if err := k.Ante(ctx, transferTx(3, 10)); err != nil {
		t.Fatal(err)
	}
	if got := k.GetAccount(st, alice); got != (bank.Account{Balance: math.MaxUint64, Nonce: 4}) {
		t.Fatalf("full treasury paying itself: %+v", got)
	}
}

func TestAnteWithoutMinimumFee(t *testing.T) {
	st := setup(t, balances{alice: 5}, 0)
	var k bank.Keeper
	ctx := core.NewContext(core.Block{}, st)
	ctx.Sender = alice
	mark := st.Snapshot()
	if err := k.Ante(ctx, transferTx(0, 0)); err != nil {
		t.Fatal(err)
	}
	// Only the nonce moves; a zero fee does not touch the treasury.
	if st.Snapshot() != mark+1 {
		t.Fatalf("%d writes, want 1", st.Snapshot()-mark)
	}
	if got := k.GetAccount(st, alice); got != (bank.Account{Balance: 5, Nonce: 1}) {
		t.Fatalf("sender %+v", got)
	}
}

func genesisJSON(t *testing.T, g bank.Genesis) json.RawMessage {
	t.Helper()
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestGenesis(t *testing.T) {
	good := bank.GenesisAccount{Address: alice.Hex(), Balance: "12.5"}
	tests := []struct {
		name    string
		raw     json.RawMessage
		wantErr error  // matched with errors.Is when set
		errText string // else matched as a substring when set
	}{
		{"bad json", json.RawMessage(`{"accounts": [`), nil, "bank genesis"},
		{"wrong json type", json.RawMessage(`{"accounts": {}}`), nil, "bank genesis"},
		{"bad account address", genesisJSON(t, bank.Genesis{Accounts: []bank.GenesisAccount{good, {Address: "0x1234", Balance: "1"}}}), types.ErrBadAddress, ""},
		{"address with non-hex digits", genesisJSON(t, bank.Genesis{Accounts: []bank.GenesisAccount{{Address: "0x" + strings.Repeat("zz", 20), Balance: "1"}}}), types.ErrBadAddress, ""},
		{"bad balance", genesisJSON(t, bank.Genesis{Accounts: []bank.GenesisAccount{{Address: bob.Hex(), Balance: "1.2.3"}}}), types.ErrBadAmount, ""},
		{"negative balance", genesisJSON(t, bank.Genesis{Accounts: []bank.GenesisAccount{{Address: bob.Hex(), Balance: "-1"}}}), types.ErrBadAmount, ""},
		{"too many decimals", genesisJSON(t, bank.Genesis{Accounts: []bank.GenesisAccount{{Address: bob.Hex(), Balance: "0.0000001"}}}), types.ErrBadAmount, ""},
		{"empty balance", genesisJSON(t, bank.Genesis{Accounts: []bank.GenesisAccount{{Address: bob.Hex()}}}), types.ErrBadAmount, ""},
		{"bad min fee", genesisJSON(t, bank.Genesis{MinFee: "ten"}), types.ErrBadAmount, ""},
		{"bad treasury", genesisJSON(t, bank.Genesis{Treasury: "treasury"}), types.ErrBadAddress, ""},
		{"supply overflow", genesisJSON(t, bank.Genesis{Accounts: []bank.GenesisAccount{
			{Address: alice.Hex(), Balance: "18446744073709"}, {Address: bob.Hex(), Balance: "18446744073709"}}}), bank.ErrOverflow, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := state.NewOverlay(nil)
			err := bank.Module{}.InitGenesis(core.NewContext(core.Block{}, st), tc.raw)
			switch {
			case err == nil:
				t.Fatal("genesis accepted")
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			case tc.errText != "" && !strings.Contains(err.Error(), tc.errText):
				t.Fatalf("err = %v, want it to mention %q", err, tc.errText)
			}
		})
	}
}

func TestGenesisFundsAccountsInAddressOrder(t *testing.T) {
	accs := []bank.GenesisAccount{
		{Address: carol.Hex(), Balance: "3"},
		{Address: alice.Hex(), Balance: "1.5"},
		{Address: strings.ToLower(bob.Hex()), Balance: "0.000002"},
	}
	run := func(accs []bank.GenesisAccount, g bank.Genesis) (*state.Overlay, types.Hash) {
		g.Accounts = accs
		st := state.NewOverlay(nil)
		if err := (bank.Module{}).InitGenesis(core.NewContext(core.Block{}, st), genesisJSON(t, g)); err != nil {
			t.Fatal(err)
		}
		return st, state.NextAppHash(types.Hash{}, st.WriteSet())
	}
	st, h1 := run(accs, bank.Genesis{MinFee: "0.01"})
	var k bank.Keeper
	want := balances{alice: 1_500_000, bob: 2, carol: 3_000_000}
	for a, b := range want {
		if got := k.Balance(st, a); got != b {
			t.Errorf("balance %x = %d, want %d", a[:1], got, b)
		}
	}
	if s := k.Supply(st); s != 4_500_002 {
		t.Fatalf("supply %d", s)
	}
	if p := k.GetParams(st); p != (bank.Params{MinFee: 10_000, Treasury: treasury}) {
		t.Fatalf("params %+v (default treasury is the module account)", p)
	}
	checkInvariant(t, st)
	// The same allocations in another order give the same state.
	_, h2 := run([]bank.GenesisAccount{accs[1], accs[2], accs[0]}, bank.Genesis{MinFee: "0.01"})
	if h1 != h2 {
		t.Fatal("genesis state depends on the order of accounts")
	}
	// An explicit treasury is kept; an empty section is valid.
	st, _ = run(nil, bank.Genesis{Treasury: carol.Hex()})
	if p := k.GetParams(st); p != (bank.Params{Treasury: carol}) {
		t.Fatalf("params %+v", p)
	}
	st = state.NewOverlay(nil)
	if err := (bank.Module{}).InitGenesis(core.NewContext(core.Block{}, st), nil); err != nil {
		t.Fatalf("empty section: %v", err)
	}
}

func TestSupplyInvariant(t *testing.T) {
	rawAccount := func(balance, nonce uint64) []byte {
		v := make([]byte, 16)
		binary.BigEndian.PutUint64(v, balance)
		binary.BigEndian.PutUint64(v[8:], nonce)
		return v
	}
	accountKey := func(a types.Address) []byte { return append([]byte("bank/a/"), a[:]...) }
	tests := []struct {
		name    string
		corrupt func(st state.Store)
		broken  bool
		msg     string
	}{
		{"intact", func(state.Store) {}, false, ""},
		{"transfer keeps it", func(st state.Store) { _ = bank.Keeper{}.Send(st, alice, bob, 7) }, false, ""},
		{"balance raised behind the keeper's back", func(st state.Store) { st.Set(accountKey(bob), rawAccount(51, 0)) }, true, "recorded 150, balances sum to 151"},
		{"balance lowered", func(st state.Store) { st.Set(accountKey(alice), rawAccount(99, 0)) }, true, "balances sum to 149"},
		{"account deleted", func(st state.Store) { st.Delete(accountKey(alice)) }, true, "balances sum to 50"},
		{"account created from nothing", func(st state.Store) { st.Set(accountKey(carol), rawAccount(1, 0)) }, true, "balances sum to 151"},
		{"nonce change is not a supply change", func(st state.Store) { st.Set(accountKey(alice), rawAccount(100, 9)) }, false, ""},
		{"malformed record", func(st state.Store) { st.Set(accountKey(alice), []byte{1, 2, 3}) }, true, "account record of 3 bytes"},
		{"balances overflow", func(st state.Store) {
			st.Set(accountKey(alice), rawAccount(math.MaxUint64, 0))
			st.Set(accountKey(carol), rawAccount(math.MaxUint64, 0))
		}, true, "overflow"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := setup(t, balances{alice: 100, bob: 50}, 0)
			tc.corrupt(st)
			msg, broken := bank.Keeper{}.SupplyInvariant(st)
			if broken != tc.broken {
				t.Fatalf("broken = %v (%q), want %v", broken, msg, tc.broken)
			}
			if !strings.Contains(msg, tc.msg) {
				t.Fatalf("message %q, want it to mention %q", msg, tc.msg)
			}
		})
	}
}

func TestDecodeTransfer(t *testing.T) {
	tests := []struct {
		name    string
		payload []byte
		wantErr error
	}{
		{"valid", core.Encode(&bank.MsgTransfer{To: bob, Amount: 5}), nil},
		{"zero amount", core.Encode(&bank.MsgTransfer{To: bob}), bank.ErrZeroAmount},
		{"zero address recipient", core.Encode(&bank.MsgTransfer{Amount: 5}), bank.ErrZeroRecipient},
		{"garbage", []byte{0xff, 0x01}, core.ErrBadPayload},
		{"empty", nil, core.ErrBadPayload},
		{"short address", core.Encode(&struct {
			To     []byte
			Amount uint64
		}{[]byte{1, 2}, 5}), core.ErrBadPayload},
		{"extra field", core.Encode(&struct {
			To     types.Address
			Amount uint64
			Memo   string
		}{bob, 5, "x"}), core.ErrBadPayload},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := bank.DecodeTransfer(tc.payload)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && (m.To != bob || m.Amount != 5) {
				t.Fatalf("decoded %+v", m)
			}
			cost, cerr := bank.Cost(&types.Tx{Type: bank.TypeTransfer, Payload: tc.payload})
			if !errors.Is(cerr, tc.wantErr) || (cerr == nil && cost != 5) {
				t.Fatalf("Cost = %d, %v", cost, cerr)
			}
		})
	}
	if _, err := bank.Cost(&types.Tx{Type: core.TypeOrder}); !errors.Is(err, core.ErrUnknownType) {
		t.Fatalf("Cost of another module's type: %v", err)
	}
}

func TestTransferHandlerRefusals(t *testing.T) {
	blocked := bank.ModuleAddress("escrow")
	tests := []struct {
		name    string
		to      types.Address
		wantErr error
		msg     string // must appear in the error
	}{
		{"transfer to the zero address is refused", types.Address{}, bank.ErrZeroRecipient, "zero address"},
		{"transfer to a blocked module account is refused", blocked, bank.ErrBlockedRecipient, blocked.Hex()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := setup(t, balances{alice: 100}, 0)
			mark := st.Snapshot()
			m := bank.Module{Blocked: []types.Address{blocked}}
			ctx := core.NewContext(core.Block{ChainID: "test", Height: 1}, st)
			ctx.Sender = alice
			err := m.Routes()[0].Handler(ctx, core.Encode(&bank.MsgTransfer{To: tc.to, Amount: 10}))
			if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("err = %v, want %v mentioning %q", err, tc.wantErr, tc.msg)
			}
			nothingWritten(t, st, mark)
			if got := (bank.Keeper{}).GetAccount(st, alice).Balance; got != 100 {
				t.Fatalf("sender balance %d, want 100", got)
			}
		})
	}
}

func TestReadKeysNameTheAccountsATransactionReads(t *testing.T) {
	tx := func(typ types.TxType, payload []byte) *types.Tx {
		tx := &types.Tx{Type: typ, Payload: payload}
		tx.SetSender(alice, nil)
		return tx
	}
	tests := []struct {
		name string
		tx   *types.Tx
		want []types.Address
	}{
		{"transfer: sender and recipient", tx(bank.TypeTransfer, core.Encode(&bank.MsgTransfer{To: bob, Amount: 5})), []types.Address{alice, bob}},
		{"undecodable transfer: the sender, who pays the fee", tx(bank.TypeTransfer, []byte{0xff}), []types.Address{alice}},
		{"another module's message: the sender", tx(bank.TypeTransfer+0x100, core.Encode(&bank.MsgTransfer{To: bob, Amount: 5})), []types.Address{alice}},
		{"no sender: nothing", &types.Tx{Type: bank.TypeTransfer + 0x100}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got []types.Address
			bank.Module{}.ReadKeys(tc.tx, func(k []byte) {
				a, ok := bank.AccountOf(k)
				if !ok {
					t.Fatalf("named key %x is not an account's", k)
				}
				got = append(got, a)
			})
			if len(got) != len(tc.want) {
				t.Fatalf("named %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("named %v, want %v", got, tc.want)
				}
			}
		})
	}
}
