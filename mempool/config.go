package mempool

import (
	"log/slog"
	"runtime"
	"time"

	"github.com/accordnet/accord/types"
)

// StateReader reads committed account state. It must be safe for concurrent
// use. An account that does not exist reads as nonce 0, balance 0, nil error.
type StateReader interface {
	// Account returns the next nonce the account must use (starting at 0)
	// and its balance in micro-USDT.
	Account(a types.Address) (nonce, balance uint64, err error)
}

// CostFunc returns the micro-USDT a transaction moves out of its sender
// besides the fee (a transfer's amount; 0 for most messages). An unknown
// type or an undecodable payload must return an error: the transaction is
// rejected with ErrBadPayload. It must be safe for concurrent use and must
// not read state.
type CostFunc func(tx *types.Tx) (uint64, error)

// Defaults applied by New to zero Config fields.
const (
	DefaultMaxTxs       = 50_000
	DefaultMaxBytes     = 128 << 20
	DefaultMaxPerSender = 64
	DefaultNonceWindow  = 64
	DefaultMaxGapAge    = 10 * time.Minute
)

// lowWater is the share of MaxTxs and MaxBytes (in percent) that pressure
// eviction brings the pool back down to, so one sweep over the senders
// makes room for many admissions rather than one.
const lowWater = 90

// Config bounds the pool. Zero values take the defaults above; MinFee 0 is a
// real value (no minimum) and ChainID "" a real chain ID.
type Config struct {
	ChainID      string
	MinFee       uint64 // micro-USDT
	MaxTxBytes   int    // largest encoded tx; 0 or more than types.MaxTxSize means types.MaxTxSize
	MaxTxs       int    // transactions in the pool
	MaxBytes     int    // encoded bytes in the pool
	MaxPerSender int    // pooled transactions per sender
	NonceWindow  uint64 // a tx nonce may be at most this far above the account nonce
	Workers      int    // parallelism of batch admission and Update; 0 means GOMAXPROCS

	// MaxGapAge is how long a transaction that cannot run yet, because a
	// lower nonce of its sender is missing, may wait for the gap to be
	// filled. Update evicts it after that. A transaction that can run is
	// never evicted for its age: the next proposal includes it.
	MaxGapAge time.Duration
	// Now is the clock admission times are taken from; nil means time.Now.
	Now func() time.Time

	// OnAdmit, if set, receives every batch of newly admitted transactions
	// (one call per Add, AddRaw, AddBatch or AddRawBatch that admitted
	// anything), in admission order, e.g. to gossip them. It is called
	// outside the pool lock on the admitting goroutine, possibly
	// concurrently; it may call back into the pool, and should not block.
	// The slice is the callee's to keep.
	OnAdmit func(txs []*types.Tx)

	// Logger receives Update summaries at debug level; nil means slog.Default().
	Logger *slog.Logger
}

func (c Config) withDefaults() Config {
	if c.MaxTxBytes <= 0 || c.MaxTxBytes > types.MaxTxSize {
		c.MaxTxBytes = types.MaxTxSize
	}
	if c.MaxTxs <= 0 {
		c.MaxTxs = DefaultMaxTxs
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	if c.MaxPerSender <= 0 {
		c.MaxPerSender = DefaultMaxPerSender
	}
	if c.NonceWindow == 0 {
		c.NonceWindow = DefaultNonceWindow
	}
	if c.MaxGapAge <= 0 {
		c.MaxGapAge = DefaultMaxGapAge
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Workers <= 0 {
		c.Workers = runtime.GOMAXPROCS(0)
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	return c
}
