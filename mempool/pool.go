package mempool

import (
	"errors"
	"fmt"
	"github.com/accordnet/accord/internal/parallel"
	"log/slog"
	"sync"
	"sync/atomic"

	"github.com/accordnet/accord/sigcache"
	"github.com/accordnet/accord/types"
)

// Pool is the mempool. Create it with New.
type Pool struct {
	cfg   Config
	state StateReader
	cost  CostFunc
	cache *sigcache.Cache
	log   *slog.Logger

	// epoch counts Updates. Account state read before the pool lock is
	// only used if no Update started in between; see admitLocked.
	epoch atomic.Uint64

	updateMu sync.Mutex // serializes Update

	mu         sync.RWMutex
	all        map[types.Hash]*entry
	senders    map[types.Address]*senderQueue
	head, tail *senderQueue // senders in arrival order
	bytes      int
	// noGapped is set when a pressure sweep left nothing gapped to evict,
	// so a full pool of runnable txs does not rescan every sender on
	// every admission; an Update or a gapped admission clears it.
	noGapped bool

	evictedAge, evictedPressure atomic.Uint64
}

// New returns an empty pool. cache may be nil (every signature is then
// recovered on each admission); pass the node's shared cache so block
// validation finds the senders the mempool already recovered.
func New(cfg Config, state StateReader, cost CostFunc, cache *sigcache.Cache) *Pool {
	if state == nil || cost == nil {
		panic("mempool: nil StateReader or CostFunc")
	}
	cfg = cfg.withDefaults()
	hint := min(cfg.MaxTxs, 1<<14)
	return &Pool{
		cfg:     cfg,
		state:   state,
		cost:    cost,
		cache:   cache,
		log:     cfg.Logger,
		all:     make(map[types.Hash]*entry, hint),
		senders: make(map[types.Address]*senderQueue, hint),
	}
}

// candidate is a transaction that passed the stateless checks, with its
// sender's account as read before the pool lock was taken.
type candidate struct {
	e     *entry
	acct  account
	epoch uint64
	// noAcct means acct was not read: the sender had a queue with a
	// current account when prepare looked, and admission uses that.
	noAcct bool
	err    error
}

// prepare runs every check that needs no pool state: size, chain ID, fee,
// payload, signature; and reads the sender's committed account. It is the
// expensive part of admission and runs without the pool lock.
func (p *Pool) prepare(tx *types.Tx) (c candidate) {
	if tx == nil {
		c.err = fmt.Errorf("%w: nil transaction", types.ErrMalformedTx)
		return c
	}
	size := tx.Size()
	if size > p.cfg.MaxTxBytes {
		c.err = fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, size, p.cfg.MaxTxBytes)
		return c
	}
	if err := tx.CheckChainID(p.cfg.ChainID); err != nil {
		c.err = err
		return c
	}
	if tx.Fee < p.cfg.MinFee {
		c.err = fmt.Errorf("%w: fee %s USDT, minimum %s USDT", ErrFeeTooLow, types.FormatUSDT(tx.Fee), types.FormatUSDT(p.cfg.MinFee))
		return c
	}
	amount, err := p.cost(tx)
	if err != nil {
		c.err = fmt.Errorf("%w: type %#x: %w", ErrBadPayload, tx.Type, err)
		return c
	}
	total, err := types.AddAmount(amount, tx.Fee)
	if err != nil {
		c.err = fmt.Errorf("%w: amount %d + fee %d overflows", ErrInsufficientFunds, amount, tx.Fee)
		return c
	}
	from, err := p.cache.Sender(tx)
	if err != nil {
		c.err = err // wraps types.ErrBadSignature
		return c
	}
	c.epoch = p.epoch.Load() // before the read: a later Update invalidates it
	// A sender with pooled txs carries its account as of this epoch; a
	// state read (a database lookup) is then wasted: admission uses the
	// queue's.
	p.mu.RLock()
	sq := p.senders[from]
	c.noAcct = sq != nil && sq.epoch == c.epoch
	p.mu.RUnlock()
	if !c.noAcct {
		c.acct, c.err = p.readAccount(from)
		if c.err != nil {
			return c
		}
	}
	c.e = &entry{tx: tx, hash: tx.Hash(), from: from, nonce: tx.Nonce, total: total, size: size, added: p.cfg.Now()}
	return c
}

func (p *Pool) readAccount(a types.Address) (account, error) {
	nonce, balance, err := p.state.Account(a)
	if err != nil {
		return account{}, fmt.Errorf("%w: %s: %v", ErrStateUnavailable, a.Hex(), err)
	}
	return account{nonce, balance}, nil
}

