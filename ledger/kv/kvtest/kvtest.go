// Package kvtest is the conformance suite every kv backend must pass. Run
// checks one backend through the kv.DB interface only; RunPersistent adds
// what needs a directory: data surviving Close and reopen.
//
// A behaviour the suite does not check is not part of the kv contract, so a
// new guarantee that callers rely on belongs here first.
package kvtest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/accordnet/accord/ledger/kv"
)

type suiteCase struct {
	name string
	run  func(t *testing.T, db kv.DB)
}

// Run runs the conformance suite. open must return a new, empty DB for each
// call; the suite closes it.
func Run(t *testing.T, open func(t *testing.T) kv.DB) {
	t.Helper()
	cases := []suiteCase{
		{"set then get returns the value", testSetGet},
		{"set overwrites the previous value", testOverwrite},
		{"delete removes the key and deleting a missing key is fine", testDelete},
		{"missing key is ErrNotFound and Has is false", testMissing},
		{"empty value is distinct from a missing key", testEmptyValue},
		{"empty key is refused", testEmptyKey},
		{"get returns a copy the caller owns", testGetCopy},
		{"iterators walk bounds in order both ways", testIterBounds},
		{"prefix iteration with PrefixEnd", testPrefixIteration},
		{"iterator is positioned only between Next true and Next false", testIterPosition},
		{"iterator does not see writes made after it was created", testIterIsolation},
		{"iterator bounds are copied", testIterBoundsCopied},
		{"uncommitted batch is invisible", testBatchInvisible},
		{"closed batch discards its writes", testBatchClose},
		{"batch applies its operations in order", testBatchOrder},
		{"batch copies key and value buffers", testBatchBufferReuse},
		{"batch is single-use", testBatchSingleUse},
		{"empty batch commits", testBatchEmpty},
		{"snapshot is a consistent point-in-time view", testSnapshot},
		{"snapshot close releases it and its iterators", testSnapshotClose},
		{"large values round-trip", testLargeValues},
		{"many keys in one batch", testManyKeys},
		{"binary keys with 0x00 and 0xff sort bytewise", testBinaryKeys},
		{"operations after Close return ErrClosed", testAfterClose},
		{"concurrent readers and writers", testConcurrent},
		{"closing races with readers", testCloseRace},
		{"backend reports a known name", testBackendName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := open(t)
			t.Cleanup(func() { _ = db.Close() }) // ErrClosed if the case closed it
			c.run(t, db)
		})
	}
}

// RunPersistent checks that committed data survives Close and reopen of the
// same directory. open opens the store in dir.
func RunPersistent(t *testing.T, open func(dir string) (kv.DB, error)) {
	t.Helper()
	t.Run("data survives close and reopen", func(t *testing.T) {
		dir := t.TempDir()
		want := map[string][]byte{}

		db := mustOpen(t, open, dir)
		b := db.NewBatch()
		for i := range 1000 {
			k, v := key(i), fmt.Appendf(nil, "value-%d", i)
			must(t, b.Set(k, v))
			want[string(k)] = v
		}
		big := bytes.Repeat([]byte{0xab}, 1<<20)
		must(t, b.Set([]byte("big"), big))
		want["big"] = big
		must(t, b.Set([]byte("empty"), nil))
		want["empty"] = []byte{}
		commit(t, b)
		b = db.NewBatch()
		for i := 0; i < 1000; i += 3 {
			must(t, b.Delete(key(i)))
			delete(want, string(key(i)))
		}
		commit(t, b)
		b = db.NewBatch()
		must(t, b.Set([]byte("discarded"), []byte("x")))
		must(t, b.Close())
		must(t, db.Close())

		db = mustOpen(t, open, dir)
		checkContents(t, db, want)
		b = db.NewBatch()
		must(t, b.Set([]byte("second"), []byte("session")))
		want["second"] = []byte("session")
		commit(t, b)
		it, err := db.Iterator(nil, nil) // left open: Close must cope
		must(t, err)
		must(t, db.Close())
		must(t, it.Close())

		db = mustOpen(t, open, dir)
		defer db.Close()
		checkContents(t, db, want)
	})
	t.Run("reopen after close without writes", func(t *testing.T) {
		dir := t.TempDir()
		db := mustOpen(t, open, dir)
		must(t, db.Close())
		db = mustOpen(t, open, dir)
		defer db.Close()
		checkContents(t, db, map[string][]byte{})
	})
}

func mustOpen(t *testing.T, open func(string) (kv.DB, error), dir string) kv.DB {
	t.Helper()
	db, err := open(dir)
	if err != nil {
		t.Fatalf("open %s: %v", dir, err)
	}
	return db
}

