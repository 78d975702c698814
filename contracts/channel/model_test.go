package channel_test

import (
	"crypto/ecdsa"
	"flag"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/internal/testkit"
	"github.com/accordnet/accord/types"
)

var (
	modelSeqs = flag.Int("model.seqs", 300, "random operation sequences TestModel runs")
	modelOps  = flag.Int("model.ops", 80, "operations per sequence")
	modelSeq  = flag.Int("model.seq", -1, "run only this sequence (to replay a failure)")
)

// The reference model: plain maps and the rules of doc.go, written apart
// from the keeper. TestModel compares the two after every operation and
// every block.

type mChan struct {
	id                 types.Hash
	payer, payee       int
	deposit, redeemed  uint64
	nonce, expiry      uint64
	challenge          uint64
	state              channel.State
	closesAt           uint64
	released           int // settlements (must stay ≤ 1)
	vouchers           []*channel.Voucher
	bestAmt, bestNonce uint64
}

func (c *mChan) until() uint64 {
	if c.state == channel.StateClosing {
		return c.closesAt
	}
	return c.expiry + c.challenge
}

type cModel struct {
	t      *testing.T
	e      *env
	rng    *rand.Rand
	keys   []*ecdsa.PrivateKey
	addrs  []types.Address
	wallet map[types.Address]uint64
	frozen map[types.Address]bool
	chans  []*mChan
	open   map[int]uint64
	p      channel.Params
	supply uint64
	log    []string
}

func (m *cModel) fail(format string, args ...any) {
	m.t.Helper()
	tail := m.log
	if len(tail) > 20 {
		tail = tail[len(tail)-20:]
	}
	for _, l := range tail {
		m.t.Log(l)
	}
	m.t.Fatalf(format, args...)
}

func (m *cModel) exec(sender types.Address, msg interface{ TxType() types.TxType }, want bool, what string) {
	m.t.Helper()
	frozenBefore := map[types.Address]uint64{}
	for a, f := range m.frozen {
		if f {
			frozenBefore[a] = m.e.Bank.Balance(m.e.St, a)
		}
	}
	_, err := m.e.Exec(sender, msg)
	m.log = append(m.log, fmt.Sprintf("t=%d %s: %+v -> %v", m.e.Block.Time, what, msg, err))
	if (err == nil) != want {
		m.fail("%s: model expected success=%v, got %v", what, want, err)
	}
	for a, b := range frozenBefore {
		if m.e.Bank.Balance(m.e.St, a) < b {
			m.fail("%s: frozen account %s sent value", what, a.Hex())
		}
	}
}

func (m *cModel) pick() *mChan {
	if len(m.chans) == 0 {
		return nil
	}
	return m.chans[m.rng.IntN(len(m.chans))]
}

func (m *cModel) who(right int) int {
	if m.rng.IntN(6) == 0 {
		return m.rng.IntN(len(m.addrs))
	}
	return right
}

