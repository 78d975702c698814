package mempool

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/accordnet/accord/types"
)

// TestAdmissionRejections proves every rejection reports its sentinel, reads
// as one line, and leaves the pool exactly as it was.
func TestAdmissionRejections(t *testing.T) {
	alice := newUser(t)
	bob := newUser(t)
	cases := []struct {
		name   string
		cfg    func(*Config)
		setup  func(t *testing.T, e *env) // pool contents before the attempt
		raw    func(t *testing.T) []byte
		want   error
		reason string // must appear in the message
	}{
		{
			name: "oversized tx is refused before decoding",
			cfg:  func(c *Config) { c.MaxTxBytes = 512 },
			raw: func(t *testing.T) []byte {
				return alice.sign(t, &types.Tx{ChainID: testChain, Type: typeNoop, Payload: make([]byte, 600), Fee: 10}).Encode()
			},
			want: ErrTooLarge, reason: "limit 512",
		},
		{
			name: "garbage bytes are malformed",
			raw:  func(*testing.T) []byte { return []byte{0xde, 0xad, 0xbe, 0xef} },
			want: types.ErrMalformedTx,
		},
		{
			name: "trailing bytes are malformed",
			raw:  func(t *testing.T) []byte { return append(alice.tx(t, 0, 1).Encode(), 0x80) },
			want: types.ErrMalformedTx,
		},
		{
			name: "tx for another chain is refused",
			raw: func(t *testing.T) []byte {
				return alice.sign(t, &types.Tx{ChainID: "other", Type: typeNoop, Fee: 10}).Encode()
			},
			want: types.ErrWrongChainID, reason: `"other"`,
		},
		{
			name: "fee below the minimum is refused",
			raw: func(t *testing.T) []byte {
				return alice.sign(t, &types.Tx{ChainID: testChain, Type: typeNoop, Fee: 9}).Encode()
			},
			want: ErrFeeTooLow, reason: "fee 0.000009 USDT, minimum 0.00001 USDT",
		},
		{
			name: "unknown tx type is refused",
			raw: func(t *testing.T) []byte {
				return alice.sign(t, &types.Tx{ChainID: testChain, Type: 77, Fee: 10}).Encode()
			},
			want: ErrBadPayload, reason: "unknown transaction type 77",
		},
		{
			name: "undecodable payload is refused",
			raw: func(t *testing.T) []byte {
				return alice.sign(t, &types.Tx{ChainID: testChain, Type: typeTransfer, Payload: []byte{0xff}, Fee: 10}).Encode()
			},
			want: ErrBadPayload,
		},
		{
			name: "invalid signature is refused",
			raw: func(t *testing.T) []byte {
				tx := &types.Tx{ChainID: testChain, Type: typeNoop, Fee: 10, Sig: make([]byte, types.SignatureLength)}
				return tx.Encode()
			},
			want: types.ErrBadSignature,
		},
		{
			name:  "tx already pooled is refused",
			setup: func(t *testing.T, e *env) { e.mustAdd(t, alice.tx(t, 0, 1)) },
			raw:   func(t *testing.T) []byte { return alice.tx(t, 0, 1).Encode() }, // same bytes: ECDSA signing here is deterministic (RFC 6979)
			want:  ErrAlreadyKnown,
		},
		{
			name:   "replayed nonce is refused",
			setup:  func(t *testing.T, e *env) { e.state.set(alice.addr, 5, 1000) },
			raw:    func(t *testing.T) []byte { return alice.tx(t, 3, 1).Encode() },
			want:   ErrNonceTooLow,
			reason: "nonce 3 already used (account nonce is 5)",
		},
		{
			name:   "nonce beyond the window is refused",
			cfg:    func(c *Config) { c.NonceWindow = 8 },
			setup:  func(t *testing.T, e *env) { e.state.set(alice.addr, 5, 1000) },
			raw:    func(t *testing.T) []byte { return alice.tx(t, 14, 1).Encode() },
			want:   ErrNonceTooHigh,
			reason: "nonce 14 is 9 ahead of account nonce 5 (window 8)",
		},
		{
			name:   "second tx for a pooled nonce is refused",
			setup:  func(t *testing.T, e *env) { e.mustAdd(t, alice.tx(t, 0, 1)) },
			raw:    func(t *testing.T) []byte { return alice.tx(t, 0, 2).Encode() },
			want:   ErrNonceTaken,
			reason: "nonce 0 is used by pending tx",
		},
		{
			name:   "amount plus fee above balance is refused",
			setup:  func(t *testing.T, e *env) { e.state.set(bob.addr, 0, 100) },
			raw:    func(t *testing.T) []byte { return bob.tx(t, 0, 91).Encode() },
			want:   ErrInsufficientFunds,
			reason: "tx needs 0.000101 USDT (amount + fee), balance is 0.0001 USDT",
		},
		{
			name: "balance already held by pending txs is not spent twice",
			setup: func(t *testing.T, e *env) {
				e.state.set(bob.addr, 0, 100)
				e.mustAdd(t, bob.tx(t, 0, 50)) // holds 60
			},
			raw:    func(t *testing.T) []byte { return bob.tx(t, 1, 31).Encode() }, // 41 > 40 left
			want:   ErrInsufficientFunds,
			reason: "balance is 0.0001 USDT of which 0.00006 USDT is held by 1 pending txs",
		},
		{
			name:  "amount that overflows with the fee is refused",
			setup: func(t *testing.T, e *env) { e.state.set(bob.addr, 0, math.MaxUint64) },
			raw:   func(t *testing.T) []byte { return bob.tx(t, 0, math.MaxUint64-5).Encode() },
			want:  ErrInsufficientFunds, reason: "overflows",
		},
		{
			name: "sender at its cap is refused",
			cfg:  func(c *Config) { c.MaxPerSender = 3 },
			setup: func(t *testing.T, e *env) {
				e.mustAdd(t, alice.tx(t, 0, 1), alice.tx(t, 1, 1), alice.tx(t, 2, 1))
			},
			raw:  func(t *testing.T) []byte { return alice.tx(t, 3, 1).Encode() },
			want: ErrSenderFull, reason: "has 3 pending (limit 3)",
		},
		{
			name:  "pool at its tx cap is refused",
			cfg:   func(c *Config) { c.MaxTxs = 2 },
			setup: func(t *testing.T, e *env) { e.mustAdd(t, alice.tx(t, 0, 1), alice.tx(t, 1, 1)) },
			raw:   func(t *testing.T) []byte { return bob.tx(t, 0, 1).Encode() },
			want:  ErrPoolFull,
		},
		{
			name: "pool at its byte cap is refused",
			cfg:  func(c *Config) { c.MaxBytes = 250 },
			setup: func(t *testing.T, e *env) {
				e.mustAdd(t, alice.tx(t, 0, 1)) // ~110 bytes
				e.mustAdd(t, alice.tx(t, 1, 1))
			},
			raw:  func(t *testing.T) []byte { return bob.tx(t, 0, 1).Encode() },
			want: ErrPoolFull,
		},
		{
			name: "unreadable account state is refused",
			setup: func(t *testing.T, e *env) {
				e.state.fail[bob.addr] = errors.New("disk on fire")
			},
			raw:  func(t *testing.T) []byte { return bob.tx(t, 0, 1).Encode() },
			want: ErrStateUnavailable, reason: "disk on fire",
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := baseConfig()
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			e := newEnv(t, cfg)
			e.state.set(alice.addr, 0, 1000)
			e.state.set(bob.addr, 0, 1000)
			if c.setup != nil {
				c.setup(t, e)
			}
			admitted := 0
			e.pool.cfg.OnAdmit = func(txs []*types.Tx) { admitted += len(txs) }
			size, byts := e.pool.Size(), e.pool.Bytes()
			aliceNext, aliceOK := e.pool.PendingNonce(alice.addr)
			bobNext, bobOK := e.pool.PendingNonce(bob.addr)
			reaped := nonces(e.pool.Reap(0, 0))

			raw := c.raw(t)
			_, err := e.pool.AddRaw(raw)
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			msg := err.Error()
			t.Log(msg)
			if strings.Contains(msg, "\n") || !strings.Contains(msg, c.reason) {
				t.Fatalf("message %q: want one line containing %q", msg, c.reason)
			}
			// The same tx through the batch path fails the same way.
			if _, errs := e.pool.AddRawBatch([][]byte{raw}); !errors.Is(errs[0], c.want) {
				t.Fatalf("AddRawBatch err = %v, want %v", errs[0], c.want)
			}

			if e.pool.Size() != size || e.pool.Bytes() != byts {
				t.Fatalf("pool changed: size %d->%d, bytes %d->%d", size, e.pool.Size(), byts, e.pool.Bytes())
			}
			if n, ok := e.pool.PendingNonce(alice.addr); n != aliceNext || ok != aliceOK {
				t.Fatalf("alice pending nonce changed: %d,%v -> %d,%v", aliceNext, aliceOK, n, ok)
			}
			if n, ok := e.pool.PendingNonce(bob.addr); n != bobNext || ok != bobOK {
				t.Fatalf("bob pending nonce changed: %d,%v -> %d,%v", bobNext, bobOK, n, ok)
			}
			if got := nonces(e.pool.Reap(0, 0)); !equalU64(got, reaped) {
				t.Fatalf("reap changed: %v -> %v", reaped, got)
			}
			if admitted != 0 {
				t.Fatal("OnAdmit called for a rejected tx")
			}
			checkInvariants(t, e.pool)
		})
	}
}