// checkContents checks that db holds exactly want, by Get and by iteration.
func checkContents(t *testing.T, db kv.DB, want map[string][]byte) {
	t.Helper()
	for k, v := range want {
		got, err := db.Get([]byte(k))
		if err != nil {
			t.Fatalf("Get(%x): %v", k, err)
		}
		if !bytes.Equal(got, v) {
			t.Fatalf("Get(%x) = %d bytes, want %d", k, len(got), len(v))
		}
	}
	keys := make([]string, 0, len(want))
	for k := range want {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	got := collect(t, db, nil, nil, false)
	if len(got) != len(keys) {
		t.Fatalf("iteration found %d keys, want %d", len(got), len(keys))
	}
	for i, kv := range got {
		if kv.k != keys[i] || !bytes.Equal(kv.v, want[keys[i]]) {
			t.Fatalf("iteration item %d = %x, want %x", i, kv.k, keys[i])
		}
	}
}

// ---- helpers ----

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func key(i int) []byte { return binary.BigEndian.AppendUint32([]byte("key-"), uint32(i)) }

func set(t *testing.T, db kv.DB, k, v string) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	must(t, b.Set([]byte(k), []byte(v)))
	commit(t, b)
}

func del(t *testing.T, db kv.DB, k string) {
	t.Helper()
	b := db.NewBatch()
	defer b.Close()
	must(t, b.Delete([]byte(k)))
	commit(t, b)
}

func commit(t *testing.T, b kv.Batch) {
	t.Helper()
	if err := b.Commit(); err != nil {
		t.Fatalf("commit: %v", err)
	}
}

func get(t *testing.T, r kv.Reader, k string) ([]byte, bool) {
	t.Helper()
	v, err := r.Get([]byte(k))
	if errors.Is(err, kv.ErrNotFound) {
		has, herr := r.Has([]byte(k))
		if herr != nil || has {
			t.Fatalf("Has(%q) = %v, %v after Get said not found", k, has, herr)
		}
		return nil, false
	}
	if err != nil {
		t.Fatalf("Get(%q): %v", k, err)
	}
	if v == nil {
		t.Fatalf("Get(%q) returned nil for a present key", k)
	}
	has, herr := r.Has([]byte(k))
	if herr != nil || !has {
		t.Fatalf("Has(%q) = %v, %v after Get found it", k, has, herr)
	}
	return v, true
}

func wantValue(t *testing.T, r kv.Reader, k, v string) {
	t.Helper()
	got, ok := get(t, r, k)
	if !ok {
		t.Fatalf("Get(%q): not found, want %q", k, v)
	}
	if string(got) != v {
		t.Fatalf("Get(%q) = %q, want %q", k, got, v)
	}
}

func wantMissing(t *testing.T, r kv.Reader, k string) {
	t.Helper()
	if got, ok := get(t, r, k); ok {
		t.Fatalf("Get(%q) = %q, want not found", k, got)
	}
}

type item struct {
	k string
	v []byte
}

// collect drains an iterator over r, copying keys and values.
func collect(t *testing.T, r kv.Reader, start, end []byte, reverse bool) []item {
	t.Helper()
	var it kv.Iterator
	var err error
	if reverse {
		it, err = r.ReverseIterator(start, end)
	} else {
		it, err = r.Iterator(start, end)
	}
	if err != nil {
		t.Fatalf("iterator [%x,%x) reverse=%v: %v", start, end, reverse, err)
	}
	defer it.Close()
	var out []item
	for it.Next() {
		out = append(out, item{string(it.Key()), bytes.Clone(it.Value())})
	}
	must(t, it.Err())
	must(t, it.Close())
	return out
}

func keysOf(items []item) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.k
	}
	return out
}

// ---- cases ----

func testSetGet(t *testing.T, db kv.DB) {
	set(t, db, "a", "1")
	set(t, db, "b", "2")
	wantValue(t, db, "a", "1")
	wantValue(t, db, "b", "2")
}

func testOverwrite(t *testing.T, db kv.DB) {
	set(t, db, "a", "1")
	set(t, db, "a", "22")
	wantValue(t, db, "a", "22")
	set(t, db, "a", "3")
	wantValue(t, db, "a", "3")
}

func testDelete(t *testing.T, db kv.DB) {
	set(t, db, "a", "1")
	set(t, db, "b", "2")
	del(t, db, "a")
	wantMissing(t, db, "a")
	wantValue(t, db, "b", "2")
	del(t, db, "never-written")
	set(t, db, "a", "again")
	wantValue(t, db, "a", "again")
}

