package ledgertest

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// Chain is a ledger running App with one validator and funded accounts.
type Chain struct {
	Ledger    *ledger.Ledger
	App       App
	Validator *ecdsa.PrivateKey
	Keys      []*ecdsa.PrivateKey
	Genesis   []byte
	Treasury  types.Address
}

// DeterministicKey derives a test key from a seed so child processes and
// replays see the same accounts.
func DeterministicKey(seed uint64) *ecdsa.PrivateKey {
	h := types.Keccak([]byte(fmt.Sprintf("accord-ledgertest-key-%d", seed)))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

// Genesis returns a genesis document funding each key with balance USDT.
func Genesis(validator *ecdsa.PrivateKey, keys []*ecdsa.PrivateKey, balance string) []byte {
	accs := make([]GenesisAccount, len(keys))
	for i, k := range keys {
		accs[i] = GenesisAccount{Address: types.PubkeyAddress(k).Hex(), Balance: balance}
	}
	sec, _ := json.Marshal(GenesisSection{Accounts: accs})
	g := ledger.Genesis{ChainID: ChainID, GenesisTime: time.Unix(1_700_000_000, 0).UTC(),
		Validators: []string{types.PubkeyAddress(validator).Hex()}, AppState: map[string]json.RawMessage{SectionName: sec}}
	raw, _ := json.MarshalIndent(g, "", "  ")
	return raw
}

// New initializes l with nKeys funded deterministic keys (1,000,000 USDT
// each).
func New(l *ledger.Ledger, nKeys int) (*Chain, error) {
	c := &Chain{Ledger: l, Validator: DeterministicKey(1 << 40), Treasury: Treasury}
	for i := 0; i < nKeys; i++ {
		c.Keys = append(c.Keys, DeterministicKey(uint64(i)))
	}
	c.Genesis = Genesis(c.Validator, c.Keys, "1000000")
	if err := l.InitGenesis(c.Genesis, c.App); err != nil {
		return nil, err
	}
	return c, nil
}

// SignTransfer signs a transfer paying MinFee.
func SignTransfer(key *ecdsa.PrivateKey, nonce uint64, to types.Address, amount uint64) *types.Tx {
	tx, err := types.SignTx(&types.Tx{ChainID: ChainID, Nonce: nonce, Type: TypeTransfer, Payload: TransferPayload(to, amount), Fee: MinFee}, key)
	if err != nil {
		panic(err)
	}
	return tx
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

// Produce builds, commits and returns the next block with txs, one second
// after the last.
func (c *Chain) Produce(txs []*types.Tx) (*ledger.Executed, []ledger.Dropped, error) {
	last := c.Ledger.Last()
	var lastCert *types.CommitCert
	if last.Height > 0 {
		var err error
		if lastCert, err = c.Ledger.Cert(last.Height); err != nil {
			return nil, nil, err
		}
	}
	x, dropped, err := c.Ledger.Build(ledger.Template{Time: last.Time + 1000, Proposer: types.PubkeyAddress(c.Validator), LastCert: lastCert}, txs, c.App)
	if err != nil {
		return nil, nil, err
	}
	if err := c.Ledger.Commit(x, c.Cert(x.Block)); err != nil {
		return nil, nil, err
	}
	return x, dropped, nil
}
