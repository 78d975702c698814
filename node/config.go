package node

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// Config is the node's config.json.
type Config struct {
	Moniker string `json:"moniker"`
	// RPCAddr is the HTTP listener for JSON-RPC, health and metrics. Port 0
	// lets the OS pick a free port when the node starts; the address taken
	// is written to the home's listen file (Home.ListenFile).
	RPCAddr string `json:"rpc_addr"`
	// DB is the ledger backend: "pebble" (default) or "badger".
	DB string `json:"db"`
	// DBMemTableMB sizes pebble's memtable in MiB (1–1024). The default,
	// 64, suits a validator under sustained load: its multi-MiB blocks then
	// do not each force a flush and compaction. It costs an idle node no
	// disk (the WAL's preallocation is capped at 4 MiB) and memory only as
	// the memtable fills; 4 bounds the memory of a node that must stay
	// small. Homes made before the default changed keep the 4 written in
	// their config.json. The badger backend ignores it.
	DBMemTableMB int `json:"db_memtable_mb"`
	// DBCacheMB sizes the database's block cache in MiB (0:
	// DefaultDBCacheMB). With a state larger than the caches, every
	// transfer reads its accounts from sstables, and a cache smaller than
	// the state's index and filter blocks re-reads those too (ledger's
	// BenchmarkScaleTransfers). The cache fills only as blocks are read,
	// so a small state costs little of it. Memory is bounded by this, the
	// memtable and state_cache_entries, not by the state.
	DBCacheMB int `json:"db_cache_mb,omitempty"`
	// MaxBlockIntervalMs bounds the time between blocks: an empty block is
	// produced when nothing else happened for this long.
	MaxBlockIntervalMs int `json:"max_block_interval_ms"`
	// MaxBlockTxs and MaxBlockBytes bound one block.
	MaxBlockTxs   int `json:"max_block_txs"`
	MaxBlockBytes int `json:"max_block_bytes"`
	// Mempool limits.
	MempoolMaxTxs       int `json:"mempool_max_txs"`
	MempoolMaxPerSender int `json:"mempool_max_per_sender"`
	// MempoolMaxGapAgeS is how long (seconds) a transaction stuck behind a
	// missing lower nonce of its sender may wait for it before it is
	// evicted; 0 means the mempool's default (10 minutes).
	MempoolMaxGapAgeS int `json:"mempool_max_gap_age_s,omitempty"`
	// P2PListen is the libp2p listen multiaddr, e.g. /ip4/127.0.0.1/tcp/26656
	// (port 0: the OS picks one, recorded in the listen file as for RPCAddr),
	// or several separated by commas to listen on each, e.g.
	// "/ip4/0.0.0.0/tcp/26656,/ip4/0.0.0.0/udp/26656/quic-v1". Addresses are
	// TCP (…/tcp/PORT) or QUIC v1 (…/udp/PORT/quic-v1); TCP is the default
	// and QUIC is opt-in: a node dials it only to peers whose address (in
	// p2p_peers, or advertised by the peer) names it. Empty means no
	// networking: only a single-validator chain can run.
	P2PListen string `json:"p2p_listen"`
	// P2PPeers are multiaddrs (with /p2p/ID) of peers to connect to and keep connected.
	P2PPeers []string `json:"p2p_peers"`
	// P2PAllow adds addresses (full nodes) to the allow-list. The validators
	// of the next two heights are always allowed (the list follows
	// governance changes to the set); other peers are refused.
	P2PAllow []string `json:"p2p_allow"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"log_level"`
	// PprofAddr serves Go's runtime profiles under /debug/pprof/ (CPU,
	// heap, goroutines, mutex and block contention) on a listener of its
	// own, which must be loopback (e.g. 127.0.0.1:6060). Off by default:
	// profiles expose internals and cost CPU while taken.
	PprofAddr string `json:"pprof_addr,omitempty"`
	// Pprof true is PprofAddr 127.0.0.1:6060 (older configs).
	Pprof bool `json:"pprof,omitempty"`
	// AdminAddr is the admin API's listener (webhook endpoints and their
	// delivery log; see api/admin): loopback only, every call carrying
	// the token in <home>/data/admin.token. Empty means 127.0.0.1 on a
	// port the OS picks (the listen file records it); "off" serves none.
	AdminAddr string `json:"admin_addr,omitempty"`
	// WebhookRetryMs replaces the webhook backoff (default 10 s, 1 min,
	// 5 min, 30 min, 1 h, ... 12 h; the last delay repeats) and
	// WebhookMaxAgeS the retry window (default 3 days).
	WebhookRetryMs []int `json:"webhook_retry_ms,omitempty"`
	WebhookMaxAgeS int   `json:"webhook_max_age_s,omitempty"`

	// RPC server limits (0 means the default; see node/rpcserve.go and
	// api.Limits). RPCHosts are the host names clients may use in the Host
	// header besides IP literals (default: localhost), "*" for any.
	RPCMaxConns         int      `json:"rpc_max_conns,omitempty"`
	RPCMaxConnsPerIP    int      `json:"rpc_max_conns_per_ip,omitempty"`
	RPCReadTimeoutMs    int      `json:"rpc_read_timeout_ms,omitempty"`
	RPCMaxConcurrent    int      `json:"rpc_max_concurrent,omitempty"`
	RPCMaxBatchItems    int      `json:"rpc_max_batch_items,omitempty"`
	RPCMaxResponseBytes int      `json:"rpc_max_response_bytes,omitempty"`
	RPCRatePerIP        float64  `json:"rpc_rate_per_ip,omitempty"` // requests/s per client address; negative: no limit
	RPCHosts            []string `json:"rpc_hosts,omitempty"`
	// WebSocket (/ws) and subscription limits (0: the default; see
	// api.Limits and api.HubLimits). RPCWSOrigins are the browser origins
	// besides the node's own host that may open /ws ("*" for any).
	RPCMaxWSConns      int      `json:"rpc_max_ws_conns,omitempty"`
	RPCMaxWSConnsPerIP int      `json:"rpc_max_ws_conns_per_ip,omitempty"`
	RPCMaxSubsPerConn  int      `json:"rpc_max_subs_per_conn,omitempty"`
	RPCMaxSubs         int      `json:"rpc_max_subs,omitempty"`
	RPCSubBuffer       int      `json:"rpc_sub_buffer_blocks,omitempty"`
	RPCMaxReplay       uint64   `json:"rpc_max_replay_blocks,omitempty"`
	RPCWSOrigins       []string `json:"rpc_ws_origins,omitempty"`
	// ValidatorPasswordFile holds the password of an encrypted validator
	// key; a relative path is relative to the home. Empty means
	// $ACCORD_VALIDATOR_PASSWORD (or --validator-password-file).
	ValidatorPasswordFile string `json:"validator_password_file,omitempty"`
	// MinFreeDiskBytes is the free space under the home below which the
	// node refuses transactions and stops voting (and refuses to start);
	// 0 means 512 MiB, negative turns the guard off. See diskguard.go.
	MinFreeDiskBytes int64 `json:"min_free_disk_bytes,omitempty"`

	// PruneKeepBlocks, if positive, makes the node delete block bodies,
	// receipts and transaction index entries older than the last this many
	// blocks (headers, commit certificates and state stay; modules that
	// still need older blocks hold pruning back). 0 keeps everything. See
	// node/prune.go and ledger/prune.go.
	PruneKeepBlocks uint64 `json:"prune_keep_blocks,omitempty"`
	// SnapshotInterval, if positive, makes the node write a state snapshot
	// after every block whose height is a multiple of it, which peers can
	// join from (see node/snapshot.go). 0: no snapshots.
	SnapshotInterval uint64 `json:"snapshot_interval,omitempty"`
	// SnapshotKeep is how many snapshots stay on disk (0 means 2).
	SnapshotKeep int `json:"snapshot_keep,omitempty"`
	// StateCacheEntries bounds the committed-state cache (entries; 0 means
	// the ledger's default, about 260k, ~40 MiB for accounts).
	StateCacheEntries int `json:"state_cache_entries,omitempty"`

	// GCPercent and MemoryLimitMB tune Go's garbage collector for a node
	// running as its own process (accord start), as GOGC and GOMEMLIMIT
	// do; those environment variables, when set, win. GCPercent 0 means
	// Go's default (100); -1 turns proportional collection off, which
	// needs a memory limit. MemoryLimitMB 0 means none. See runtime.go.
	GCPercent     int `json:"gc_percent,omitempty"`
	MemoryLimitMB int `json:"memory_limit_mb,omitempty"`
}

