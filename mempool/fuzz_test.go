package mempool

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/types"
)

// FuzzAddRaw: no input panics AddRaw, every failure carries a sentinel, and
// a success leaves a retrievable, consistent pool.
func FuzzAddRaw(f *testing.F) {
	u := newUser(f)
	f.Add(u.tx(f, 0, 1).Encode())
	f.Add(u.tx(f, 3, 1).Encode())
	f.Add(u.sign(f, &types.Tx{ChainID: testChain, Type: typeNoop, Fee: 10}).Encode())
	f.Add(u.sign(f, &types.Tx{ChainID: testChain, Type: typeTransfer, Payload: []byte{0xc1, 0x80}, Fee: 10}).Encode())
	f.Add([]byte{0xc0})
	f.Add([]byte{})
	sentinels := []error{ErrTooLarge, types.ErrMalformedTx, types.ErrWrongChainID, types.ErrBadSignature,
		ErrFeeTooLow, ErrBadPayload, ErrAlreadyKnown, ErrNonceTooLow, ErrNonceTooHigh, ErrNonceTaken,
		ErrInsufficientFunds, ErrSenderFull, ErrPoolFull, ErrStateUnavailable}

	e := newEnv(f, baseConfig())
	e.state.set(u.addr, 0, 1_000_000)
	f.Fuzz(func(t *testing.T, raw []byte) {
		size := e.pool.Size()
		h, err := e.pool.AddRaw(raw)
		if err != nil {
			for _, s := range sentinels {
				if errors.Is(err, s) {
					if e.pool.Size() != size {
						t.Fatal("rejected tx changed the pool")
					}
					return
				}
			}
			t.Fatalf("error without a sentinel: %v", err)
		}
		if e.pool.Get(h) == nil || e.pool.Size() != size+1 {
			t.Fatal("admitted tx not in pool")
		}
		if err := e.pool.invariants(); err != nil {
			t.Fatal(err)
		}
		e.pool.Reap(0, 0)
	})
}
