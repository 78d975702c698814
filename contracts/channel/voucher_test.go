package channel_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/accordnet/accord/contracts/c2ctest"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/types"
)

func TestVoucherSignVerify(t *testing.T) {
	k, payer := key(1)
	_, other := key(2)
	id := channel.ChannelID(payer, 1)
	v := voucher(t, k, id, 10_000, 1)
	if err := v.Verify(c2ctest.ChainID, payer); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		chain string
		payer types.Address
		edit  func(v *channel.Voucher)
		want  error
	}{
		{"another payer", c2ctest.ChainID, other, nil, channel.ErrBadSignature},
		{"another chain", "other-chain", payer, nil, channel.ErrBadSignature},
		{"amount raised after signing", c2ctest.ChainID, payer, func(v *channel.Voucher) { v.Amount++ }, channel.ErrBadSignature},
		{"nonce changed after signing", c2ctest.ChainID, payer, func(v *channel.Voucher) { v.Nonce++ }, channel.ErrBadSignature},
		{"channel changed after signing", c2ctest.ChainID, payer, func(v *channel.Voucher) { v.Channel[0] ^= 1 }, channel.ErrBadSignature},
		{"high-S signature", c2ctest.ChainID, payer, func(v *channel.Voucher) { v.Sig[32] |= 0x80 }, channel.ErrBadSignature},
		{"bad recovery id", c2ctest.ChainID, payer, func(v *channel.Voucher) { v.Sig[64] = 7 }, channel.ErrBadSignature},
		{"no signature", c2ctest.ChainID, payer, func(v *channel.Voucher) { v.Sig = nil }, channel.ErrBadVoucher},
		{"zero channel", c2ctest.ChainID, payer, func(v *channel.Voucher) { v.Channel = types.Hash{} }, channel.ErrBadVoucher},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := *v
			w.Sig = append([]byte(nil), v.Sig...)
			if tc.edit != nil {
				tc.edit(&w)
			}
			if err := w.Verify(tc.chain, tc.payer); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// The digest separates chain IDs that a naive concatenation would not.
	if channel.VoucherDigest("ab", id, 1, 1) == channel.VoucherDigest("a", id, 1, 1) {
		t.Fatal("digests of two chains collide")
	}
	if _, err := channel.SignVoucher(c2ctest.ChainID, id, 0, 1, k); !errors.Is(err, channel.ErrZeroAmount) {
		t.Fatalf("zero voucher signed: %v", err)
	}
}

func TestVoucherString(t *testing.T) {
	k, payer := key(1)
	v := voucher(t, k, channel.ChannelID(payer, 3), 123_456, 9)
	got, err := channel.ParseVoucher(v.String())
	if err != nil {
		t.Fatal(err)
	}
	if got.Channel != v.Channel || got.Amount != v.Amount || got.Nonce != v.Nonce || string(got.Sig) != string(v.Sig) {
		t.Fatalf("round trip %+v, want %+v", got, v)
	}
	for _, bad := range []string{"", "0x", "zz", "0xc0", v.String()[:len(v.String())-2]} {
		if _, err := channel.ParseVoucher(bad); !errors.Is(err, channel.ErrBadVoucher) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if _, err := channel.DecodeVoucher(make([]byte, channel.MaxVoucherSize+1)); !errors.Is(err, channel.ErrVoucherTooBig) {
		t.Errorf("oversized voucher: %v", err)
	}
}

func TestReceiver(t *testing.T) {
	k, payer := key(1)
	ok2, _ := key(2)
	id := channel.ChannelID(payer, 1)
	r := channel.NewReceiver(c2ctest.ChainID)
	if _, err := r.Accept(voucher(t, k, id, 1, 1)); !errors.Is(err, channel.ErrNotTracked) {
		t.Fatalf("untracked channel: %v", err)
	}
	r.Track(&channel.Channel{ID: id, Payer: payer, Deposit: 100, Redeemed: 10, Nonce: 4})
	for _, tc := range []struct {
		name          string
		amount, nonce uint64
		signer        bool
		delta         uint64
		want          error
	}{
		{"at or below what was redeemed", 10, 5, true, 0, channel.ErrStaleVoucher},
		{"nonce not above the redeemed one", 11, 4, true, 0, channel.ErrStaleVoucher},
		{"above the deposit", 101, 5, true, 0, channel.ErrOverDeposit},
		{"signed by another key", 20, 5, false, 0, channel.ErrBadSignature},
		{"advances", 20, 5, true, 10, nil},
		{"older than the best", 15, 6, true, 0, channel.ErrStaleVoucher},
		{"advances again", 100, 9, true, 80, nil},
	} {
		signer := k
		if !tc.signer {
			signer = ok2
		}
		d, err := r.Accept(voucher(t, signer, id, tc.amount, tc.nonce))
		if !errors.Is(err, tc.want) || d != tc.delta {
			t.Fatalf("%s: delta %d, %v; want %d, %v", tc.name, d, err, tc.delta, tc.want)
		}
	}
	if b := r.Best(id); b == nil || b.Amount != 100 {
		t.Fatalf("best %+v", b)
	}
}

// TestReceiverConcurrent: many goroutines offering vouchers; the sum of
// accepted increments is exactly the best amount (run with -race).
func TestReceiverConcurrent(t *testing.T) {
	k, payer := key(1)
	id := channel.ChannelID(payer, 1)
	r := channel.NewReceiver(c2ctest.ChainID)
	r.Track(&channel.Channel{ID: id, Payer: payer, Deposit: 1 << 40})
	vs := make([]*channel.Voucher, 200)
	for i := range vs {
		vs[i] = voucher(t, k, id, uint64(i+1)*10_000, uint64(i+1))
	}
	var mu sync.Mutex
	var sum uint64
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(vs); i += 4 {
				if d, err := r.Accept(vs[i]); err == nil {
					mu.Lock()
					sum += d
					mu.Unlock()
				}
			}
		}(w)
	}
	wg.Wait()
	if best := r.Best(id); best == nil || sum != best.Amount {
		t.Fatalf("accepted increments sum to %d, best voucher %+v", sum, best)
	}
}