// MinFreeDisk is MinFreeDiskBytes with the default applied (0: guard off).
func (c Config) MinFreeDisk() int64 {
	switch {
	case c.MinFreeDiskBytes == 0:
		return DefaultMinFreeDiskBytes
	case c.MinFreeDiskBytes < 0:
		return 0
	}
	return c.MinFreeDiskBytes
}

// PasswordFile is ValidatorPasswordFile resolved against h ("" if unset).
func (c Config) PasswordFile(h Home) string {
	if c.ValidatorPasswordFile == "" || filepath.IsAbs(c.ValidatorPasswordFile) {
		return c.ValidatorPasswordFile
	}
	return filepath.Join(string(h), c.ValidatorPasswordFile)
}

// DefaultConfig returns the settings a new home gets.
func DefaultConfig() Config {
	return Config{
		Moniker:             "accord-node",
		RPCAddr:             "127.0.0.1:26657",
		DB:                  "pebble",
		DBMemTableMB:        kv.DefaultMemTableBytes >> 20,
		MaxBlockIntervalMs:  1000,
		MaxBlockTxs:         10_000,
		MaxBlockBytes:       8 << 20,
		MempoolMaxTxs:       100_000,
		MempoolMaxPerSender: 1024,
		LogLevel:            "info",
	}
}

