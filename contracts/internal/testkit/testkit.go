// Package testkit holds the test scaffolding the native modules' tests
// share: deterministic keys, state hashes, event lookup and the decoder
// fuzz harness. It is imported only by _test files.
package testkit

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Key is the n-th deterministic key of a test's key space, so packages
// that meet in one environment do not draw the same accounts.
func Key(space, n uint64) (*ecdsa.PrivateKey, types.Address) {
	k := banktest.DeterministicKey(space<<32 + n)
	return k, types.PubkeyAddress(k)
}

// StateHash is the app hash st's pending writes would give, to compare
// states before and after a refused message.
func StateHash(st *state.Overlay) types.Hash { return state.NextAppHash(types.Hash{}, st.WriteSet()) }

// FindEvent returns the first event of type typ.
func FindEvent(evs []types.Event, typ string) (types.Event, bool) {
	for _, e := range evs {
		if e.Type == typ {
			return e, true
		}
	}
	return types.Event{}, false
}

// Msg is a module message as the decoder fuzz harness sees it.
type Msg interface {
	ValidateBasic() error
	TxType() types.TxType
}

// FuzzDecodeMsg checks a module's decoder against arbitrary (type, payload)
// pairs seeded with seeds (each encoded under its own type) and extra
// payloads of extraType: every decoder either refuses the bytes or yields a
// message that passes ValidateBasic and whose encoding decodes back to the
// same encoding, and Cost refuses exactly what the decoder refuses.
func FuzzDecodeMsg[M Msg](f *testing.F, seeds []M, extraType types.TxType, extra []byte,
	decode func(types.TxType, []byte) (M, error), cost func(*types.Tx) (uint64, error)) {
	for _, m := range seeds {
		f.Add(uint16(m.TxType()), core.Encode(m))
	}
	f.Add(uint16(extraType), extra)
	f.Fuzz(func(t *testing.T, typ uint16, payload []byte) {
		m, err := decode(types.TxType(typ), payload)
		if _, cerr := cost(&types.Tx{Type: types.TxType(typ), Payload: payload}); (cerr == nil) != (err == nil) {
			t.Fatalf("Cost and DecodeMsg disagree: %v / %v", cerr, err)
		}
		if err != nil {
			return
		}
		if err := m.ValidateBasic(); err != nil {
			t.Fatalf("decoded message fails ValidateBasic: %v", err)
		}
		enc := core.Encode(m)
		m2, err := decode(types.TxType(typ), enc)
		if err != nil {
			t.Fatalf("re-encoded message does not decode: %v", err)
		}
		if !bytes.Equal(core.Encode(m2), enc) {
			t.Fatal("encoding is not stable")
		}
	})
}

// RunSeqs runs a model test's random sequences: only sequence one when it
// is ≥ 0 (a replay), else sequences 0..seqs-1 (0..short-1 under -short),
// each as subtest "seqN", stopping at the first failure with the command
// that replays it (pkg is the package path as go test takes it). It
// returns how many sequences ran and whether it ran them all (false for a
// replay, whose summary checks would not hold for one sequence).
func RunSeqs(t *testing.T, one, seqs, short int, pkg string, run func(t *testing.T, seq int)) (n int, all bool) {
	t.Helper()
	if one >= 0 {
		run(t, one)
		return 1, false
	}
	n = seqs
	if testing.Short() {
		n = short
	}
	for seq := 0; seq < n; seq++ {
		if !t.Run(fmt.Sprint("seq", seq), func(t *testing.T) { run(t, seq) }) {
			t.Fatalf("sequence %d failed: replay with go test %s -run TestModel -model.seq=%d -v", seq, pkg, seq)
		}
	}
	return n, true
}

// Refused runs exec and fails t unless exec's error wraps want and st is
// as it was before (a refused message changes nothing).
func Refused(t testing.TB, st *state.Overlay, want error, exec func() error) {
	t.Helper()
	before := StateHash(st)
	if err := exec(); !errors.Is(err, want) {
		t.Fatalf("got %v, want %v", err, want)
	}
	if StateHash(st) != before {
		t.Fatal("refused message changed state")
	}
}

// OK fails t if a message returned an error: ok(t)(e.Exec(from, m)).
func OK(t testing.TB) func([]types.Event, error) {
	return func(_ []types.Event, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// Transfer is bank's MsgTransfer with the TxType a test env's Exec needs.
type Transfer bank.MsgTransfer

// TxType is bank's transfer type.
func (*Transfer) TxType() types.TxType { return bank.TypeTransfer }

// Signer signs banktest-chain transactions at the minimum fee, numbering
// each sender's nonces from 0.
type Signer struct {
	t      testing.TB
	nonces map[types.Address]uint64
}

// NewSigner returns a Signer failing t on a signing error.
func NewSigner(t testing.TB) *Signer { return &Signer{t: t, nonces: map[types.Address]uint64{}} }

// Sign returns m as key's next transaction.
func (s *Signer) Sign(key *ecdsa.PrivateKey, m interface{ TxType() types.TxType }) *types.Tx {
	a := types.PubkeyAddress(key)
	tx, err := types.SignTx(&types.Tx{ChainID: banktest.ChainID, Nonce: s.nonces[a], Type: m.TxType(),
		Payload: core.Encode(m), Fee: banktest.MinFee}, key)
	if err != nil {
		s.t.Fatal(err)
	}
	s.nonces[a]++
	return tx
}
