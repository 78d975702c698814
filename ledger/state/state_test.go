package state_test

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// newBase returns an in-memory committed store holding kvs ("k=v" pairs).
func newBase(t testing.TB, kvs map[string]string) kv.DB {
	t.Helper()
	db := kv.NewMemory()
	t.Cleanup(func() { db.Close() })
	b := db.NewBatch()
	for k, v := range kvs {
		if err := b.Set([]byte(k), []byte(v)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	return db
}

type pair struct{ k, v string }

func collect(o state.Store, start, end string, reverse bool, limit int) []pair {
	var out []pair
	o.Iterate(bytesOrNil(start), bytesOrNil(end), reverse, func(k, v []byte) bool {
		out = append(out, pair{string(k), string(v)})
		return limit <= 0 || len(out) < limit
	})
	return out
}

func bytesOrNil(s string) []byte {
	if s == "" {
		return nil
	}
	return []byte(s)
}

func TestOverlayGetSetDeleteShadowing(t *testing.T) {
	base := newBase(t, map[string]string{"a": "1", "b": "2", "c": "3"})
	o := state.NewOverlay(base)

	get := func(k string) (string, bool) {
		v, ok := o.Get([]byte(k))
		return string(v), ok
	}
	tests := []struct {
		name   string
		do     func()
		key    string
		want   string
		wantOK bool
	}{
		{"committed value is visible", func() {}, "a", "1", true},
		{"absent key is absent", func() {}, "zz", "", false},
		{"set shadows the committed value", func() { o.Set([]byte("a"), []byte("10")) }, "a", "10", true},
		{"delete hides the committed value", func() { o.Delete([]byte("b")) }, "b", "", false},
		{"set after delete revives the key", func() { o.Delete([]byte("c")); o.Set([]byte("c"), []byte("30")) }, "c", "30", true},
		{"delete after set removes a new key", func() { o.Set([]byte("d"), []byte("4")); o.Delete([]byte("d")) }, "d", "", false},
		{"nil value is stored as present and empty", func() { o.Set([]byte("e"), nil) }, "e", "", true},
		{"last set wins", func() { o.Set([]byte("f"), []byte("1")); o.Set([]byte("f"), []byte("2")) }, "f", "2", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.do()
			v, ok := get(tc.key)
			if v != tc.want || ok != tc.wantOK {
				t.Fatalf("Get(%q) = %q, %v; want %q, %v", tc.key, v, ok, tc.want, tc.wantOK)
			}
			if has := o.Has([]byte(tc.key)); has != tc.wantOK {
				t.Fatalf("Has(%q) = %v", tc.key, has)
			}
		})
	}
	if v, ok := o.Get([]byte("e")); !ok || v == nil {
		t.Fatalf("empty value: %v %v, want a non-nil empty slice", v, ok)
	}
	// The committed store is untouched.
	for k, want := range map[string]string{"a": "1", "b": "2", "c": "3"} {
		v, err := base.Get([]byte(k))
		if err != nil || string(v) != want {
			t.Fatalf("base %q = %q, %v", k, v, err)
		}
	}
	if err := o.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestOverlayWithoutBase(t *testing.T) {
	o := state.NewOverlay(nil)
	if _, ok := o.Get([]byte("a")); ok {
		t.Fatal("empty overlay has a key")
	}
	o.Set([]byte("b"), []byte("2"))
	o.Set([]byte("a"), []byte("1"))
	o.Delete([]byte("c"))
	if got := collect(o, "", "", false, 0); !slices.Equal(got, []pair{{"a", "1"}, {"b", "2"}}) {
		t.Fatalf("iterate: %v", got)
	}
}

func TestOverlayRevertTo(t *testing.T) {
	base := newBase(t, map[string]string{"a": "1", "b": "2"})
	o := state.NewOverlay(base)
	o.Set([]byte("a"), []byte("10"))
	m1 := o.Snapshot()
	o.Set([]byte("a"), []byte("100"))
	o.Delete([]byte("b"))
	o.Set([]byte("c"), []byte("3"))
	m2 := o.Snapshot()
	o.Set([]byte("c"), []byte("30"))
	o.Set([]byte("c"), []byte("300"))
	o.Set([]byte("b"), []byte("20"))
	o.Delete([]byte("a"))

	type want map[string]string // absent key: not visible
	check := func(step string, w want) {
		t.Helper()
		for _, k := range []string{"a", "b", "c"} {
			v, ok := o.Get([]byte(k))
			wv, wok := w[k]
			if ok != wok || string(v) != wv {
				t.Fatalf("%s: Get(%q) = %q, %v; want %q, %v", step, k, v, ok, wv, wok)
			}
		}
		var got []pair
		for _, k := range slices.Sorted(maps.Keys(w)) {
			got = append(got, pair{k, w[k]})
		}
		if it := collect(o, "", "", false, 0); !slices.Equal(it, got) {
			t.Fatalf("%s: iterate %v, want %v", step, it, got)
		}
	}
	check("before revert", want{"b": "20", "c": "300"})
	o.RevertTo(m2)
	check("revert to m2", want{"a": "100", "c": "3"})
	if o.Snapshot() != m2 {
		t.Fatalf("journal not truncated: %d, want %d", o.Snapshot(), m2)
	}
	o.RevertTo(m2) // idempotent
	check("revert to m2 again", want{"a": "100", "c": "3"})
	o.RevertTo(m1)
	check("revert to m1", want{"a": "10", "b": "2"})
	if o.Len() != 1 {
		t.Fatalf("pending keys %d, want 1", o.Len())
	}
	o.RevertTo(0)
	check("revert to 0", want{"a": "1", "b": "2"})
	if o.Len() != 0 || len(o.WriteSet()) != 0 {
		t.Fatalf("after full revert: %d pending, write set %v", o.Len(), o.WriteSet())
	}
	// Writing again after a revert works as on a fresh overlay.
	o.Set([]byte("d"), []byte("4"))
	check("write after revert", want{"a": "1", "b": "2", "d": "4"})
}

func TestOverlayMergedIteration(t *testing.T) {
	base := newBase(t, map[string]string{
		"a": "1", "b": "2", "c": "3", "e": "5", "g": "7", "h": "8",
	})
	o := state.NewOverlay(base)
	o.Set([]byte("b"), []byte("20"))   // overwrite a committed key
	o.Delete([]byte("c"))              // delete a committed key
	o.Set([]byte("d"), []byte("4"))    // new key between committed keys
	o.Delete([]byte("e"))              // delete, then ...
	o.Set([]byte("e"), []byte("50"))   // ... write again
	o.Delete([]byte("f"))              // delete a key that was never committed
	o.Set([]byte("i"), []byte("9"))    // new key after the last committed one
	o.Set([]byte("0"), []byte("zero")) // new key before the first committed one
	o.Delete([]byte("h"))              // delete the last committed key

	all := []pair{{"0", "zero"}, {"a", "1"}, {"b", "20"}, {"d", "4"}, {"e", "50"}, {"g", "7"}, {"i", "9"}}
	rev := slices.Clone(all)
	slices.Reverse(rev)

	tests := []struct {
		name       string
		start, end string
		reverse    bool
		limit      int
		want       []pair
	}{
		{"forward, unbounded", "", "", false, 0, all},
		{"reverse, unbounded", "", "", true, 0, rev},
		{"forward [b,e): end is exclusive", "b", "e", false, 0, []pair{{"b", "20"}, {"d", "4"}}},
		{"reverse [b,e)", "b", "e", true, 0, []pair{{"d", "4"}, {"b", "20"}}},
		{"forward [c,d): only a deleted key and nothing else", "c", "d", false, 0, nil},
		{"forward [bb,f): start between keys", "bb", "f", false, 0, []pair{{"d", "4"}, {"e", "50"}}},
		{"forward from f: deleted keys at the end are skipped", "f", "", false, 0, []pair{{"g", "7"}, {"i", "9"}}},
		{"reverse up to c: deleted c is skipped", "", "c", true, 0, []pair{{"b", "20"}, {"a", "1"}, {"0", "zero"}}},
		{"forward stops early", "", "", false, 3, all[:3]},
		{"reverse stops early", "", "", true, 2, rev[:2]},
		{"stop at the first item", "d", "", false, 1, []pair{{"d", "4"}}},
		{"empty range", "e", "e", false, 0, nil},
		{"inverted range", "g", "b", false, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := collect(o, tc.start, tc.end, tc.reverse, tc.limit)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
		})
	}
	if err := o.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestOverlayIterationKeysAreStable(t *testing.T) {
	// fn may keep the keys and values it is given.
	base := newBase(t, map[string]string{"a": "1", "b": "2", "c": "3"})
	o := state.NewOverlay(base)
	o.Set([]byte("bb"), []byte("22"))
	var keys, vals [][]byte
	o.Iterate(nil, nil, false, func(k, v []byte) bool {
		keys, vals = append(keys, k), append(vals, v)
		return true
	})
	got := fmt.Sprintf("%s %s", keys, vals)
	if want := "[a b bb c] [1 2 22 3]"; got != want {
		t.Fatalf("retained %s, want %s", got, want)
	}
}

func TestWriteSetSortedAndComplete(t *testing.T) {
	base := newBase(t, map[string]string{"k05": "old", "k07": "old"})
	o := state.NewOverlay(base)
	rng := rand.New(rand.NewPCG(1, 2))
	want := map[string]*state.Write{}
	for _, i := range rng.Perm(20) {
		k := fmt.Sprintf("k%02d", i)
		if i%3 == 0 {
			o.Delete([]byte(k))
			want[k] = &state.Write{Key: []byte(k), Deleted: true}
		} else {
			v := []byte("v" + k)
			o.Set([]byte(k), v)
			want[k] = &state.Write{Key: []byte(k), Value: v}
		}
	}
	mark := o.Snapshot()
	o.Set([]byte("reverted"), []byte("x"))
	o.RevertTo(mark)

	ws := o.WriteSet()
	if len(ws) != len(want) {
		t.Fatalf("write set has %d entries, want %d", len(ws), len(want))
	}
	if !slices.IsSortedFunc(ws, func(a, b state.Write) int { return bytes.Compare(a.Key, b.Key) }) {
		t.Fatalf("write set not sorted: %v", ws)
	}
	for _, w := range ws {
		x, ok := want[string(w.Key)]
		if !ok {
			t.Fatalf("unexpected write %q", w.Key)
		}
		if w.Deleted != x.Deleted || !bytes.Equal(w.Value, x.Value) || (w.Deleted && w.Value != nil) {
			t.Fatalf("write %q = %+v, want %+v", w.Key, w, *x)
		}
	}
	// The write set is a copy: changing it does not change the overlay.
	ws[0].Key[0] = 'X'
	if ws2 := o.WriteSet(); ws2[0].Key[0] != 'k' {
		t.Fatal("WriteSet aliases the overlay's keys")
	}
}

func TestNextAppHashCommitsToEveryByte(t *testing.T) {
	prev := types.Keccak([]byte("prev"))
	ws := func(ws ...state.Write) []state.Write { return ws }
	set := func(k, v string) state.Write { return state.Write{Key: []byte(k), Value: []byte(v)} }
	del := func(k string) state.Write { return state.Write{Key: []byte(k), Deleted: true} }

	reference := ws(set("a", "1"), del("b"), set("c", "33"))
	refHash := state.NextAppHash(prev, reference)
	if again := state.NextAppHash(prev, ws(set("a", "1"), del("b"), set("c", "33"))); again != refHash {
		t.Fatal("NextAppHash is not deterministic")
	}
	variants := []struct {
		name string
		prev types.Hash
		ws   []state.Write
	}{
		{"different previous hash", types.Keccak([]byte("other")), reference},
		{"value changed", prev, ws(set("a", "2"), del("b"), set("c", "33"))},
		{"key changed", prev, ws(set("A", "1"), del("b"), set("c", "33"))},
		{"delete became a write", prev, ws(set("a", "1"), set("b", ""), set("c", "33"))},
		{"write became a delete", prev, ws(set("a", "1"), del("b"), del("c"))},
		{"write added", prev, ws(set("a", "1"), del("b"), set("c", "33"), set("d", "4"))},
		{"write removed", prev, ws(set("a", "1"), set("c", "33"))},
		{"order changed", prev, ws(del("b"), set("a", "1"), set("c", "33"))},
		{"byte moved from value to key", prev, ws(set("a", "1"), del("b"), set("c3", "3"))},
		{"two writes merged into one", prev, ws(set("a", "1"), del("b"), set("c", "3"), set("3", ""))},
		{"empty write set", prev, nil},
	}
	seen := map[types.Hash]string{refHash: "reference"}
	for _, v := range variants {
		h := state.NextAppHash(v.prev, v.ws)
		if other, dup := seen[h]; dup {
			t.Errorf("%s: same app hash as %s", v.name, other)
		}
		seen[h] = v.name
	}
	// An empty write set still chains: the hash moves on every block.
	if state.NextAppHash(prev, nil) == prev {
		t.Fatal("empty block left the app hash unchanged")
	}
}

// failingReader fails every read.
type failingReader struct{}

var errDisk = errors.New("disk on fire")

func (failingReader) Get([]byte) ([]byte, error)                       { return nil, errDisk }
func (failingReader) Iterator(_, _ []byte) (kv.Iterator, error)        { return nil, errDisk }
func (failingReader) ReverseIterator(_, _ []byte) (kv.Iterator, error) { return nil, errDisk }

func TestOverlayRemembersStorageErrors(t *testing.T) {
	o := state.NewOverlay(failingReader{})
	if _, ok := o.Get([]byte("a")); ok {
		t.Fatal("failed read returned a value")
	}
	if !errors.Is(o.Err(), errDisk) {
		t.Fatalf("Err() = %v", o.Err())
	}
	o2 := state.NewOverlay(failingReader{})
	o2.Iterate(nil, nil, false, func(k, v []byte) bool { t.Fatal("iterated"); return false })
	if !errors.Is(o2.Err(), errDisk) {
		t.Fatalf("Err() after iterate = %v", o2.Err())
	}
	// A missing key is not an error.
	o3 := state.NewOverlay(newBase(t, nil))
	o3.Get([]byte("missing"))
	if o3.Err() != nil {
		t.Fatal(o3.Err())
	}
}

// TestOverlayMatchesReferenceModel runs random writes, snapshots and
// reverts against an Overlay and a plain map, and compares every read and
// iteration (random bounds, both directions, random early stops).
func TestOverlayMatchesReferenceModel(t *testing.T) {
	seed := uint64(rand.Int64())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 0))
	key := func() string {
		// A small alphabet and short keys so writes hit committed keys,
		// prefixes of each other and the range bounds often.
		n := 1 + rng.IntN(3)
		var sb strings.Builder
		for range n {
			sb.WriteByte("abcd\x00\xff"[rng.IntN(6)])
		}
		return sb.String()
	}
	for round := range 30 {
		committed := map[string]string{}
		for range rng.IntN(40) {
			committed[key()] = fmt.Sprint(rng.IntN(100))
		}
		o := state.NewOverlay(newBase(t, committed))
		model := maps.Clone(committed)
		var marks []int
		var saved []map[string]string
		for op := range 300 {
			switch r := rng.IntN(100); {
			case r < 45:
				k, v := key(), fmt.Sprint(rng.IntN(100))
				if rng.IntN(10) == 0 {
					v = ""
				}
				o.Set([]byte(k), []byte(v))
				model[k] = v
			case r < 70:
				k := key()
				o.Delete([]byte(k))
				delete(model, k)
			case r < 80:
				marks = append(marks, o.Snapshot())
				saved = append(saved, maps.Clone(model))
			case r < 88 && len(marks) > 0:
				i := rng.IntN(len(marks))
				o.RevertTo(marks[i])
				model = saved[i]
				marks, saved = marks[:i], saved[:i]
			default:
				start, end := key(), key()
				if rng.IntN(4) == 0 {
					start = ""
				}
				if rng.IntN(4) == 0 {
					end = ""
				}
				reverse := rng.IntN(2) == 0
				limit := 0
				if rng.IntN(3) == 0 {
					limit = 1 + rng.IntN(5)
				}
				got := collect(o, start, end, reverse, limit)
				want := referenceIterate(model, start, end, reverse, limit)
				if !slices.Equal(got, want) {
					t.Fatalf("seed %d round %d op %d: Iterate(%q, %q, reverse=%v, limit=%d)\n got %q\nwant %q",
						seed, round, op, start, end, reverse, limit, got, want)
				}
			}
			k := key()
			v, ok := o.Get([]byte(k))
			mv, mok := model[k]
			if ok != mok || string(v) != mv {
				t.Fatalf("seed %d round %d op %d: Get(%q) = %q, %v; want %q, %v", seed, round, op, k, v, ok, mv, mok)
			}
		}
		// Applying the write set to the committed map gives the model.
		applied := maps.Clone(committed)
		ws := o.WriteSet()
		for i, w := range ws {
			if i > 0 && bytes.Compare(ws[i-1].Key, w.Key) >= 0 {
				t.Fatalf("seed %d: write set not strictly sorted at %d", seed, i)
			}
			if w.Deleted {
				delete(applied, string(w.Key))
			} else {
				applied[string(w.Key)] = string(w.Value)
			}
		}
		if !maps.Equal(applied, model) {
			t.Fatalf("seed %d round %d: committed + write set = %v, model %v", seed, round, applied, model)
		}
		if err := o.Err(); err != nil {
			t.Fatal(err)
		}
	}
}

