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

// Badger refuses writes (ErrBlockedWrites) while the flush Reclaim and
// Compact need runs; the store must hold commits instead, and the keys
// must all be there after it.
func TestReclaimBesideCommits(t *testing.T) {
	for _, backend := range kv.Backends() {
		t.Run(backend, func(t *testing.T) {
			db, err := kv.Open(backend, t.TempDir(), kv.Options{NoSync: true, ValueLogFileBytes: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			big := make([]byte, 80<<10) // above badger's value threshold: in its value log
			const n = 100
			done := make(chan error, 1)
			go func() {
				for i := range n {
					b := db.NewBatch()
					err := b.Set([]byte(fmt.Sprintf("k/%05d", i)), big)
					if err == nil && i >= 10 {
						err = b.Delete([]byte(fmt.Sprintf("k/%05d", i-10)))
					}
					if err == nil {
						err = b.Commit()
					}
					b.Close()
					if err != nil {
						done <- fmt.Errorf("commit %d: %w", i, err)
						return
					}
				}
				done <- nil
			}()
			for running := true; running; {
				select {
				case err := <-done:
					if err != nil {
						t.Fatal(err)
					}
					running = false
				default:
					// 1 MiB: a value-log file's worth each time, so each call reclaims.
					if err := kv.Reclaim(db, 1<<20); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := kv.Compact(db); err != nil {
				t.Fatal(err)
			}
			for i := range n {
				_, err := db.Get([]byte(fmt.Sprintf("k/%05d", i)))
				if i < n-10 && !errors.Is(err, kv.ErrNotFound) || i >= n-10 && err != nil {
					t.Fatalf("key %d: %v", i, err)
				}
			}
			it, err := db.Iterator(nil, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			var keys int
			for it.Next() {
				keys++
			}
			if keys != 10 {
				t.Fatalf("iteration found %d keys, want 10 (Reclaim's own key must not show)", keys)
			}
		})
	}
}