func equalU64(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestAdmissionBoundariesAccepted(t *testing.T) {
	u := newUser(t)
	cfg := baseConfig()
	cfg.NonceWindow = 4
	e := newEnv(t, cfg)
	e.state.set(u.addr, 2, 100)
	// nonce at the window edge, fee exactly the minimum, balance spent to the last micro-USDT
	e.mustAdd(t, u.tx(t, 6, 40), u.tx(t, 2, 40))
	if e.pool.Size() != 2 {
		t.Fatalf("size %d", e.pool.Size())
	}
	if _, err := e.pool.AddRaw(u.tx(t, 3, 0).Encode()); !errors.Is(err, ErrInsufficientFunds) {
		t.Fatalf("balance exhausted, err = %v", err)
	}
}

func TestAddRawReturnsHash(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	tx := u.tx(t, 0, 1)
	h, err := e.pool.AddRaw(tx.Encode())
	if err != nil || h != tx.Hash() {
		t.Fatalf("AddRaw = %s, %v", h.Hex(), err)
	}
	if !e.pool.Has(h) || e.pool.Get(h).Hash() != h {
		t.Fatal("admitted tx not found")
	}
	if h2, err := e.pool.AddRaw(tx.Encode()); h2 != h || !errors.Is(err, ErrAlreadyKnown) {
		t.Fatalf("duplicate AddRaw = %s, %v", h2.Hex(), err)
	}
	if e.pool.Has(types.Hash{1}) || e.pool.Get(types.Hash{1}) != nil {
		t.Fatal("unknown hash found")
	}
	if e.pool.Bytes() != len(tx.Encode()) {
		t.Fatalf("bytes %d, want %d", e.pool.Bytes(), len(tx.Encode()))
	}
}

func TestAddBatch(t *testing.T) {
	a, b := newUser(t), newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(a.addr, 0, 100)
	e.state.set(b.addr, 0, 100)
	var got [][]*types.Tx
	e.pool.cfg.OnAdmit = func(txs []*types.Tx) { got = append(got, txs) }
	a1 := a.tx(t, 1, 10)
	txs := []*types.Tx{
		a1,             // admitted: a gap is allowed within the window
		a.tx(t, 0, 10), // admitted
		a.tx(t, 2, 70), // funds: 20+20+80 > 100, the batch is admitted in order
		a.tx(t, 2, 50), // admitted
		a1,             // duplicate within the batch
		b.tx(t, 0, 5),  // admitted
		b.sign(t, &types.Tx{ChainID: "x", Type: typeNoop, Fee: 10}),
	}
	errs := e.pool.AddBatch(txs)
	want := []error{nil, nil, ErrInsufficientFunds, nil, ErrAlreadyKnown, nil, types.ErrWrongChainID}
	for i := range want {
		if !errors.Is(errs[i], want[i]) || (want[i] == nil) != (errs[i] == nil) {
			t.Fatalf("tx %d: err = %v, want %v", i, errs[i], want[i])
		}
	}
	checkInvariants(t, e.pool)
	if len(got) != 1 || len(got[0]) != 4 || got[0][0] != txs[0] || got[0][3] != txs[5] {
		t.Fatalf("OnAdmit got %v", got)
	}
	if n, _ := e.pool.PendingNonce(a.addr); n != 3 {
		t.Fatalf("a pending nonce %d, want 3", n)
	}
	if errs := e.pool.AddBatch(nil); len(errs) != 0 || len(got) != 1 {
		t.Fatal("empty batch did something")
	}
}

func TestAddRawBatch(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	good := u.tx(t, 0, 1)
	hashes, errs := e.pool.AddRawBatch([][]byte{good.Encode(), {0x01, 0x02}, u.tx(t, 1, 1).Encode()})
	if errs[0] != nil || errs[2] != nil || !errors.Is(errs[1], types.ErrMalformedTx) {
		t.Fatalf("errs = %v", errs)
	}
	if hashes[0] != good.Hash() || hashes[1] != (types.Hash{}) || !e.pool.Has(hashes[2]) {
		t.Fatal("wrong hashes")
	}
}

// TestSignatureRecoveredOncePerNode shows the pool fills the shared cache,
// so block validation of the same txs (fresh decodes) costs no recovery.
func TestSignatureRecoveredOncePerNode(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	var raws [][]byte
	for n := uint64(0); n < 5; n++ {
		raws = append(raws, u.tx(t, n, 1).Encode())
	}
	if _, errs := e.pool.AddRawBatch(raws); errs[4] != nil {
		t.Fatal(errs[4])
	}
	_, misses := e.cache.Stats()
	var block []*types.Tx
	for _, r := range raws {
		tx, _ := types.DecodeTx(r)
		block = append(block, tx)
	}
	for i, err := range e.cache.RecoverAll(block, 0) {
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
	}
	if hits, m := e.cache.Stats(); m != misses || hits < 5 {
		t.Fatalf("block validation recovered again: hits %d, misses %d -> %d", hits, misses, m)
	}
	// Re-gossip of a pooled tx is refused without a recovery either.
	if _, err := e.pool.AddRaw(raws[0]); !errors.Is(err, ErrAlreadyKnown) {
		t.Fatal(err)
	}
	if _, m := e.cache.Stats(); m != misses {
		t.Fatal("duplicate admission recovered the signature")
	}
}

// TestStaleStateReadIsRetried forces an Update between a candidate's state
// read and its admission: the candidate must be judged on the new state.
func TestStaleStateReadIsRetried(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	tx := u.tx(t, 0, 1)
	e.state.hook = func(a types.Address) {
		if a != u.addr {
			return
		}
		// The read has returned nonce 0. Now a block using nonces 0..4
		// commits and its Update runs, before the candidate takes the lock.
		e.state.mu.Lock()
		e.state.hook = nil
		e.state.mu.Unlock()
		e.state.set(u.addr, 5, 1000)
		e.pool.Update(nil)
	}
	_, err := e.pool.AddRaw(tx.Encode())
	if !errors.Is(err, ErrNonceTooLow) {
		t.Fatalf("err = %v, want ErrNonceTooLow from the re-read", err)
	}
	if e.pool.Size() != 0 {
		t.Fatal("stale tx admitted")
	}
}

func TestOnAdmitMayCallThePool(t *testing.T) {
	u := newUser(t)
	e := newEnv(t, baseConfig())
	e.state.set(u.addr, 0, 1000)
	var sizes []int
	e.pool.cfg.OnAdmit = func(txs []*types.Tx) { sizes = append(sizes, e.pool.Size(), len(e.pool.Reap(0, 0))) }
	e.mustAdd(t, u.tx(t, 0, 1))
	if len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 1 {
		t.Fatalf("sizes seen in callback: %v", sizes)
	}
}

func TestConfigDefaults(t *testing.T) {
	c := Config{MaxTxBytes: 1 << 30}.withDefaults()
	if c.MaxTxBytes != types.MaxTxSize || c.MaxTxs != DefaultMaxTxs || c.MaxBytes != DefaultMaxBytes ||
		c.MaxPerSender != DefaultMaxPerSender || c.NonceWindow != DefaultNonceWindow || c.Workers < 1 || c.Logger == nil {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestNilCacheStillVerifies(t *testing.T) {
	u := newUser(t)
	st := newFakeState()
	st.set(u.addr, 0, 1000)
	p := New(baseConfig(), st, testCost, nil)
	if err := p.Add(u.tx(t, 0, 1)); err != nil {
		t.Fatal(err)
	}
	bad := &types.Tx{ChainID: testChain, Type: typeNoop, Fee: 10, Sig: make([]byte, 65)}
	if err := p.Add(bad); !errors.Is(err, types.ErrBadSignature) {
		t.Fatalf("err = %v", err)
	}
}

func TestNilTxIsMalformed(t *testing.T) {
	e := newEnv(t, baseConfig())
	if err := e.pool.Add(nil); !errors.Is(err, types.ErrMalformedTx) {
		t.Fatalf("Add(nil) = %v", err)
	}
	if errs := e.pool.AddBatch([]*types.Tx{nil}); !errors.Is(errs[0], types.ErrMalformedTx) {
		t.Fatalf("AddBatch(nil) = %v", errs[0])
	}
}
