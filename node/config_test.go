package node

import (
	"os"
	"strings"
	"testing"

	"github.com/accordnet/accord/ledger/kv"
)

func TestConfigMemTable(t *testing.T) {
	if got := DefaultConfig().DBMemTableMB; got != kv.DefaultMemTableBytes>>20 {
		t.Fatalf("default db_memtable_mb = %d, want %d", got, kv.DefaultMemTableBytes>>20)
	}
	for _, tc := range []struct {
		name string
		mb   int
		ok   bool
	}{
		{"default", kv.DefaultMemTableBytes >> 20, true},
		{"small for a node that must stay small", kv.SmallMemTableBytes >> 20, true},
		{"zero is refused", 0, false},
		{"negative is refused", -1, false},
		{"above pebble's bound is refused", kv.MaxMemTableBytes>>20 + 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			c.DBMemTableMB = tc.mb
			err := c.Validate()
			if (err == nil) != tc.ok {
				t.Fatalf("Validate(db_memtable_mb=%d) = %v, want ok=%v", tc.mb, err, tc.ok)
			}
			if err != nil && !strings.Contains(err.Error(), "db_memtable_mb") {
				t.Fatalf("error %q does not name the key", err)
			}
		})
	}
}

// A config.json written before the key existed gets the default.
func TestLoadConfigWithoutMemTableKey(t *testing.T) {
	h := Home(t.TempDir())
	if err := os.MkdirAll(strings.TrimSuffix(h.ConfigFile(), "/config.json"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(h.ConfigFile(), []byte(`{"rpc_addr": "127.0.0.1:1", "db": "pebble"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := LoadConfig(h)
	if err != nil {
		t.Fatal(err)
	}
	if c.DBMemTableMB != kv.DefaultMemTableBytes>>20 {
		t.Fatalf("db_memtable_mb = %d, want the default %d", c.DBMemTableMB, kv.DefaultMemTableBytes>>20)
	}
}

func TestConfigStorageKeys(t *testing.T) {
	cases := []struct {
		name string
		set  func(*Config)
		ok   bool
	}{
		{"defaults", func(*Config) {}, true},
		{"pruning and snapshots on", func(c *Config) { c.PruneKeepBlocks, c.SnapshotInterval, c.SnapshotKeep = 1000, 500, 3 }, true},
		{"a large block cache and state cache", func(c *Config) { c.DBCacheMB, c.StateCacheEntries = 512, 1<<22 }, true},
		{"negative snapshot_keep is refused", func(c *Config) { c.SnapshotKeep = -1 }, false},
		{"negative state_cache_entries is refused", func(c *Config) { c.StateCacheEntries = -1 }, false},
		{"negative db_cache_mb is refused", func(c *Config) { c.DBCacheMB = -1 }, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := DefaultConfig()
			tc.set(&c)
			if err := c.Validate(); (err == nil) != tc.ok {
				t.Fatalf("Validate: %v, want ok=%v", err, tc.ok)
			}
		})
	}
}
