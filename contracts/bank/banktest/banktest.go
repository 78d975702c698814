// Package banktest builds small chains for tests and benchmarks: a genesis
// with funded keys, a bank router, and a single validator that signs
// commit certificates.
package banktest

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// ChainID of test chains.
const ChainID = "accord-test"

// MinFee of test chains, in micro-USDT.
const MinFee = 10_000

// Chain is a ledger with one validator and funded accounts.
type Chain struct {
	Ledger    *ledger.Ledger
	Router    *core.Router
	Validator *ecdsa.PrivateKey
	Keys      []*ecdsa.PrivateKey
	Genesis   []byte
	Treasury  types.Address
}

// DeterministicKey derives a test key from a seed so child processes and
// replays see the same accounts.
func DeterministicKey(seed uint64) *ecdsa.PrivateKey {
	h := types.Keccak([]byte(fmt.Sprintf("accord-test-key-%d", seed)))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

// Genesis returns a genesis document funding each key with balance USDT.
func Genesis(validator *ecdsa.PrivateKey, keys []*ecdsa.PrivateKey, balance string, treasury types.Address) []byte {
	accs := make([]bank.GenesisAccount, len(keys))
	for i, k := range keys {
		accs[i] = bank.GenesisAccount{Address: types.PubkeyAddress(k).Hex(), Balance: balance}
	}
	bg, _ := json.Marshal(bank.Genesis{MinFee: types.FormatUSDT(MinFee), Treasury: treasury.Hex(), Accounts: accs})
	g := ledger.Genesis{ChainID: ChainID, GenesisTime: time.Unix(1_700_000_000, 0).UTC(),
		Validators: []string{types.PubkeyAddress(validator).Hex()}, AppState: map[string]json.RawMessage{"bank": bg}}
	raw, _ := json.MarshalIndent(g, "", "  ")
	return raw
}

// NewRouter returns the bank-only application.
func NewRouter() *core.Router {
	b := bank.Module{}
	r, err := core.NewRouter(ChainID, []core.Ante{b.Ante}, b)
	if err != nil {
		panic(err)
	}
	return r
}

// New initializes l with nKeys funded deterministic keys.
func New(l *ledger.Ledger, nKeys int) (*Chain, error) {
	c := &Chain{Ledger: l, Router: NewRouter(), Validator: DeterministicKey(1 << 40), Treasury: bank.ModuleAddress("treasury")}
	for i := 0; i < nKeys; i++ {
		c.Keys = append(c.Keys, DeterministicKey(uint64(i)))
	}
	c.Genesis = Genesis(c.Validator, c.Keys, "1000000", c.Treasury)
	if err := l.InitGenesis(c.Genesis, c.Router); err != nil {
		return nil, err
	}
	return c, nil
}

// Transfer signs a transfer.
func Transfer(key *ecdsa.PrivateKey, nonce uint64, to types.Address, amount uint64) *types.Tx {
	tx, err := types.SignTx(&types.Tx{ChainID: ChainID, Nonce: nonce, Type: bank.TypeTransfer,
		Payload: core.Encode(&bank.MsgTransfer{To: to, Amount: amount}), Fee: MinFee}, key)
	if err != nil {
		panic(err)
	}
	return tx
}

// Ring signs n transfers of 1 micro-USDT, key i to key i+1 in turn (so
// each key's nonces run from 0), with their senders already recovered, as
// the mempool leaves them: a block benchmarks build repeatedly.
func (c *Chain) Ring(n int) ([]*types.Tx, error) {
	txs := make([]*types.Tx, n)
	for j := range txs {
		from := j % len(c.Keys)
		txs[j] = Transfer(c.Keys[from], uint64(j/len(c.Keys)), types.PubkeyAddress(c.Keys[(from+1)%len(c.Keys)]), 1)
		if _, err := txs[j].Sender(); err != nil {
			return nil, err
		}
	}
	return txs, nil
}

// Cert signs a single-validator commit certificate for b.
func (c *Chain) Cert(b *types.Block) *types.CommitCert {
	d := types.CommitDigest(ChainID, b.Header.Height, 0, b.Hash())
	sig, err := types.SignDigest(d, c.Validator)
	if err != nil {
		panic(err)
	}
	return &types.CommitCert{Height: b.Header.Height, BlockHash: b.Hash(), Sigs: []types.CommitSig{{Index: 0, Sig: sig}}}
}

// Produce builds, commits and returns the next block with txs.
func (c *Chain) Produce(txs []*types.Tx) (*ledger.Executed, []ledger.Dropped, error) {
	last := c.Ledger.Last()
	var lastCert *types.CommitCert
	if last.Height > 0 {
		var err error
		if lastCert, err = c.Ledger.Cert(last.Height); err != nil {
			return nil, nil, err
		}
	}
	x, dropped, err := c.Ledger.Build(ledger.Template{Time: last.Time + 1000, Proposer: types.PubkeyAddress(c.Validator), LastCert: lastCert}, txs, c.Router)
	if err != nil {
		return nil, nil, err
	}
	if err := c.Ledger.Commit(x, c.Cert(x.Block)); err != nil {
		return nil, nil, err
	}
	return x, dropped, nil
}