func testMissing(t *testing.T, db kv.DB) {
	_, err := db.Get([]byte("nope"))
	if !errors.Is(err, kv.ErrNotFound) {
		t.Fatalf("Get missing: err = %v, want ErrNotFound", err)
	}
	has, err := db.Has([]byte("nope"))
	if err != nil || has {
		t.Fatalf("Has missing = %v, %v", has, err)
	}
	set(t, db, "nope-but-longer", "x")
	set(t, db, "nop", "x")
	wantMissing(t, db, "nope")
}

func testEmptyValue(t *testing.T, db kv.DB) {
	b := db.NewBatch()
	must(t, b.Set([]byte("empty"), []byte{}))
	must(t, b.Set([]byte("nil"), nil))
	commit(t, b)
	for _, k := range []string{"empty", "nil"} {
		v, ok := get(t, db, k)
		if !ok || len(v) != 0 {
			t.Fatalf("Get(%q) = %q, %v; want empty and present", k, v, ok)
		}
	}
	wantMissing(t, db, "missing")
	if got := keysOf(collect(t, db, nil, nil, false)); !slices.Equal(got, []string{"empty", "nil"}) {
		t.Fatalf("iteration = %q", got)
	}
}

func testEmptyKey(t *testing.T, db kv.DB) {
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	b := db.NewBatch()
	defer b.Close()
	for _, k := range [][]byte{nil, {}} {
		checks := map[string]error{
			"Set":      b.Set(k, []byte("v")),
			"Delete":   b.Delete(k),
			"Get":      func() error { _, err := db.Get(k); return err }(),
			"Has":      func() error { _, err := db.Has(k); return err }(),
			"snap.Get": func() error { _, err := snap.Get(k); return err }(),
			"snap.Has": func() error { _, err := snap.Has(k); return err }(),
		}
		for op, err := range checks {
			if !errors.Is(err, kv.ErrEmptyKey) {
				t.Errorf("%s(%#v): err = %v, want ErrEmptyKey", op, k, err)
			}
		}
	}
	if b.Len() != 0 {
		t.Fatalf("batch Len = %d after refused operations", b.Len())
	}
}

func testGetCopy(t *testing.T, db kv.DB) {
	set(t, db, "a", "value")
	v, _ := get(t, db, "a")
	copy(v, "XXXXX")
	wantValue(t, db, "a", "value")
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()
	v, _ = get(t, snap, "a")
	copy(v, "YYYYY")
	wantValue(t, snap, "a", "value")
}

func testIterBounds(t *testing.T, db kv.DB) {
	all := []string{"a", "b", "ba", "c", "d", "e"}
	b := db.NewBatch()
	for _, k := range all {
		must(t, b.Set([]byte(k), []byte("v"+k)))
	}
	commit(t, b)

	tests := []struct {
		name       string
		start, end []byte
		want       []string // ascending
	}{
		{"nil bounds cover everything", nil, nil, all},
		{"empty bounds are unbounded", []byte{}, []byte{}, all},
		{"start only", []byte("b"), nil, []string{"b", "ba", "c", "d", "e"}},
		{"end only", nil, []byte("c"), []string{"a", "b", "ba"}},
		{"both bounds on keys, end excluded", []byte("b"), []byte("d"), []string{"b", "ba", "c"}},
		{"bounds between keys", []byte("aa"), []byte("bb"), []string{"b", "ba"}},
		{"bounds beyond the keys", []byte("0"), []byte("z"), all},
		{"range before every key", []byte("0"), []byte("1"), nil},
		{"range after every key", []byte("f"), nil, nil},
		{"end at first key", nil, []byte("a"), nil},
		{"start at last key", []byte("e"), nil, []string{"e"}},
		{"single key range", []byte("c"), []byte("c\x00"), []string{"c"}},
		{"start equal to end is empty", []byte("c"), []byte("c"), nil},
		{"start after end is empty", []byte("d"), []byte("b"), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fwd := collect(t, db, tc.start, tc.end, false)
			if got := keysOf(fwd); !slices.Equal(got, tc.want) {
				t.Fatalf("forward = %q, want %q", got, tc.want)
			}
			for _, it := range fwd {
				if string(it.v) != "v"+it.k {
					t.Fatalf("value of %q = %q", it.k, it.v)
				}
			}
			rev := slices.Clone(tc.want)
			slices.Reverse(rev)
			if got := keysOf(collect(t, db, tc.start, tc.end, true)); !slices.Equal(got, rev) {
				t.Fatalf("reverse = %q, want %q", got, rev)
			}
		})
	}
}