func referenceIterate(m map[string]string, start, end string, reverse bool, limit int) []pair {
	var out []pair
	keys := slices.Sorted(maps.Keys(m))
	if reverse {
		slices.Reverse(keys)
	}
	for _, k := range keys {
		if (start != "" && k < start) || (end != "" && k >= end) {
			continue
		}
		out = append(out, pair{k, m[k]})
		if limit > 0 && len(out) == limit {
			break
		}
	}
	return out
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct{ in, want []byte }{
		{[]byte("bank/a/"), []byte("bank/a0")},
		{[]byte{'a', 0xff}, []byte{'b'}},
		{[]byte{0xff, 0xff}, nil},
		{nil, nil},
	}
	for _, tc := range tests {
		if got := state.PrefixEnd(tc.in); !bytes.Equal(got, tc.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", tc.in, got, tc.want)
		}
	}
}

// The app hash is consensus: every node must compute the same one forever.
// This value was computed by the first implementation.
func TestNextAppHashGolden(t *testing.T) {
	ws := []state.Write{
		{Key: []byte("a"), Value: []byte("1")},
		{Key: []byte("b"), Deleted: true},
		{Key: []byte("c"), Value: []byte{}},
	}
	got := state.NextAppHash(types.Keccak([]byte("prev")), ws)
	if want := "0x74702fc2945204f63a331c091b068557b1861b5a94ac01f9f96c760ef6ba1930"; got.Hex() != want {
		t.Fatalf("app hash %s, want %s", got.Hex(), want)
	}
}