// admitLocked runs the checks that need the pool and, if all pass, inserts
// the candidate. p.mu must be held for writing.
func (p *Pool) admitLocked(c *candidate) error {
	e := c.e
	if _, ok := p.all[e.hash]; ok {
		return fmt.Errorf("%w: %s", ErrAlreadyKnown, e.hash.Hex())
	}
	// acct must reflect every block the pool has been told about. A read
	// made before the current Update epoch may predate the last block.
	cur := p.epoch.Load() // stable: Update bumps it under p.mu
	fresh, haveFresh := c.acct, c.epoch == cur && !c.noAcct
	freshAccount := func() (account, error) {
		if !haveFresh { // rare: an Update ran since prepare
			a, err := p.readAccount(e.from)
			if err != nil {
				return account{}, err
			}
			fresh, haveFresh = a, true
		}
		return fresh, nil
	}
	sq := p.senders[e.from]
	if sq != nil && sq.epoch != cur {
		// An Update is between removing the block's txs and re-reading
		// this sender; do its work for this sender now, so a nonce the
		// block just used is not accepted against the old state.
		a, err := freshAccount()
		if err != nil {
			return err
		}
		p.revalidateLocked(sq, a, cur)
		if len(sq.txs) == 0 {
			sq = nil
		}
	}
	var acct account
	var spend uint64
	pending := 0
	if sq != nil {
		acct, spend, pending = sq.acct, sq.spend, len(sq.txs)
	} else {
		var err error
		if acct, err = freshAccount(); err != nil {
			return err
		}
	}
	if e.nonce < acct.nonce {
		return fmt.Errorf("%w: nonce %d already used (account nonce is %d)", ErrNonceTooLow, e.nonce, acct.nonce)
	}
	if e.nonce-acct.nonce > p.cfg.NonceWindow {
		return fmt.Errorf("%w: nonce %d is %d ahead of account nonce %d (window %d)",
			ErrNonceTooHigh, e.nonce, e.nonce-acct.nonce, acct.nonce, p.cfg.NonceWindow)
	}
	at := 0
	if sq != nil {
		var taken bool
		if at, taken = sq.find(e.nonce); taken {
			return fmt.Errorf("%w: nonce %d is used by pending tx %s (replacement is not supported)",
				ErrNonceTaken, e.nonce, sq.txs[at].hash.Hex())
		}
	}
	need, err := types.AddAmount(spend, e.total)
	if err != nil || need > acct.balance {
		held := ""
		if pending > 0 {
			held = fmt.Sprintf(" of which %s USDT is held by %d pending txs", types.FormatUSDT(spend), pending)
		}
		return fmt.Errorf("%w: tx needs %s USDT (amount + fee), balance is %s USDT%s",
			ErrInsufficientFunds, types.FormatUSDT(e.total), types.FormatUSDT(acct.balance), held)
	}
	if pending >= p.cfg.MaxPerSender {
		return fmt.Errorf("%w: %s has %d pending (limit %d)", ErrSenderFull, e.from.Hex(), pending, p.cfg.MaxPerSender)
	}
	runnable := func() bool {
		if sq == nil {
			return e.nonce == acct.nonce
		}
		return e.nonce == sq.nextNonce()
	}
	if p.fullLocked(e.size) {
		// Only a tx that can run may push out ones that cannot.
		if !runnable() || p.evictGappedLocked(sq, e.size) == 0 || p.fullLocked(e.size) {
			return fmt.Errorf("%w: %d txs, %d bytes (limits %d txs, %d bytes)", ErrPoolFull, len(p.all), p.bytes, p.cfg.MaxTxs, p.cfg.MaxBytes)
		}
	}
	if p.noGapped && !runnable() {
		p.noGapped = false
	}

	if sq == nil {
		sq = &senderQueue{addr: e.from, acct: acct, epoch: cur, txs: make([]*entry, 0, 4)}
		p.senders[e.from] = sq
		sq.prev = p.tail
		if p.tail != nil {
			p.tail.next = sq
		} else {
			p.head = sq
		}
		p.tail = sq
	}
	sq.txs = append(sq.txs, nil)
	copy(sq.txs[at+1:], sq.txs[at:])
	sq.txs[at] = e
	sq.spend = need
	p.all[e.hash] = e
	p.bytes += e.size
	return nil
}

