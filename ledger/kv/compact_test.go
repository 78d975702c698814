package kv_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/accordnet/accord/ledger/kv"
)

func TestCompactKeepsEveryLiveKey(t *testing.T) {
	for _, backend := range kv.Backends() {
		t.Run(backend, func(t *testing.T) {
			db, err := kv.Open(backend, t.TempDir(), kv.Options{})
			if err != nil {
				t.Fatal(err)
			}
			b := db.NewBatch()
			for i := range 2000 {
				if err := b.Set([]byte(fmt.Sprintf("k/%05d", i)), []byte(fmt.Sprint(i))); err != nil {
					t.Fatal(err)
				}
			}
			for i := 0; i < 2000; i += 2 {
				if err := b.Delete([]byte(fmt.Sprintf("k/%05d", i))); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Commit(); err != nil {
				t.Fatal(err)
			}
			if err := kv.Compact(db); err != nil {
				t.Fatal(err)
			}
			for i := range 2000 {
				v, err := db.Get([]byte(fmt.Sprintf("k/%05d", i)))
				if i%2 == 0 {
					if !errors.Is(err, kv.ErrNotFound) {
						t.Fatalf("deleted key %d: %q %v", i, v, err)
					}
				} else if err != nil || string(v) != fmt.Sprint(i) {
					t.Fatalf("key %d: %q %v", i, v, err)
				}
			}
			db.Close()
			if err := kv.Compact(db); backend != kv.BackendMemory && !errors.Is(err, kv.ErrClosed) {
				t.Fatalf("compact after close: %v", err)
			}
		})
	}
}