func testPrefixIteration(t *testing.T, db kv.DB) {
	keys := []string{"p", "pa", "pa\xff", "pa\xff\xff", "pb", "q", "\xff", "\xff\x00", "\xff\xff", "\xff\xff\x01"}
	b := db.NewBatch()
	for _, k := range keys {
		must(t, b.Set([]byte(k), []byte("v")))
	}
	commit(t, b)
	tests := []struct {
		prefix string
		want   []string
	}{
		{"p", []string{"p", "pa", "pa\xff", "pa\xff\xff", "pb"}},
		{"pa", []string{"pa", "pa\xff", "pa\xff\xff"}},
		{"pa\xff", []string{"pa\xff", "pa\xff\xff"}},
		{"\xff", []string{"\xff", "\xff\x00", "\xff\xff", "\xff\xff\x01"}},
		{"\xff\xff", []string{"\xff\xff", "\xff\xff\x01"}},
		{"r", nil},
	}
	for _, tc := range tests {
		start, end := []byte(tc.prefix), kv.PrefixEnd([]byte(tc.prefix))
		if got := keysOf(collect(t, db, start, end, false)); !slices.Equal(got, tc.want) {
			t.Errorf("prefix %x forward = %q, want %q", tc.prefix, got, tc.want)
		}
		rev := slices.Clone(tc.want)
		slices.Reverse(rev)
		if got := keysOf(collect(t, db, start, end, true)); !slices.Equal(got, rev) {
			t.Errorf("prefix %x reverse = %q, want %q", tc.prefix, got, rev)
		}
	}
}

func testIterPosition(t *testing.T, db kv.DB) {
	set(t, db, "a", "1")
	for _, reverse := range []bool{false, true} {
		var it kv.Iterator
		var err error
		if reverse {
			it, err = db.ReverseIterator(nil, nil)
		} else {
			it, err = db.Iterator(nil, nil)
		}
		must(t, err)
		if it.Key() != nil || it.Value() != nil {
			t.Fatalf("reverse=%v: Key/Value before the first Next = %q/%q, want nil", reverse, it.Key(), it.Value())
		}
		if !it.Next() || string(it.Key()) != "a" || string(it.Value()) != "1" {
			t.Fatalf("reverse=%v: first item = %q/%q", reverse, it.Key(), it.Value())
		}
		if it.Next() {
			t.Fatalf("reverse=%v: second Next = true", reverse)
		}
		if it.Key() != nil || it.Value() != nil {
			t.Fatalf("reverse=%v: Key/Value after the end = %q/%q, want nil", reverse, it.Key(), it.Value())
		}
		if it.Next() {
			t.Fatalf("reverse=%v: Next after the end = true", reverse)
		}
		must(t, it.Err())
		must(t, it.Close())
		must(t, it.Close()) // repeated Close is fine
		if it.Next() {
			t.Fatalf("reverse=%v: Next after Close = true", reverse)
		}
		if !errors.Is(it.Err(), kv.ErrClosed) {
			t.Fatalf("reverse=%v: Err after Next on a closed iterator = %v, want ErrClosed", reverse, it.Err())
		}
	}
}

// Iterators are point-in-time views on every backend; callers may write
// while iterating (e.g. delete what they walk) without affecting the walk.
func testIterIsolation(t *testing.T, db kv.DB) {
	for _, k := range []string{"a", "b", "c", "d"} {
		set(t, db, k, "old")
	}
	want := []string{"a", "b", "c", "d"}
	for _, reverse := range []bool{false, true} {
		var it kv.Iterator
		var err error
		if reverse {
			it, err = db.ReverseIterator(nil, nil)
		} else {
			it, err = db.Iterator(nil, nil)
		}
		must(t, err)
		var got []string
		for i := 0; it.Next(); i++ {
			if string(it.Value()) != "old" {
				t.Fatalf("reverse=%v: %q = %q, want old", reverse, it.Key(), it.Value())
			}
			got = append(got, string(it.Key()))
			if i == 0 { // write in the middle of the walk
				b := db.NewBatch()
				for _, k := range []string{"a", "b", "c", "d"} {
					must(t, b.Set([]byte(k), []byte("new")))
				}
				must(t, b.Delete([]byte("c")))
				must(t, b.Set([]byte("bb"), []byte("new")))
				must(t, b.Set([]byte("0"), []byte("new")))
				must(t, b.Set([]byte("z"), []byte("new")))
				commit(t, b)
			}
		}
		must(t, it.Err())
		must(t, it.Close())
		w := slices.Clone(want)
		if reverse {
			slices.Reverse(w)
		}
		if !slices.Equal(got, w) {
			t.Fatalf("reverse=%v: walk = %q, want %q", reverse, got, w)
		}
		// Restore for the next direction.
		b := db.NewBatch()
		for _, k := range []string{"0", "bb", "z"} {
			must(t, b.Delete([]byte(k)))
		}
		for _, k := range want {
			must(t, b.Set([]byte(k), []byte("old")))
		}
		commit(t, b)
	}
}

