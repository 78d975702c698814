package bridge

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

func (e *env) query(method, params string) (any, error) {
	for _, q := range e.m.Queries() {
		if q.Method == method {
			return q.Handle(core.QueryState{Store: e.st}, []byte(params))
		}
	}
	e.t.Fatalf("no query %s", method)
	return nil, nil
}

// TestQueries: the views of a deposit, a withdrawal, a burn and a side
// chain's escrow, with malformed parameters refused as invalid and absent
// records reported as not found.
func TestQueries(t *testing.T) {
	e := newEnv(t)
	alice := e.addr(5)
	e.fund(alice, 1000*usdt)
	dep := &MsgAttestDeposit{ExtChainID: extID, ExtTxHash: types.Hash{1}, LogIndex: 2, Recipient: alice, Amount: 5 * usdt}
	if err := e.exec(0, TypeAttestDeposit, dep); err != nil {
		t.Fatal(err)
	}
	if err := e.execAs(alice, TypeWithdraw, &MsgWithdraw{ExtAddress: types.Address{0xe7}, Amount: 7 * usdt}); err != nil {
		t.Fatal(err)
	}
	if err := e.execAs(alice, TypeLock, &MsgLock{ChainID: sideA, Recipient: alice, Amount: 9 * usdt}); err != nil {
		t.Fatal(err)
	}
	depID := DepositID(extID, types.Hash{1}, 2)
	v, err := e.query(QueryDeposit, `["`+depID.Hex()+`"]`)
	if d, _ := v.(DepositView); err != nil || d.Minted || len(d.Attested) != 1 || d.Attested[0] != e.addr(0) {
		t.Fatalf("deposit after one of two attestations: %+v %v", v, err)
	}
	for _, p := range []string{`[1]`, `["1"]`} {
		v, err = e.query(QueryWithdrawal, p)
		if w, _ := v.(WithdrawalView); err != nil || w.State != "PENDING" || w.Amount != 7*usdt || w.From != alice || w.ExtTxHash != nil {
			t.Fatalf("withdrawal %s: %+v %v", p, v, err)
		}
	}
	v, err = e.query(QueryLocked, `["`+sideA+`"]`)
	if l, _ := v.(LockedView); err != nil || l.Locked != 9*usdt || l.Halted {
		t.Fatalf("locked: %+v %v", v, err)
	}
	v, err = e.query(QueryBurn, `["`+types.Hash{3}.Hex()+`"]`)
	if b, _ := v.(BurnView); err != nil || b.Released {
		t.Fatalf("burn: %+v %v", v, err)
	}
	for _, tc := range []struct {
		name, method, params string
		err                  error
	}{
		{"unknown deposit", QueryDeposit, `["` + types.Hash{9}.Hex() + `"]`, core.ErrNotFound},
		{"deposit ID not a hash", QueryDeposit, `["0x12"]`, core.ErrInvalidQuery},
		{"unknown withdrawal", QueryWithdrawal, `[2]`, core.ErrNotFound},
		{"withdrawal 0", QueryWithdrawal, `[0]`, core.ErrInvalidQuery},
		{"withdrawal ID not a number", QueryWithdrawal, `["one"]`, core.ErrInvalidQuery},
		{"two withdrawal IDs", QueryWithdrawal, `[1,2]`, core.ErrInvalidQuery},
		{"unregistered chain's escrow", QueryLocked, `["accord-side-9"]`, core.ErrNotFound},
		{"burn ID missing", QueryBurn, `[]`, core.ErrInvalidQuery},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := e.query(tc.method, tc.params); !errors.Is(err, tc.err) {
				t.Fatalf("want %v, got %+v %v", tc.err, v, err)
			}
		})
	}
}