func (m *cModel) step() {
	now := m.e.Block.Time
	switch op := m.rng.IntN(20); {
	case op < 3: // open
		pi, qi := m.rng.IntN(len(m.addrs)), m.rng.IntN(len(m.addrs))
		payer, payee := m.addrs[pi], m.addrs[qi]
		dep := uint64(1+m.rng.IntN(50)) * usdt / 2
		expiry := now + uint64(1+m.rng.IntN(48))*hour/2
		if m.rng.IntN(10) == 0 {
			expiry = now - uint64(m.rng.IntN(2))
		}
		want := pi != qi && !m.frozen[payer] && m.wallet[payer] >= dep && expiry > now && m.open[pi] < m.p.MaxOpen
		id := m.e.K.NextID(m.e.St, payer)
		m.exec(payer, &channel.MsgOpen{Payee: payee, Deposit: dep, Expiry: expiry}, want, "open")
		if want {
			m.wallet[payer] -= dep
			m.open[pi]++
			m.chans = append(m.chans, &mChan{id: id, payer: pi, payee: qi, deposit: dep, expiry: expiry,
				challenge: m.p.Challenge, state: channel.StateOpen})
		}
	case op < 5: // top-up or extend
		c := m.pick()
		if c == nil {
			return
		}
		s := m.who(c.payer)
		from := m.addrs[s]
		base := s == c.payer && c.state == channel.StateOpen && now < c.expiry && !m.frozen[from]
		if m.rng.IntN(2) == 0 {
			amt := uint64(1+m.rng.IntN(20)) * usdt / 4
			want := base && m.wallet[from] >= amt
			m.exec(from, &channel.MsgTopUp{ID: c.id, Amount: amt}, want, "topup")
			if want {
				m.wallet[from] -= amt
				c.deposit += amt
			}
		} else {
			exp := c.expiry + uint64(m.rng.IntN(5))*hour - hour
			want := base && exp > c.expiry
			m.exec(from, &channel.MsgExtend{ID: c.id, Expiry: exp}, want, "extend")
			if want {
				c.expiry = exp
			}
		}
	case op < 10: // issue vouchers off-chain
		c := m.pick()
		if c == nil {
			return
		}
		for n := 1 + m.rng.IntN(5); n > 0; n-- {
			amt := c.bestAmt + uint64(m.rng.IntN(3))*10_000
			if amt == 0 {
				amt = 10_000
			}
			c.bestAmt, c.bestNonce = amt, c.bestNonce+1
			c.vouchers = append(c.vouchers, voucher(m.t, m.keys[c.payer], c.id, amt, c.bestNonce))
		}
	case op < 14: // redeem some voucher (often the best, sometimes an old one or a forgery)
		c := m.pick()
		if c == nil || len(c.vouchers) == 0 {
			return
		}
		v := c.vouchers[len(c.vouchers)-1]
		if m.rng.IntN(3) == 0 {
			v = c.vouchers[m.rng.IntN(len(c.vouchers))]
		}
		signedByPayer := true
		if m.rng.IntN(12) == 0 { // signed by someone else
			k := m.rng.IntN(len(m.keys))
			signedByPayer = k == c.payer
			v = voucher(m.t, m.keys[k], c.id, v.Amount, v.Nonce)
		}
		s := m.who(c.payee)
		want := s == c.payee && c.state != channel.StateSettled && now < c.until() && signedByPayer &&
			v.Amount <= c.deposit && v.Amount > c.redeemed && v.Nonce > c.nonce
		m.exec(m.addrs[s], &channel.MsgRedeem{Voucher: *v}, want, "redeem")
		if want {
			m.wallet[m.addrs[c.payee]] += v.Amount - c.redeemed
			c.redeemed, c.nonce = v.Amount, v.Nonce
		}
	case op < 16: // close
		c := m.pick()
		if c == nil {
			return
		}
		s := m.who(c.payer)
		want := s == c.payer && c.state == channel.StateOpen && now < c.until()
		m.exec(m.addrs[s], &channel.MsgClose{ID: c.id}, want, "close")
		if want {
			c.closesAt = min(now+c.challenge, c.until())
			c.state = channel.StateClosing
		}
	case op < 18: // settle
		c := m.pick()
		if c == nil {
			return
		}
		s := m.who([]int{c.payer, c.payee}[m.rng.IntN(2)])
		want := c.state != channel.StateSettled && (s == c.payee || (s == c.payer && now >= c.until()))
		m.exec(m.addrs[s], &channel.MsgSettle{ID: c.id}, want, "settle")
		if want {
			m.wallet[m.addrs[c.payer]] += c.deposit - c.redeemed
			c.state = channel.StateSettled
			c.released++
			m.open[c.payer]--
		}
	case op < 19: // freeze or unfreeze
		a := m.addrs[m.rng.IntN(len(m.addrs))]
		m.frozen[a] = !m.frozen[a]
		m.e.Freezer.Freeze(m.e.St, a, m.frozen[a])
		m.log = append(m.log, fmt.Sprintf("freeze %s %v", a.Hex()[:8], m.frozen[a]))
	default:
		dt := uint64(1+m.rng.IntN(90)) * 60_000
		if m.rng.IntN(3) == 0 {
			dt = uint64(1 + m.rng.IntN(5000))
		}
		m.e.Advance(dt)
		m.log = append(m.log, fmt.Sprintf("block %d t=%d", m.e.Block.Height, m.e.Block.Time))
		m.check()
	}
}