func testIterBoundsCopied(t *testing.T, db kv.DB) {
	for _, k := range []string{"a", "b", "c", "d"} {
		set(t, db, k, "v")
	}
	start, end := []byte("b"), []byte("d")
	it, err := db.Iterator(start, end)
	must(t, err)
	defer it.Close()
	rit, err := db.ReverseIterator(start, end)
	must(t, err)
	defer rit.Close()
	copy(start, "a")
	copy(end, "z")
	var got, rgot []string
	for it.Next() {
		got = append(got, string(it.Key()))
	}
	for rit.Next() {
		rgot = append(rgot, string(rit.Key()))
	}
	if !slices.Equal(got, []string{"b", "c"}) || !slices.Equal(rgot, []string{"c", "b"}) {
		t.Fatalf("after reusing the bound buffers: forward %q, reverse %q", got, rgot)
	}
}

func testBatchInvisible(t *testing.T, db kv.DB) {
	set(t, db, "a", "committed")
	b := db.NewBatch()
	defer b.Close()
	must(t, b.Set([]byte("a"), []byte("pending")))
	must(t, b.Set([]byte("b"), []byte("pending")))
	must(t, b.Delete([]byte("a")))
	wantValue(t, db, "a", "committed")
	wantMissing(t, db, "b")
	if got := keysOf(collect(t, db, nil, nil, false)); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("iteration sees pending writes: %q", got)
	}
	commit(t, b)
	wantMissing(t, db, "a")
	wantValue(t, db, "b", "pending")
}

func testBatchClose(t *testing.T, db kv.DB) {
	b := db.NewBatch()
	must(t, b.Set([]byte("a"), []byte("1")))
	must(t, b.Close())
	must(t, b.Close())
	wantMissing(t, db, "a")
	if err := b.Commit(); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Commit after Close: err = %v, want ErrClosed", err)
	}
	wantMissing(t, db, "a")
	if err := b.Set([]byte("a"), []byte("1")); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Set after Close: err = %v, want ErrClosed", err)
	}
}

func testBatchOrder(t *testing.T, db kv.DB) {
	set(t, db, "pre", "x")
	b := db.NewBatch()
	ops := []struct {
		del  bool
		k, v string
	}{
		{false, "k", "1"},
		{true, "k", ""},
		{false, "k", "2"},
		{false, "gone", "1"},
		{true, "gone", ""},
		{true, "pre", ""},
		{false, "pre", "y"},
		{false, "last", "1"},
		{false, "last", "2"},
	}
	for _, op := range ops {
		if op.del {
			must(t, b.Delete([]byte(op.k)))
		} else {
			must(t, b.Set([]byte(op.k), []byte(op.v)))
		}
	}
	if b.Len() != len(ops) {
		t.Fatalf("Len = %d, want %d", b.Len(), len(ops))
	}
	if b.Size() < 20 {
		t.Fatalf("Size = %d, want at least the bytes written", b.Size())
	}
	commit(t, b)
	if b.Len() != len(ops) {
		t.Fatalf("Len after Commit = %d, want %d", b.Len(), len(ops))
	}
	must(t, b.Close())
	wantValue(t, db, "k", "2")
	wantMissing(t, db, "gone")
	wantValue(t, db, "pre", "y")
	wantValue(t, db, "last", "2")
}

func testBatchBufferReuse(t *testing.T, db kv.DB) {
	b := db.NewBatch()
	k := make([]byte, 0, 16)
	v := make([]byte, 0, 16)
	for i := range 10 {
		k = fmt.Appendf(k[:0], "key-%d", i)
		v = fmt.Appendf(v[:0], "val-%d", i)
		must(t, b.Set(k, v))
	}
	k = append(k[:0], "key-3"...)
	must(t, b.Delete(k))
	copy(k, "XXXXX")
	commit(t, b)
	for i := range 10 {
		k := fmt.Sprintf("key-%d", i)
		if i == 3 {
			wantMissing(t, db, k)
			continue
		}
		wantValue(t, db, k, fmt.Sprintf("val-%d", i))
	}
}

func testBatchSingleUse(t *testing.T, db kv.DB) {
	b := db.NewBatch()
	must(t, b.Set([]byte("a"), []byte("1")))
	commit(t, b)
	for name, err := range map[string]error{
		"Commit": b.Commit(),
		"Set":    b.Set([]byte("b"), []byte("2")),
		"Delete": b.Delete([]byte("a")),
	} {
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("%s after Commit: err = %v, want ErrClosed", name, err)
		}
	}
	must(t, b.Close())
	wantValue(t, db, "a", "1")
	wantMissing(t, db, "b")
}

