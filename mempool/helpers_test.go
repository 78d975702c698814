package mempool

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/accordnet/accord/sigcache"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/rlp"
)

const testChain = "accord-test"

// Transaction types understood by testCost.
const (
	typeTransfer types.TxType = 1 // payload: RLP transfer; costs its amount
	typeNoop     types.TxType = 2 // costs nothing besides the fee
)

type transfer struct {
	To     types.Address
	Amount uint64
}

// testCost is a CostFunc shaped like the bank module's.
func testCost(tx *types.Tx) (uint64, error) {
	switch tx.Type {
	case typeTransfer:
		var m transfer
		if err := rlp.DecodeBytes(tx.Payload, &m); err != nil {
			return 0, err
		}
		return m.Amount, nil
	case typeNoop:
		return 0, nil
	}
	return 0, fmt.Errorf("unknown transaction type %d", tx.Type)
}

func transferPayload(amount uint64) []byte {
	b, err := rlp.EncodeToBytes(&transfer{To: types.Address{0x99}, Amount: amount})
	if err != nil {
		panic(err)
	}
	return b
}

// fakeState is an in-memory StateReader.
type fakeState struct {
	mu    sync.Mutex
	accts map[types.Address]account
	fail  map[types.Address]error
	hook  func(a types.Address) // called after each read, without mu
	reads int
}

func newFakeState() *fakeState {
	return &fakeState{accts: map[types.Address]account{}, fail: map[types.Address]error{}}
}

func (s *fakeState) Account(a types.Address) (uint64, uint64, error) {
	s.mu.Lock()
	s.reads++
	acc, err, hook := s.accts[a], s.fail[a], s.hook
	s.mu.Unlock()
	if hook != nil {
		hook(a) // the value read above is already fixed: the hook plays a racing writer
	}
	if err != nil {
		return 0, 0, err
	}
	return acc.nonce, acc.balance, nil
}

func (s *fakeState) set(a types.Address, nonce, balance uint64) {
	s.mu.Lock()
	s.accts[a] = account{nonce, balance}
	s.mu.Unlock()
}

func (s *fakeState) get(a types.Address) account {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accts[a]
}

// user is a funded test account.
type user struct {
	key  *ecdsa.PrivateKey
	addr types.Address
}

func newUser(t testing.TB) user {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return user{k, types.PubkeyAddress(k)}
}

// tx returns a signed transfer of amount with fee 10 on the test chain,
// re-decoded so it carries no cached sender, as if received from a peer.
func (u user) tx(t testing.TB, nonce, amount uint64) *types.Tx {
	t.Helper()
	return u.sign(t, &types.Tx{ChainID: testChain, Nonce: nonce, Type: typeTransfer, Payload: transferPayload(amount), Fee: 10})
}

func (u user) sign(t testing.TB, tx *types.Tx) *types.Tx {
	t.Helper()
	if _, err := types.SignTx(tx, u.key); err != nil {
		t.Fatal(err)
	}
	dec, err := types.DecodeTx(tx.Encode())
	if err != nil {
		t.Fatal(err)
	}
	return dec
}

// env is a pool over a fake state with a shared signature cache.
type env struct {
	pool  *Pool
	state *fakeState
	cache *sigcache.Cache
}

func baseConfig() Config {
	return Config{ChainID: testChain, MinFee: 10, MaxTxs: 1000, MaxPerSender: 16, NonceWindow: 16}
}

func newEnv(t testing.TB, cfg Config) *env {
	t.Helper()
	st := newFakeState()
	cache := sigcache.New(4096)
	return &env{pool: New(cfg, st, testCost, cache), state: st, cache: cache}
}

func (e *env) mustAdd(t testing.TB, txs ...*types.Tx) {
	t.Helper()
	for _, tx := range txs {
		if err := e.pool.Add(tx); err != nil {
			t.Fatalf("add nonce %d: %v", tx.Nonce, err)
		}
	}
	checkInvariants(t, e.pool)
}

func nonces(txs []*types.Tx) []uint64 {
	out := make([]uint64, len(txs))
	for i, tx := range txs {
		out[i] = tx.Nonce
	}
	return out
}

// checkInvariants verifies the pool's internal bookkeeping agrees with itself.
func checkInvariants(t testing.TB, p *Pool) {
	t.Helper()
	if err := p.invariants(); err != nil {
		t.Fatal(err)
	}
}

func (p *Pool) invariants() error {
	p.mu.RLock()
	defer p.mu.RUnlock()
	seen, bytes := 0, 0
	var prev *senderQueue
	listed := 0
	for sq := p.head; sq != nil; sq = sq.next {
		listed++
		if sq.prev != prev {
			return errors.New("sender list: broken prev link")
		}
		prev = sq
		if p.senders[sq.addr] != sq {
			return fmt.Errorf("sender %s listed but not mapped", sq.addr.Hex())
		}
		if len(sq.txs) == 0 {
			return fmt.Errorf("sender %s is empty but pooled", sq.addr.Hex())
		}
		var spend uint64
		for i, e := range sq.txs {
			if i > 0 && sq.txs[i-1].nonce >= e.nonce {
				return fmt.Errorf("sender %s: nonces not increasing", sq.addr.Hex())
			}
			if p.all[e.hash] != e || e.from != sq.addr {
				return fmt.Errorf("sender %s: tx %s not indexed", sq.addr.Hex(), e.hash.Hex())
			}
			spend += e.total
			bytes += e.size
			seen++
		}
		if spend != sq.spend {
			return fmt.Errorf("sender %s: spend %d, txs add up to %d", sq.addr.Hex(), sq.spend, spend)
		}
		if spend > sq.acct.balance {
			return fmt.Errorf("sender %s: pooled txs spend %d, balance %d", sq.addr.Hex(), spend, sq.acct.balance)
		}
	}
	if p.tail != prev {
		return errors.New("sender list: wrong tail")
	}
	if listed != len(p.senders) {
		return fmt.Errorf("%d senders listed, %d mapped", listed, len(p.senders))
	}
	if seen != len(p.all) {
		return fmt.Errorf("%d txs in sender queues, %d indexed", seen, len(p.all))
	}
	if bytes != p.bytes {
		return fmt.Errorf("bytes %d, txs add up to %d", p.bytes, bytes)
	}
	return nil
}