func (m *cModel) check() {
	m.t.Helper()
	st := m.e.St
	if msg := m.e.invariants(); msg != "" {
		m.fail("invariant: %s", msg)
	}
	if s := m.e.Bank.Supply(st); s != m.supply {
		m.fail("supply %d, was %d", s, m.supply)
	}
	var sum, escrow uint64
	for a, w := range m.wallet {
		if got := m.e.Bank.Balance(st, a); got != w {
			m.fail("balance of %s: chain %d, model %d", a.Hex(), got, w)
		}
		sum += w
	}
	for _, c := range m.chans {
		if c.released > 1 {
			m.fail("channel %s settled %d times", c.id.Hex(), c.released)
		}
		got, err := m.e.K.GetChannel(st, c.id)
		if err != nil {
			m.fail("%v", err)
		}
		if got.State != c.state || got.Deposit != c.deposit || got.Redeemed != c.redeemed || got.Expiry != c.expiry || got.ClosesAt != c.closesAt {
			m.fail("channel %s: chain %+v, model %+v", c.id.Hex(), got, c)
		}
		if c.state != channel.StateSettled {
			escrow += c.deposit - c.redeemed
		}
	}
	if got := m.e.Bank.Balance(st, channel.EscrowAddress); got != escrow {
		m.fail("escrow %d, model %d", got, escrow)
	}
	if sum+escrow != m.supply {
		m.fail("wallets %d + escrow %d != supply %d", sum, escrow, m.supply)
	}
}

func runChannelModel(t *testing.T, seq int, reached map[channel.State]int) {
	rng := rand.New(rand.NewPCG(0xc4a7, uint64(seq)))
	e := newEnv()
	if rng.IntN(2) == 0 {
		e.SetParam(channel.ModuleName, channel.ParamMaxOpen, uint64(1+rng.IntN(3)))
	}
	e.SetParam(channel.ModuleName, channel.ParamChallenge, uint64(1+rng.IntN(120))*60_000)
	m := &cModel{t: t, e: e, rng: rng, wallet: map[types.Address]uint64{}, frozen: map[types.Address]bool{},
		open: map[int]uint64{}, p: e.K.Params(e.St)}
	n := 2 + rng.IntN(3)
	for i := 0; i < n; i++ {
		k, a := key(uint64(i + 1))
		m.keys, m.addrs = append(m.keys, k), append(m.addrs, a)
		bal := uint64(rng.IntN(60)) * usdt
		e.Fund(a, bal)
		m.wallet[a] = bal
	}
	m.supply = e.Bank.Supply(e.St)
	m.check()
	for i := 0; i < *modelOps; i++ {
		m.step()
	}
	m.check()
	for _, c := range m.chans {
		reached[c.state]++
	}
}

// TestModel runs random sequences of opens, top-ups, extensions, voucher
// issuing, redeems (current, stale and forged vouchers, from the right and
// the wrong sender), closes, settlements, freezes and blocks against the
// module and a reference model; after every block it checks USDT
// conserved, balances and channels as the model says, each channel settled
// at most once, the escrow equal to the unredeemed deposits, and (after
// every operation) that no frozen account's balance went down. A failure
// prints its sequence; replay it with -model.seq=N.
func TestModel(t *testing.T) {
	reached := map[channel.State]int{}
	n, all := testkit.RunSeqs(t, *modelSeq, *modelSeqs, 50, "./contracts/channel", func(t *testing.T, seq int) { runChannelModel(t, seq, reached) })
	if !all {
		return
	}
	t.Logf("final states over %d sequences: %v (chain ID %s)", n, reached, c2ctest.ChainID)
	for s := channel.StateOpen; s <= channel.StateSettled; s++ {
		if reached[s] == 0 {
			t.Errorf("no sequence left a channel %s: the generator misses a path", s)
		}
	}
}