func TestOverlayMemoizesCommittedReads(t *testing.T) {
	base := newBase(t, map[string]string{"a": "1"})
	o := state.NewOverlay(base)
	if v, ok := o.Get([]byte("a")); !ok || string(v) != "1" {
		t.Fatalf("Get(a) = %q, %v", v, ok)
	}
	if _, ok := o.Get([]byte("z")); ok {
		t.Fatal("Get(z) found a value")
	}
	// The committed store moves on; the overlay keeps executing against
	// the state it started reading.
	b := base.NewBatch()
	b.Set([]byte("a"), []byte("2"))
	b.Set([]byte("z"), []byte("26"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if v, ok := o.Get([]byte("a")); !ok || string(v) != "1" {
		t.Fatalf("Get(a) after a commit = %q, %v; want the first read", v, ok)
	}
	if o.Has([]byte("z")) {
		t.Fatal("a key absent at the first read appeared")
	}
	// Memoized reads are not writes.
	if o.Len() != 0 || len(o.WriteSet()) != 0 {
		t.Fatalf("reads produced writes: %v", o.WriteSet())
	}
	// A write still shadows a memoized read, and a revert uncovers it again.
	mark := o.Snapshot()
	o.Set([]byte("a"), []byte("3"))
	if v, _ := o.Get([]byte("a")); string(v) != "3" {
		t.Fatalf("Get(a) after Set = %q", v)
	}
	o.RevertTo(mark)
	if v, _ := o.Get([]byte("a")); string(v) != "1" {
		t.Fatalf("Get(a) after revert = %q", v)
	}
	if v, ok := state.NewOverlay(base).Get([]byte("a")); !ok || string(v) != "2" {
		t.Fatalf("a new overlay reads %q, %v", v, ok)
	}
}

// flakyReader fails the first Get of each key, then serves the map.
type flakyReader struct {
	kv     map[string]string
	failed map[string]bool
}

func (f *flakyReader) Get(k []byte) ([]byte, error) {
	if !f.failed[string(k)] {
		f.failed[string(k)] = true
		return nil, errDisk
	}
	v, ok := f.kv[string(k)]
	if !ok {
		return nil, kv.ErrNotFound
	}
	return []byte(v), nil
}
func (f *flakyReader) Iterator(_, _ []byte) (kv.Iterator, error)        { return nil, errDisk }
func (f *flakyReader) ReverseIterator(_, _ []byte) (kv.Iterator, error) { return nil, errDisk }

func TestOverlayDoesNotMemoizeFailedReads(t *testing.T) {
	o := state.NewOverlay(&flakyReader{kv: map[string]string{"a": "1"}, failed: map[string]bool{}})
	if _, ok := o.Get([]byte("a")); ok || !errors.Is(o.Err(), errDisk) {
		t.Fatalf("first read: ok %v, err %v", ok, o.Err())
	}
	if v, ok := o.Get([]byte("a")); !ok || string(v) != "1" {
		t.Fatalf("second read = %q, %v; a failure must not be remembered as absence", v, ok)
	}
}
