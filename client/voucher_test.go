package client

import (
	"errors"
	"sync"
	"testing"

	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func trackedBook(t testing.TB, deposit uint64) (*VoucherIssuer, VoucherReceiver, types.Hash) {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	payer := types.PubkeyAddress(key)
	id := channel.ChannelID(payer, 1)
	r := NewVoucherReceiver("voucher-test")
	r.Receiver.Track(&channel.Channel{ID: id, Payer: payer, Deposit: deposit})
	return NewVoucherIssuer(key, "voucher-test", id, 0, 0), r, id
}

// TestVoucherIssuerAndReceiver: vouchers of 0.01 USDT are issued with
// rising cumulative amounts and nonces; the receiver accepts each once for
// exactly its increment and refuses what does not advance the channel or
// was signed for something else.
func TestVoucherIssuerAndReceiver(t *testing.T) {
	const cent = 10_000
	iss, r, id := trackedBook(t, 50*cent)
	var vs []*channel.Voucher
	for i := 0; i < 50; i++ {
		v, err := iss.Pay(cent)
		if err != nil {
			t.Fatal(err)
		}
		if v.Amount != uint64(i+1)*cent || v.Nonce != uint64(i+1) || v.Channel != id {
			t.Fatalf("voucher %d: %+v", i, v)
		}
		vs = append(vs, v)
	}
	if a, n := iss.Promised(); a != 50*cent || n != 50 {
		t.Fatalf("promised %d/%d", a, n)
	}
	if _, err := iss.Pay(0); !errors.Is(err, channel.ErrZeroAmount) {
		t.Fatalf("zero voucher: %v", err)
	}
	var total uint64
	for _, v := range vs[:40] {
		d, err := r.Accept(v)
		if err != nil {
			t.Fatal(err)
		}
		total += d
	}
	if total != 40*cent || r.Best(id) != vs[39] {
		t.Fatalf("accepted %d, best %+v", total, r.Best(id))
	}
	otherKey, _ := crypto.GenerateKey()
	forged, _ := channel.SignVoucher("voucher-test", id, 45*cent, 45, otherKey)
	otherChain, _ := channel.SignVoucher("other-chain", id, 45*cent, 45, iss.key)
	otherChannel, _ := channel.SignVoucher("voucher-test", channel.ChannelID(types.PubkeyAddress(iss.key), 2), 45*cent, 45, iss.key)
	over, _ := channel.SignVoucher("voucher-test", id, 51*cent, 51, iss.key)
	for _, c := range []struct {
		name string
		v    *channel.Voucher
		want error
	}{
		{"an older voucher is stale", vs[10], channel.ErrStaleVoucher},
		{"the same voucher twice is stale", vs[39], channel.ErrStaleVoucher},
		{"another key's voucher is refused", forged, channel.ErrBadSignature},
		{"a voucher for another chain is refused", otherChain, channel.ErrBadSignature},
		{"a voucher for an untracked channel is refused", otherChannel, channel.ErrNotTracked},
		{"a voucher past the deposit is refused", over, channel.ErrOverDeposit},
	} {
		t.Run(c.name, func(t *testing.T) {
			if d, err := r.Accept(c.v); !errors.Is(err, c.want) || d != 0 {
				t.Fatalf("Accept = %d, %v; want %v", d, err, c.want)
			}
			if r.Best(id) != vs[39] {
				t.Fatal("a refused voucher changed the best one")
			}
		})
	}
}

// TestVoucherReceiverConcurrentAccept: many goroutines offering the same
// vouchers in any order credit the channel exactly its final amount.
func TestVoucherReceiverConcurrentAccept(t *testing.T) {
	const n = 200
	iss, r, id := trackedBook(t, n*10_000)
	vs := make([]*channel.Voucher, n)
	for i := range vs {
		var err error
		if vs[i], err = iss.Pay(10_000); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	var total uint64
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := range vs {
				d, err := r.Accept(vs[(i*7+g*13)%n])
				if err != nil && !errors.Is(err, channel.ErrStaleVoucher) {
					t.Error(err)
					return
				}
				mu.Lock()
				total += d
				mu.Unlock()
			}
		}(g)
	}
	wg.Wait()
	// Every voucher is offered at least once, so the last one got in.
	if total != n*10_000 || r.Best(id) != vs[n-1] {
		t.Fatalf("credited %d, best %+v", total, r.Best(id))
	}
}
