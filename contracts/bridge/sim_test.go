package bridge

import (
	"math/rand/v2"
	"testing"

	"github.com/accordnet/accord/types"
)

// TestSupplyMatchesVault drives random deposits, withdrawals, payout
// attestations and block advances (seeded), and after every step checks
// the main half of the bridge's supply invariant: what the external vault
// holds (a model: deposits in, payouts out) equals main's supply plus the
// pending payouts, and the escrow invariant.
func TestSupplyMatchesVault(t *testing.T) {
	var minted, paid, refunded int
	for seed := uint64(1); seed <= 20; seed++ {
		r := rand.New(rand.NewPCG(seed, 7))
		e := newEnv(t)
		var vault uint64
		var tx byte
		users := []int{5, 6, 7}
		for step := 0; step < 200; step++ {
			switch r.IntN(4) {
			case 0: // a deposit, attested by a random pair of signers
				tx++
				d := deposit(tx, uint64(r.IntN(3)), e.addr(users[r.IntN(3)]), uint64(1+r.IntN(500))*usdt)
				i := r.IntN(signers)
				_ = e.exec(i, TypeAttestDeposit, d)
				if e.exec((i+1)%signers, TypeAttestDeposit, d) == nil {
					if dep, _ := e.m.GetDeposit(e.st, DepositID(d.ExtChainID, d.ExtTxHash, d.LogIndex)); dep != nil && dep.Minted {
						vault += d.Amount
						minted++
					}
				}
			case 1:
				u := users[r.IntN(3)]
				_ = e.exec(u, TypeWithdraw, &MsgWithdraw{ExtAddress: types.Address{1}, Amount: uint64(1+r.IntN(300)) * usdt})
			case 2: // two signers attest a random withdrawal paid
				id := uint64(1 + r.IntN(20))
				w, err := e.m.GetWithdrawal(e.st, id)
				if err != nil || w.State != WithdrawalPending {
					continue
				}
				_ = e.exec(0, TypeAttestPaid, &MsgAttestPaid{ID: id, ExtTxHash: types.Hash{byte(id)}})
				_ = e.exec(1, TypeAttestPaid, &MsgAttestPaid{ID: id, ExtTxHash: types.Hash{byte(id)}})
				if w, _ := e.m.GetWithdrawal(e.st, id); w.State == WithdrawalPaid {
					vault -= w.Amount
					paid++
				}
			case 3:
				e.advance(uint64(r.IntN(int(DefaultParams().PayoutTimeout / 4))))
				for id := uint64(1); ; id++ {
					w, err := e.m.GetWithdrawal(e.st, id)
					if err != nil {
						break
					}
					if w.State == WithdrawalRefunded && w.Deadline > e.block.Time-DefaultParams().PayoutTimeout/4 {
						refunded++
					}
				}
			}
			pending, err := e.m.Pending(e.st)
			if err != nil {
				t.Fatal(err)
			}
			if got := e.bank.Supply(e.st) + pending; got != vault {
				t.Fatalf("seed %d step %d: supply %d + pending %d != vault %d", seed, step, e.bank.Supply(e.st), pending, vault)
			}
			if msg, broken := e.m.EscrowInvariant(e.st); broken {
				t.Fatalf("seed %d step %d: %s", seed, step, msg)
			}
		}
	}
	if minted == 0 || paid == 0 || refunded == 0 {
		t.Fatalf("the walk never exercised every path: %d minted, %d paid, %d refunded", minted, paid, refunded)
	}
}