func testBatchEmpty(t *testing.T, db kv.DB) {
	b := db.NewBatch()
	if b.Len() != 0 {
		t.Fatalf("new batch Len = %d", b.Len())
	}
	commit(t, b)
	must(t, b.Close())
}

func testSnapshot(t *testing.T, db kv.DB) {
	set(t, db, "a", "1")
	set(t, db, "b", "1")
	set(t, db, "c", "1")
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()

	b := db.NewBatch()
	must(t, b.Set([]byte("a"), []byte("2")))
	must(t, b.Delete([]byte("b")))
	must(t, b.Set([]byte("d"), []byte("2")))
	commit(t, b)

	wantValue(t, snap, "a", "1")
	wantValue(t, snap, "b", "1")
	wantMissing(t, snap, "d")
	if got := collect(t, snap, nil, nil, false); len(got) != 3 || got[0].k != "a" || string(got[0].v) != "1" {
		t.Fatalf("snapshot iteration = %v", got)
	}
	if got := keysOf(collect(t, snap, []byte("b"), nil, true)); !slices.Equal(got, []string{"c", "b"}) {
		t.Fatalf("snapshot reverse iteration = %q", got)
	}
	// The DB itself moved on.
	wantValue(t, db, "a", "2")
	wantMissing(t, db, "b")
	wantValue(t, db, "d", "2")

	// A second snapshot sees the new state; the first still the old.
	snap2, err := db.Snapshot()
	must(t, err)
	defer snap2.Close()
	wantMissing(t, snap2, "b")
	wantValue(t, snap, "b", "1")
}

func testSnapshotClose(t *testing.T, db kv.DB) {
	set(t, db, "a", "1")
	set(t, db, "b", "1")
	snap, err := db.Snapshot()
	must(t, err)
	it, err := snap.Iterator(nil, nil)
	must(t, err)
	if !it.Next() {
		t.Fatal("snapshot iterator is empty")
	}
	must(t, snap.Close()) // with an iterator still open
	must(t, snap.Close())
	if it.Next() {
		t.Fatal("Next on an iterator of a closed snapshot = true")
	}
	if !errors.Is(it.Err(), kv.ErrClosed) {
		t.Fatalf("iterator Err after snapshot Close = %v, want ErrClosed", it.Err())
	}
	if it.Key() != nil {
		t.Fatalf("iterator Key after snapshot Close = %q", it.Key())
	}
	must(t, it.Close())
	if _, err := snap.Get([]byte("a")); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Get on closed snapshot: err = %v, want ErrClosed", err)
	}
	if _, err := snap.Has([]byte("a")); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Has on closed snapshot: err = %v, want ErrClosed", err)
	}
	if _, err := snap.Iterator(nil, nil); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("Iterator on closed snapshot: err = %v, want ErrClosed", err)
	}
	if _, err := snap.ReverseIterator(nil, nil); !errors.Is(err, kv.ErrClosed) {
		t.Fatalf("ReverseIterator on closed snapshot: err = %v, want ErrClosed", err)
	}
	// The DB is unaffected.
	wantValue(t, db, "a", "1")
}

func testLargeValues(t *testing.T, db kv.DB) {
	const size = 1 << 20
	vals := make([][]byte, 4)
	b := db.NewBatch()
	for i := range vals {
		vals[i] = bytes.Repeat([]byte{byte(i + 1)}, size)
		vals[i][0], vals[i][size-1] = 0, 0xff
		must(t, b.Set(key(i), vals[i]))
	}
	commit(t, b)
	for i, want := range vals {
		got, err := db.Get(key(i))
		must(t, err)
		if !bytes.Equal(got, want) {
			t.Fatalf("value %d: got %d bytes, differs", i, len(got))
		}
	}
	items := collect(t, db, nil, nil, true)
	if len(items) != len(vals) {
		t.Fatalf("iteration found %d items", len(items))
	}
	for j, it := range items {
		if !bytes.Equal(it.v, vals[len(vals)-1-j]) {
			t.Fatalf("iterated value %d differs", j)
		}
	}
	// Overwrite one with a small value and delete another.
	b = db.NewBatch()
	must(t, b.Set(key(0), []byte("small")))
	must(t, b.Delete(key(1)))
	commit(t, b)
	wantValue(t, db, string(key(0)), "small")
	wantMissing(t, db, string(key(1)))
}

