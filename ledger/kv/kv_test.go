package kv_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/kv/kvtest"
)

func TestConformance(t *testing.T) {
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		t.Run(backend, func(t *testing.T) {
			kvtest.Run(t, func(t *testing.T) kv.DB {
				db, err := kv.Open(backend, t.TempDir(), kv.Options{})
				if err != nil {
					t.Fatal(err)
				}
				return db
			})
		})
		t.Run(backend+"/persistent", func(t *testing.T) {
			kvtest.RunPersistent(t, func(dir string) (kv.DB, error) {
				return kv.Open(backend, dir, kv.Options{})
			})
		})
	}
	t.Run(kv.BackendMemory, func(t *testing.T) {
		kvtest.Run(t, func(*testing.T) kv.DB { return kv.NewMemory() })
	})
}

func TestOpen(t *testing.T) {
	tests := []struct {
		name    string
		backend string
		want    string
	}{
		{"empty name is pebble", "", kv.BackendPebble},
		{"pebble", "pebble", kv.BackendPebble},
		{"badger", "badger", kv.BackendBadger},
		{"memory", "memory", kv.BackendMemory},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, err := kv.Open(tc.backend, t.TempDir(), kv.Options{NoSync: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if db.Backend() != tc.want {
				t.Fatalf("Backend() = %q, want %q", db.Backend(), tc.want)
			}
		})
	}
	t.Run("unknown backend is refused", func(t *testing.T) {
		_, err := kv.Open("leveldb", t.TempDir(), kv.Options{})
		if !errors.Is(err, kv.ErrUnknownBackend) {
			t.Fatalf("err = %v, want ErrUnknownBackend", err)
		}
	})
	t.Run("empty directory is refused", func(t *testing.T) {
		for _, b := range []string{kv.BackendPebble, kv.BackendBadger} {
			if db, err := kv.Open(b, "", kv.Options{}); err == nil {
				db.Close()
				t.Errorf("%s: opened with an empty directory", b)
			}
		}
	})
	t.Run("memory cannot be read-only", func(t *testing.T) {
		if _, err := kv.Open(kv.BackendMemory, "", kv.Options{ReadOnly: true}); err == nil {
			t.Fatal("opened a read-only memory store")
		}
	})
}

func TestReadOnly(t *testing.T) {
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		t.Run(backend, func(t *testing.T) {
			dir := t.TempDir()
			db, err := kv.Open(backend, dir, kv.Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := db.NewBatch()
			if err := errors.Join(b.Set([]byte("a"), []byte("1")), b.Commit(), db.Close()); err != nil {
				t.Fatal(err)
			}

			db, err = kv.Open(backend, dir, kv.Options{ReadOnly: true})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if v, err := db.Get([]byte("a")); err != nil || string(v) != "1" {
				t.Fatalf("Get = %q, %v", v, err)
			}
			b = db.NewBatch()
			defer b.Close()
			if err := b.Set([]byte("b"), []byte("2")); !errors.Is(err, kv.ErrReadOnly) {
				t.Fatalf("Set: err = %v, want ErrReadOnly", err)
			}
			if err := b.Delete([]byte("a")); !errors.Is(err, kv.ErrReadOnly) {
				t.Fatalf("Delete: err = %v, want ErrReadOnly", err)
			}
			if err := b.Commit(); !errors.Is(err, kv.ErrReadOnly) {
				t.Fatalf("Commit: err = %v, want ErrReadOnly", err)
			}
		})
	}
}

func TestReadOnlyMissingDirFails(t *testing.T) {
	for _, backend := range []string{kv.BackendPebble, kv.BackendBadger} {
		if db, err := kv.Open(backend, t.TempDir()+"/missing", kv.Options{ReadOnly: true}); err == nil {
			db.Close()
			t.Errorf("%s: opened a missing store read-only", backend)
		}
	}
}

func TestBadgerBatchTooLarge(t *testing.T) {
	db, err := kv.OpenBadger(t.TempDir(), kv.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := db.NewBatch()
	defer b.Close()
	val := make([]byte, 1024) // inline in the LSM tree, so it counts fully
	for i := range 16 << 10 { // 16 MiB, above the ~9.6 MiB limit
		if err := b.Set([]byte{byte(i >> 8), byte(i)}, val); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); !errors.Is(err, kv.ErrBatchTooLarge) {
		t.Fatalf("Commit: err = %v, want ErrBatchTooLarge", err)
	}
	it, err := db.Iterator(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if it.Next() {
		t.Fatalf("a refused batch wrote %x", it.Key())
	}
}

func TestPrefixEnd(t *testing.T) {
	tests := []struct {
		name   string
		prefix []byte
		want   []byte
	}{
		{"nil", nil, nil},
		{"empty", []byte{}, nil},
		{"simple", []byte("abc"), []byte("abd")},
		{"trailing 0xff is dropped", []byte{'a', 0xff, 0xff}, []byte{'b'}},
		{"0xff in the middle stays", []byte{0xff, 'a'}, []byte{0xff, 'b'}},
		{"0x00", []byte{0x00}, []byte{0x01}},
		{"0xfe", []byte{0xfe}, []byte{0xff}},
		{"all 0xff is unbounded", []byte{0xff, 0xff}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := bytes.Clone(tc.prefix)
			got := kv.PrefixEnd(in)
			if !bytes.Equal(got, tc.want) || (got == nil) != (tc.want == nil) {
				t.Fatalf("PrefixEnd(%x) = %x, want %x", tc.prefix, got, tc.want)
			}
			if !bytes.Equal(in, tc.prefix) {
				t.Fatalf("PrefixEnd modified its argument: %x", in)
			}
		})
	}
}
