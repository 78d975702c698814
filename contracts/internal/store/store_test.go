package store

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

var (
	errNF = errors.New("not found")
	errCo = errors.New("corrupt")
)

type rec struct {
	ID  types.Hash
	Amt uint64
}

func TestCounters(t *testing.T) {
	st := state.NewOverlay(nil)
	key := []byte("t/n")
	for _, tc := range []struct {
		set  uint64
		want []byte // stored bytes; nil: no key
	}{
		{7, []byte{0, 0, 0, 0, 0, 0, 0, 7}},
		{1 << 40, []byte{0, 0, 1, 0, 0, 0, 0, 0}},
		{0, nil},
	} {
		SetU64(st, key, tc.set)
		v, ok := st.Get(key)
		if ok != (tc.want != nil) || !bytes.Equal(v, tc.want) {
			t.Fatalf("SetU64(%d) stored %x (present %v), want %x", tc.set, v, ok, tc.want)
		}
		if got := GetU64(st, key); got != tc.set {
			t.Fatalf("GetU64 after SetU64(%d) = %d", tc.set, got)
		}
	}
	st.Set(key, []byte{1, 2, 3})
	if got := GetU64(st, key); got != 0 {
		t.Fatalf("GetU64 of a 3-byte value = %d, want 0", got)
	}
}

func TestGetPut(t *testing.T) {
	st := state.NewOverlay(nil)
	r := &rec{ID: types.Hash{1}, Amt: 5}
	Put(st, []byte("t/r/1"), r)
	if v, _ := st.Get([]byte("t/r/1")); !bytes.Equal(v, core.Encode(r)) {
		t.Fatal("Put did not store the RLP encoding")
	}
	st.Set([]byte("t/r/bad"), []byte{0xff})
	for _, tc := range []struct {
		key  string
		want error
	}{{"t/r/1", nil}, {"t/r/2", errNF}, {"t/r/bad", errCo}} {
		got, err := Get[rec](st, []byte(tc.key), "rec "+tc.key, errNF, errCo)
		if !errors.Is(err, tc.want) {
			t.Fatalf("%s: error %v, want %v", tc.key, err, tc.want)
		}
		if err != nil && !strings.HasPrefix(err.Error(), "rec "+tc.key+": ") {
			t.Fatalf("%s: error %q does not name the record", tc.key, err)
		}
		if tc.want == nil && *got != *r {
			t.Fatalf("got %+v, want %+v", got, r)
		}
	}
}

func TestIndexes(t *testing.T) {
	st := state.NewOverlay(nil)
	seqP, sufP := []byte("t/s/"), []byte("t/e/")
	owner, other := types.Address{1}, types.Address{2}
	ids := []types.Hash{{0xc}, {0xa}, {0xb}}
	for i, id := range ids {
		st.Set(slices.Concat(seqP, owner[:], BE64(uint64(i+1))), id[:])
		st.Set(slices.Concat(sufP, owner[:], id[:]), []byte{})
	}
	st.Set(slices.Concat(seqP, other[:], BE64(1)), []byte{9})
	st.Set(slices.Concat(sufP, other[:], types.Hash{9}.Bytes()), []byte{})
	for _, tc := range []struct {
		name string
		got  []types.Hash
		want []types.Hash
	}{
		{"seq all", SeqIDs(st, seqP, owner, 0, 0), ids},
		{"seq after 1", SeqIDs(st, seqP, owner, 1, 0), ids[1:]},
		{"seq limit 2", SeqIDs(st, seqP, owner, 0, 2), ids[:2]},
		{"seq after max", SeqIDs(st, seqP, owner, ^uint64(0), 0), nil},
		{"suffix all", SuffixIDs(st, sufP, owner, 0), []types.Hash{{0xa}, {0xb}, {0xc}}},
		{"suffix limit 1", SuffixIDs(st, sufP, owner, 1), []types.Hash{{0xa}}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	if n := CountPrefix(st, seqP); n != 4 {
		t.Fatalf("CountPrefix = %d, want 4", n)
	}
}

func TestEachAndTally(t *testing.T) {
	st := state.NewOverlay(nil)
	p, counters := []byte("t/r/"), []byte("t/o/")
	a, b := types.Address{1}, types.Address{2}
	Put(st, []byte("t/r/1"), &rec{Amt: 1})
	Put(st, []byte("t/r/2"), &rec{Amt: 2})
	var sum uint64
	if err := Each(st, p, "rec", func(r *rec) bool { sum += r.Amt; return true }); err != nil || sum != 3 {
		t.Fatalf("Each: sum %d, err %v", sum, err)
	}
	st.Set([]byte("t/r/3"), []byte{0xff})
	if err := Each(st, p, "rec", func(*rec) bool { return true }); err == nil || !strings.HasPrefix(err.Error(), "rec ") {
		t.Fatalf("Each over a corrupt record: %v", err)
	}

	var tl Tally
	tl.Add(a)
	tl.Add(b)
	tl.Add(a)
	for _, tc := range []struct {
		name   string
		ca, cb uint64
		extra  bool // a counter for an owner with nothing open
		broken string
	}{
		{"match", 2, 1, false, ""},
		{"count differs", 1, 1, false, "open count 1, 2 recs"},
		{"missing counter", 2, 0, false, "open count 0, 1 recs"},
		{"stray counter", 2, 1, true, "3 open counters, 2 payers with recs"},
	} {
		SetU64(st, slices.Concat(counters, a[:]), tc.ca)
		SetU64(st, slices.Concat(counters, b[:]), tc.cb)
		stray := slices.Concat(counters, types.Address{3}.Bytes())
		if tc.extra {
			SetU64(st, stray, 1)
		} else {
			st.Delete(stray)
		}
		msg, broken := tl.Check(st, counters, "recs")
		if broken != (tc.broken != "") || !strings.Contains(msg, tc.broken) {
			t.Errorf("%s: Check = %q, %v; want %q", tc.name, msg, broken, tc.broken)
		}
	}
}