func testManyKeys(t *testing.T, db kv.DB) {
	const n = 10_000
	b := db.NewBatch()
	val := make([]byte, 64)
	for i := range n {
		binary.BigEndian.PutUint64(val, uint64(i))
		must(t, b.Set(key(i), val))
	}
	if b.Len() != n {
		t.Fatalf("Len = %d", b.Len())
	}
	commit(t, b)

	for _, reverse := range []bool{false, true} {
		items := collect(t, db, nil, nil, reverse)
		if len(items) != n {
			t.Fatalf("reverse=%v: %d items, want %d", reverse, len(items), n)
		}
		for j, it := range items {
			i := j
			if reverse {
				i = n - 1 - j
			}
			if it.k != string(key(i)) || binary.BigEndian.Uint64(it.v) != uint64(i) {
				t.Fatalf("reverse=%v: item %d = %x", reverse, j, it.k)
			}
		}
	}
	items := collect(t, db, key(1234), key(1334), true)
	if len(items) != 100 || items[0].k != string(key(1333)) || items[99].k != string(key(1234)) {
		t.Fatalf("sub-range: %d items", len(items))
	}
	for _, i := range []int{0, 1, 4999, n - 1} {
		v, err := db.Get(key(i))
		must(t, err)
		if binary.BigEndian.Uint64(v) != uint64(i) {
			t.Fatalf("Get(%d) = %x", i, v)
		}
	}
}

func testBinaryKeys(t *testing.T, db kv.DB) {
	keys := [][]byte{
		{0x00}, {0x00, 0x00}, {0x00, 0xff}, {0x00, 0x00, 0x00},
		{0x01}, {0x7f}, {0x80}, {0xfe, 0xff},
		{0xff}, {0xff, 0x00}, {0xff, 0xff}, {0xff, 0xff, 0xff},
		[]byte("!badger!"), []byte("!badger!head"), // reserved inside badger
	}
	b := db.NewBatch()
	for i, k := range keys {
		must(t, b.Set(k, []byte{byte(i), 0x00, 0xff}))
	}
	commit(t, b)
	sorted := slices.Clone(keys)
	slices.SortFunc(sorted, bytes.Compare)
	want := make([]string, len(sorted))
	for i, k := range sorted {
		want[i] = string(k)
	}
	if got := keysOf(collect(t, db, nil, nil, false)); !slices.Equal(got, want) {
		t.Fatalf("forward = %x\nwant      %x", got, want)
	}
	rev := slices.Clone(want)
	slices.Reverse(rev)
	if got := keysOf(collect(t, db, nil, nil, true)); !slices.Equal(got, rev) {
		t.Fatalf("reverse = %x\nwant      %x", got, rev)
	}
	for i, k := range keys {
		v, err := db.Get(k)
		must(t, err)
		if !bytes.Equal(v, []byte{byte(i), 0x00, 0xff}) {
			t.Fatalf("Get(%x) = %x", k, v)
		}
	}
	// Bounds made of 0x00 and 0xff bytes.
	tests := []struct {
		start, end []byte
		want       []string
	}{
		{[]byte{0x00}, []byte{0x00, 0x00}, []string{"\x00"}},
		{[]byte{0x00, 0x00}, []byte{0x01}, []string{"\x00\x00", "\x00\x00\x00", "\x00\xff"}},
		{[]byte{0xff}, nil, []string{"\xff", "\xff\x00", "\xff\xff", "\xff\xff\xff"}},
		{[]byte{0xff, 0x00}, []byte{0xff, 0xff}, []string{"\xff\x00"}},
		{nil, []byte{0x00, 0x00}, []string{"\x00"}},
	}
	for _, tc := range tests {
		if got := keysOf(collect(t, db, tc.start, tc.end, false)); !slices.Equal(got, tc.want) {
			t.Errorf("[%x,%x) forward = %x, want %x", tc.start, tc.end, got, tc.want)
		}
		r := slices.Clone(tc.want)
		slices.Reverse(r)
		if got := keysOf(collect(t, db, tc.start, tc.end, true)); !slices.Equal(got, r) {
			t.Errorf("[%x,%x) reverse = %x, want %x", tc.start, tc.end, got, r)
		}
	}
}

