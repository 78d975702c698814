package consensus

import (
	"crypto/ecdsa"
	"encoding/binary"
	"fmt"
	"sync"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

const testChain = "accord-test"

// keySigner signs with an in-memory key.
type keySigner struct {
	key  *ecdsa.PrivateKey
	addr types.Address
}

func newKeySigner(k *ecdsa.PrivateKey) *keySigner {
	return &keySigner{key: k, addr: types.PubkeyAddress(k)}
}

func (s *keySigner) Address() types.Address { return s.addr }
func (s *keySigner) Sign(d types.Hash) ([]byte, error) {
	return types.SignDigest(d, s.key)
}

var (
	keyPoolMu sync.Mutex
	keyPool   []*ecdsa.PrivateKey
)

// testKey returns the i-th key of a fixed, deterministic pool.
func testKey(i int) *ecdsa.PrivateKey {
	keyPoolMu.Lock()
	defer keyPoolMu.Unlock()
	for len(keyPool) <= i {
		var seed [8]byte
		binary.BigEndian.PutUint64(seed[:], uint64(len(keyPool)+1))
		k, err := crypto.ToECDSA(types.Keccak([]byte("accord/consensus/test-key"), seed[:]).Bytes())
		if err != nil {
			panic(err)
		}
		keyPool = append(keyPool, k)
	}
	return keyPool[i]
}

// signMsg signs m as key (From is set from the key).
func signMsg(m *Message, key *ecdsa.PrivateKey) *Message {
	m.From = types.PubkeyAddress(key)
	sig, err := types.SignDigest(m.Digest(testChain), key)
	if err != nil {
		panic(err)
	}
	m.Sig = sig
	return m
}

var genesisState = types.Keccak([]byte("accord/consensus/genesis-state"))

const genesisTime = 1_000_000

// chainApp is a tiny ledger for tests: blocks must extend the head, move
// time forward, and carry StateRoot = Keccak(parent state, ReceiptRoot)
// (ReceiptRoot plays the role of the block's payload).
type chainApp struct {
	vals      func(h uint64) *types.ValidatorSet
	blocks    []*types.Block
	certs     []*types.CommitCert
	states    []types.Hash
	validated map[types.Hash]int
	onVal     func(b *types.Block) error // optional extra check
}

func newChainApp(vals func(h uint64) *types.ValidatorSet) *chainApp {
	return &chainApp{vals: vals, validated: make(map[types.Hash]int)}
}

func (a *chainApp) ValidatorSet(h uint64) (*types.ValidatorSet, error) {
	if h == 0 {
		return nil, fmt.Errorf("no validator set at 0")
	}
	return a.vals(h), nil
}

func (a *chainApp) height() uint64 { return uint64(len(a.blocks)) }

func (a *chainApp) head() (types.Hash, uint64, types.Hash) {
	if len(a.blocks) == 0 {
		return types.Hash{}, genesisTime, genesisState
	}
	b := a.blocks[len(a.blocks)-1]
	return b.Hash(), b.Header.Time, a.states[len(a.states)-1]
}

func (a *chainApp) last() LastCommitted {
	if len(a.blocks) == 0 {
		return LastCommitted{Time: genesisTime}
	}
	b := a.blocks[len(a.blocks)-1]
	return LastCommitted{Height: b.Height(), Hash: b.Hash(), Time: b.Header.Time, Cert: a.certs[len(a.certs)-1], Block: b}
}

func (a *chainApp) ValidateBlock(b *types.Block) error {
	a.validated[b.Hash()]++
	if a.onVal != nil {
		if err := a.onVal(b); err != nil {
			return err
		}
	}
	hash, t, state := a.head()
	switch {
	case b.Height() != a.height()+1:
		return fmt.Errorf("block %d on ledger at %d", b.Height(), a.height())
	case b.Header.ParentHash != hash:
		return fmt.Errorf("parent mismatch")
	case b.Header.Time <= t:
		return fmt.Errorf("time not increasing")
	case b.Header.StateRoot != types.Keccak(state[:], b.Header.ReceiptRoot[:]):
		return fmt.Errorf("bad state root")
	}
	return nil
}

// apply appends a committed block.
func (a *chainApp) apply(b *types.Block, c *types.CommitCert) error {
	hash, _, state := a.head()
	if b.Height() != a.height()+1 || b.Header.ParentHash != hash {
		return fmt.Errorf("commit of %d/%s does not extend ledger at %d", b.Height(), b.Hash().Hex(), a.height())
	}
	a.blocks = append(a.blocks, b)
	a.certs = append(a.certs, c)
	a.states = append(a.states, types.Keccak(state[:], b.Header.ReceiptRoot[:]))
	return nil
}

// build makes a valid block for req, proposed by proposer, with payload.
func (a *chainApp) build(req RequestProposal, proposer types.Address, payload types.Hash, dt uint64) *types.Block {
	_, _, state := a.head()
	b := &types.Block{
		Header: types.Header{
			ChainID:        testChain,
			Height:         req.Height,
			Time:           req.ParentTime + 1 + dt,
			ParentHash:     req.Parent,
			TxRoot:         types.TxRoot(nil),
			ReceiptRoot:    payload,
			StateRoot:      types.Keccak(state[:], payload[:]),
			ValidatorsHash: req.ValidatorsHash,
			Proposer:       proposer,
		},
		LastCert: req.LastCert,
	}
	if req.LastCert != nil {
		b.Header.LastCertHash = req.LastCert.Hash()
	}
	return b
}

// staticVals returns a validator set function over the first n test keys.
func staticVals(n int) (func(uint64) *types.ValidatorSet, []*ecdsa.PrivateKey) {
	keys := make([]*ecdsa.PrivateKey, n)
	addrs := make([]types.Address, n)
	for i := range keys {
		keys[i] = testKey(i)
		addrs[i] = types.PubkeyAddress(keys[i])
	}
	vs, err := types.NewValidatorSet(addrs)
	if err != nil {
		panic(err)
	}
	return func(uint64) *types.ValidatorSet { return vs }, keys
}

// actionsOf filters actions by type.
func actionsOf[T Action](acts []Action) []T {
	var out []T
	for _, a := range acts {
		if t, ok := a.(T); ok {
			out = append(out, t)
		}
	}
	return out
}
