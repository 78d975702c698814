package bank

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// decodeReference is the reflection decoder the fast paths must agree with.
func decodeReference(b []byte) (transfer *MsgTransfer, terr error, params *Params, perr error) {
	var m MsgTransfer
	if terr = rlp.DecodeBytes(b, &m); terr == nil {
		transfer = &m
	}
	var p Params
	if perr = rlp.DecodeBytes(b, &p); perr == nil {
		params = &p
	}
	return
}

// checkFastDecoders fails if a fast decoder accepts input the reflection
// decoder refuses, or decodes it differently. (Refusing more is allowed:
// the caller then falls back to the reflection decoder.)
func checkFastDecoders(t *testing.T, b []byte) {
	t.Helper()
	transfer, _, params, _ := decodeReference(b)
	if a, x, ok := decodeAddressUint(b); ok {
		if transfer == nil || transfer.To != a || transfer.Amount != x {
			t.Fatalf("%x: fast transfer decode %x/%d, reflection %+v", b, a, x, transfer)
		}
	} else if transfer != nil {
		t.Fatalf("%x: canonical transfer %+v refused by the fast path", b, transfer)
	}
	if x, a, ok := decodeUintAddress(b); ok {
		if params == nil || params.MinFee != x || params.Treasury != a {
			t.Fatalf("%x: fast params decode %d/%x, reflection %+v", b, x, a, params)
		}
	} else if params != nil {
		t.Fatalf("%x: canonical params %+v refused by the fast path", b, params)
	}
}

func TestFastDecodersAgreeWithReflection(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	amounts := []uint64{0, 1, 0x7f, 0x80, 0xff, 0x100, math.MaxUint32, math.MaxUint64}
	var inputs [][]byte
	for range 200 {
		amounts = append(amounts, rng.Uint64()>>rng.UintN(64))
	}
	for _, x := range amounts {
		a := types.Address{byte(x), 0x80, 0x7f}
		inputs = append(inputs,
			core.Encode(&MsgTransfer{To: a, Amount: x}),
			core.Encode(&Params{MinFee: x, Treasury: a}))
	}
	inputs = append(inputs,
		nil, []byte{}, []byte{0xc0}, []byte{0x80}, []byte{0x00},
		// amount 5 as a one-byte string (non-canonical size)
		append(append([]byte{0xd7, 0x94}, make([]byte, 20)...), 0x81, 0x05),
		// amount with a leading zero byte
		append(append([]byte{0xd8, 0x94}, make([]byte, 20)...), 0x82, 0x00, 0x05),
		// list size in long form although < 56
		append(append([]byte{0xf8, 0x16, 0x94}, make([]byte, 20)...), 0x05),
		// 19- and 21-byte addresses
		append(append([]byte{0xd5, 0x93}, make([]byte, 19)...), 0x05),
		append(append([]byte{0xd7, 0x95}, make([]byte, 21)...), 0x05),
		// a nested list as amount
		append(append([]byte{0xd7, 0x94}, make([]byte, 20)...), 0xc1, 0x05),
		// 9-byte amount
		append(append([]byte{0xdf, 0x94}, make([]byte, 20)...), 0x89, 1, 0, 0, 0, 0, 0, 0, 0, 0),
	)
	for _, b := range inputs {
		checkFastDecoders(t, b)
		// Mutations: every truncation, a trailing byte, random byte changes.
		for n := range len(b) {
			checkFastDecoders(t, b[:n])
		}
		checkFastDecoders(t, append(bytes.Clone(b), 0x00))
		for range 50 {
			if len(b) == 0 {
				break
			}
			m := bytes.Clone(b)
			m[rng.IntN(len(m))] = byte(rng.UintN(256))
			checkFastDecoders(t, m)
		}
	}
}

func FuzzFastDecoders(f *testing.F) {
	f.Add(core.Encode(&MsgTransfer{To: types.Address{1}, Amount: 5}))
	f.Add(core.Encode(&Params{MinFee: 10_000, Treasury: ModuleAddress("treasury")}))
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) { checkFastDecoders(t, b) })
}

func TestDecodeTransferErrorsUnchanged(t *testing.T) {
	// A refused payload yields the reflection decoder's error: it ends up
	// in the failed receipt, which every validator must word identically.
	bad := append(append([]byte{0xd7, 0x94}, make([]byte, 20)...), 0x81, 0x05)
	_, err := DecodeTransfer(bad)
	var m MsgTransfer
	want := core.Decode(bad, &m)
	if err == nil || want == nil || err.Error() != want.Error() {
		t.Fatalf("error %v, want %v", err, want)
	}
}