func testAfterClose(t *testing.T, db kv.DB) {
	set(t, db, "a", "1")
	set(t, db, "b", "2")
	it, err := db.Iterator(nil, nil)
	must(t, err)
	if !it.Next() {
		t.Fatal("iterator is empty")
	}
	rit, err := db.ReverseIterator(nil, nil)
	must(t, err)
	snap, err := db.Snapshot()
	must(t, err)
	sit, err := snap.Iterator(nil, nil)
	must(t, err)
	pending := db.NewBatch()
	must(t, pending.Set([]byte("c"), []byte("3")))

	must(t, db.Close())

	isClosed := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("%s after Close: err = %v, want ErrClosed", what, err)
		}
	}
	isClosed("second Close", db.Close())
	_, err = db.Get([]byte("a"))
	isClosed("Get", err)
	_, err = db.Has([]byte("a"))
	isClosed("Has", err)
	_, err = db.Iterator(nil, nil)
	isClosed("Iterator", err)
	_, err = db.ReverseIterator(nil, nil)
	isClosed("ReverseIterator", err)
	_, err = db.Snapshot()
	isClosed("Snapshot", err)

	nb := db.NewBatch()
	isClosed("new batch Set", nb.Set([]byte("x"), []byte("y")))
	isClosed("new batch Delete", nb.Delete([]byte("x")))
	isClosed("new batch Commit", nb.Commit())
	must(t, nb.Close())

	isClosed("pending batch Set", pending.Set([]byte("d"), []byte("4")))
	isClosed("pending batch Commit", pending.Commit())
	must(t, pending.Close())

	for name, it := range map[string]kv.Iterator{"iterator": it, "reverse iterator": rit, "snapshot iterator": sit} {
		if it.Next() {
			t.Errorf("%s: Next after DB Close = true", name)
		}
		if it.Key() != nil || it.Value() != nil {
			t.Errorf("%s: Key/Value after DB Close = %q/%q", name, it.Key(), it.Value())
		}
		isClosed(name+" Err", it.Err())
		must(t, it.Close())
	}

	_, err = snap.Get([]byte("a"))
	isClosed("snapshot Get", err)
	_, err = snap.Has([]byte("a"))
	isClosed("snapshot Has", err)
	_, err = snap.Iterator(nil, nil)
	isClosed("snapshot Iterator", err)
	must(t, snap.Close())
}

func testConcurrent(t *testing.T, db kv.DB) {
	const writers, readers, rounds = 2, 4, 50
	for i := range 100 {
		set(t, db, string(key(i)), "0")
	}
	snap, err := db.Snapshot()
	must(t, err)
	defer snap.Close()

	var wg sync.WaitGroup
	errc := make(chan error, writers+readers)
	for w := range writers {
		wg.Go(func() {
			for r := range rounds {
				b := db.NewBatch()
				for i := w; i < 100; i += writers {
					if err := b.Set(key(i), fmt.Appendf(nil, "%d", r+1)); err != nil {
						errc <- err
						return
					}
				}
				if err := b.Commit(); err != nil {
					errc <- err
					return
				}
			}
		})
	}
	for range readers {
		wg.Go(func() {
			for range rounds {
				if _, err := db.Get(key(7)); err != nil {
					errc <- err
					return
				}
				if v, err := snap.Get(key(8)); err != nil || string(v) != "0" {
					errc <- fmt.Errorf("snapshot Get = %q, %v", v, err)
					return
				}
				it, err := db.Iterator(nil, nil)
				if err != nil {
					errc <- err
					return
				}
				n := 0
				for it.Next() {
					n++
				}
				if err := errors.Join(it.Err(), it.Close()); err != nil || n != 100 {
					errc <- fmt.Errorf("iteration found %d keys, err %v", n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Error(err)
	}
	for i := range 100 {
		wantValue(t, db, string(key(i)), fmt.Sprint(rounds))
	}
}

// Closing a snapshot and then the DB while other goroutines read through
// them must end those reads with ErrClosed, never a panic or a data race.
func testCloseRace(t *testing.T, db kv.DB) {
	b := db.NewBatch()
	for i := range 200 {
		must(t, b.Set(key(i), []byte("v")))
	}
	commit(t, b)
	snap, err := db.Snapshot()
	must(t, err)

	readers := []kv.Reader{db, snap, db, snap}
	var wg sync.WaitGroup
	started := make(chan struct{}, len(readers))
	errc := make(chan error, len(readers))
	for _, r := range readers {
		wg.Go(func() {
			started <- struct{}{}
			for i := 0; ; i++ {
				if _, err := r.Get(key(i % 200)); err != nil {
					errc <- err
					return
				}
				it, err := r.Iterator(nil, nil)
				if err != nil {
					errc <- err
					return
				}
				for it.Next() {
					_, _ = it.Key(), it.Value()
				}
				err = it.Err()
				if cerr := it.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					errc <- err
					return
				}
			}
		})
	}
	for range readers {
		<-started
	}
	must(t, snap.Close())
	must(t, db.Close())
	wg.Wait()
	close(errc)
	for err := range errc {
		if !errors.Is(err, kv.ErrClosed) {
			t.Errorf("reader stopped with %v, want ErrClosed", err)
		}
	}
}

func testBackendName(t *testing.T, db kv.DB) {
	if !slices.Contains(kv.Backends(), db.Backend()) {
		t.Fatalf("Backend() = %q, not in %q", db.Backend(), kv.Backends())
	}
}