// MaxBlockInterval as a duration.
func (c Config) MaxBlockInterval() time.Duration {
	return time.Duration(c.MaxBlockIntervalMs) * time.Millisecond
}

// Validate checks the settings.
func (c Config) Validate() error {
	switch c.DB {
	case "pebble", "badger":
	default:
		return fmt.Errorf("config: db must be pebble or badger, not %q", c.DB)
	}
	if c.DBMemTableMB < 1 || int64(c.DBMemTableMB) > kv.MaxMemTableBytes>>20 {
		return fmt.Errorf("config: db_memtable_mb must be between 1 and %d, not %d", kv.MaxMemTableBytes>>20, c.DBMemTableMB)
	}
	if c.MaxBlockIntervalMs <= 0 || c.MaxBlockTxs <= 0 || c.MaxBlockBytes <= 0 {
		return errors.New("config: block interval and limits must be positive")
	}
	if c.MempoolMaxGapAgeS < 0 {
		return errors.New("config: mempool_max_gap_age_s must not be negative")
	}
	if c.GCPercent < -1 || c.MemoryLimitMB < 0 {
		return fmt.Errorf("config: gc_percent must be -1 (off), 0 (default) or positive and memory_limit_mb not negative, not %d and %d", c.GCPercent, c.MemoryLimitMB)
	}
	if c.GCPercent == -1 && c.MemoryLimitMB == 0 {
		return errors.New("config: gc_percent -1 (proportional GC off) needs memory_limit_mb, or the heap grows without bound")
	}
	if c.SnapshotKeep < 0 || c.StateCacheEntries < 0 || c.DBCacheMB < 0 {
		return errors.New("config: snapshot_keep, state_cache_entries and db_cache_mb must not be negative")
	}
	if c.RPCAddr == "" {
		return errors.New("config: rpc_addr is empty")
	}
	if c.AdminAddr != "" && c.AdminAddr != AdminOff {
		if err := checkLoopback("admin_addr", c.AdminAddr, "the admin API"); err != nil {
			return err
		}
	}
	for _, d := range c.WebhookRetryMs {
		if d <= 0 {
			return fmt.Errorf("config: webhook_retry_ms must be positive, not %d", d)
		}
	}
	if c.WebhookMaxAgeS < 0 {
		return errors.New("config: webhook_max_age_s must not be negative")
	}
	if a := c.pprofAddr(); a != "" {
		if err := checkPprofAddr(a); err != nil {
			return err
		}
	}
	return nil
}

// Home names the files of a node home directory.
type Home string

// ConfigFile is config.json.
func (h Home) ConfigFile() string { return filepath.Join(string(h), "config", "config.json") }

// GenesisFile is genesis.json.
func (h Home) GenesisFile() string { return filepath.Join(string(h), "config", "genesis.json") }

// ValidatorKeyFile is the validator key.
func (h Home) ValidatorKeyFile() string {
	return filepath.Join(string(h), "config", "validator.key")
}

// KeysDir holds account keystores.
func (h Home) KeysDir() string { return filepath.Join(string(h), "keys") }

// LedgerDir is the chain database.
func (h Home) LedgerDir() string { return filepath.Join(string(h), "data", "ledger") }

// ListenFile records where the running node listens (see Listening): a
// port 0 in the config is picked by the OS at start, and the command line
// may override rpc_addr, so the config alone does not say.
func (h Home) ListenFile() string { return filepath.Join(string(h), "data", "listen.json") }

// SnapshotDir holds the node's state snapshots.
func (h Home) SnapshotDir() string { return filepath.Join(string(h), "data", "snapshots") }

// WALFile is the consensus write-ahead log.
func (h Home) WALFile() string { return filepath.Join(string(h), "data", "consensus.wal") }

// LoadConfig reads config.json, filling missing fields with defaults.
func LoadConfig(h Home) (Config, error) {
	c := DefaultConfig()
	raw, err := os.ReadFile(h.ConfigFile())
	if err != nil {
		if os.IsNotExist(err) {
			return c, fmt.Errorf("no config at %s: run `accord init --home %s` first", h.ConfigFile(), string(h))
		}
		return c, err
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, fmt.Errorf("parse %s: %w", h.ConfigFile(), err)
	}
	return c, c.Validate()
}

// SaveConfig writes config.json.
func SaveConfig(h Home, c Config) error {
	raw, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(h.ConfigFile(), append(raw, '\n'), 0o644)
}

func writeFileAtomic(path string, data []byte, mode os.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// p2pAllow is p2p_allow parsed: the full nodes the connection gater admits
// besides the validators.
func (c Config) p2pAllow() ([]types.Address, error) {
	a, err := types.ParseAddresses(c.P2PAllow)
	if err != nil {
		return nil, fmt.Errorf("config p2p_allow: %w", err)
	}
	return a, nil
}