// Add admits one decoded transaction. The signature is recovered on the
// calling goroutine (or found in the shared cache).
func (p *Pool) Add(tx *types.Tx) error {
	c := p.prepare(tx)
	if c.err != nil {
		return c.err
	}
	p.mu.Lock()
	err := p.admitLocked(&c)
	p.mu.Unlock()
	if err == nil && p.cfg.OnAdmit != nil {
		p.cfg.OnAdmit([]*types.Tx{tx})
	}
	return err
}

// AddRaw decodes and admits one encoded transaction. The hash is returned
// whenever raw decodes, also when admission fails (e.g. ErrAlreadyKnown).
func (p *Pool) AddRaw(raw []byte) (types.Hash, error) {
	tx, err := p.decode(raw)
	if err != nil {
		return types.Hash{}, err
	}
	return tx.Hash(), p.Add(tx)
}

func (p *Pool) decode(raw []byte) (*types.Tx, error) {
	if len(raw) > p.cfg.MaxTxBytes {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(raw), p.cfg.MaxTxBytes)
	}
	tx, err := types.DecodeTx(raw)
	if err != nil {
		if !errors.Is(err, types.ErrMalformedTx) {
			err = fmt.Errorf("%w: %w", types.ErrMalformedTx, err)
		}
		return nil, err
	}
	return tx, nil
}

// AddBatch admits txs as if by Add in slice order, but recovers their
// signatures (and does every other stateless check) in parallel on
// Config.Workers goroutines first. It returns one error per tx, nil for
// those admitted.
func (p *Pool) AddBatch(txs []*types.Tx) []error {
	return p.addBatch(len(txs), func(i int) (*types.Tx, error) { return txs[i], nil })
}

// AddRawBatch is AddBatch for encoded transactions, as they arrive by
// gossip; decoding runs in parallel too. hashes[i] is zero where raws[i]
// does not decode.
func (p *Pool) AddRawBatch(raws [][]byte) (hashes []types.Hash, errs []error) {
	hashes = make([]types.Hash, len(raws))
	errs = p.addBatch(len(raws), func(i int) (*types.Tx, error) {
		tx, err := p.decode(raws[i])
		if err == nil {
			hashes[i] = tx.Hash()
		}
		return tx, err
	})
	return hashes, errs
}

func (p *Pool) addBatch(n int, get func(i int) (*types.Tx, error)) []error {
	cands := make([]candidate, n)
	parallel.ForEach(n, p.cfg.Workers, func(i int) {
		tx, err := get(i)
		if err != nil {
			cands[i].err = err
			return
		}
		cands[i] = p.prepare(tx)
	})
	errs := make([]error, n)
	var admitted []*types.Tx
	if p.cfg.OnAdmit != nil {
		admitted = make([]*types.Tx, 0, n)
	}
	p.mu.Lock()
	for i := range cands {
		c := &cands[i]
		if c.err != nil {
			errs[i] = c.err
			continue
		}
		if errs[i] = p.admitLocked(c); errs[i] == nil && admitted != nil {
			admitted = append(admitted, c.e.tx)
		}
	}
	p.mu.Unlock()
	if len(admitted) > 0 {
		p.cfg.OnAdmit(admitted)
	}
	return errs
}

// Has reports whether the pool holds the transaction with hash h.
func (p *Pool) Has(h types.Hash) bool {
	p.mu.RLock()
	_, ok := p.all[h]
	p.mu.RUnlock()
	return ok
}

// Get returns the pooled transaction with hash h, or nil.
func (p *Pool) Get(h types.Hash) *types.Tx {
	p.mu.RLock()
	defer p.mu.RUnlock()
	if e := p.all[h]; e != nil {
		return e.tx
	}
	return nil
}

// Size returns the number of pooled transactions.
func (p *Pool) Size() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return len(p.all)
}

// Bytes returns the encoded size of all pooled transactions.
func (p *Pool) Bytes() int {
	p.mu.RLock()
	defer p.mu.RUnlock()
	return p.bytes
}

// PendingNonce returns the nonce a's next transaction should carry: the one
// after the contiguous run of a's pooled transactions that starts at its
// account nonce. ok is false when the pool holds nothing from a; the caller
// then uses the committed account nonce.
func (p *Pool) PendingNonce(a types.Address) (nonce uint64, ok bool) {
	p.mu.RLock()
	defer p.mu.RUnlock()
	sq := p.senders[a]
	if sq == nil {
		return 0, false
	}
	return sq.nextNonce(), true
}
