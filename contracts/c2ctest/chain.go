package c2ctest

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"github.com/accordnet/accord/internal/parallel"
	"sync"
	"time"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// ChainSpec describes a ledger-backed test chain.
type ChainSpec struct {
	Acceptors int    // registered in block 1 with float and margin
	Merchants int    // KYC'd at genesis
	Float     string // USDT each acceptor deposits (default "1000000")
	Margin    string // USDT each acceptor deposits as margin (default "300000")
	// Rates replaces the oracle for conversions if set (benchmarks use it
	// to separate the order path from the oracle's per-call rate scan).
	Rates order.RateKeeper
}

// Chain is a ledger with one validator running bank, gov, kyc, oracle,
// acceptor and order: everything the C2C flow needs, executed as signed
// transactions through ledger.Build and Commit.
type Chain struct {
	*banktest.Chain
	Keepers   Keepers
	Acceptors []*ecdsa.PrivateKey
	Merchants []*ecdsa.PrivateKey
	// NoBlockInvariants skips the invariant check after every block (for
	// benchmarks that time ProduceOK; they check once at the end).
	NoBlockInvariants bool

	mu     sync.Mutex
	nonces map[types.Address]uint64
	byAddr map[types.Address]*ecdsa.PrivateKey
}

// NewRouter returns the full C2C application with bank's ante, over
// NewKeepers.
func NewRouter(k Keepers) *core.Router { return k.App.Router }

// ChainGenesis returns the genesis document: every key funded, a KYC
// attestation (level 3, its own identity) for every key, USD/EUR rates
// fresh for 7 days, and fully ramped acceptor limits.
func ChainGenesis(validator *ecdsa.PrivateKey, acceptors, merchants []*ecdsa.PrivateKey, float, margin uint64) []byte {
	valAddr := types.PubkeyAddress(validator).Hex()
	var accs []bank.GenesisAccount
	var atts []kyc.GenesisAttestation
	add := func(k *ecdsa.PrivateKey, balance uint64) {
		a := types.PubkeyAddress(k)
		accs = append(accs, bank.GenesisAccount{Address: a.Hex(), Balance: types.FormatUSDT(balance)})
		atts = append(atts, kyc.GenesisAttestation{Account: a.Hex(), Provider: KYCProvider.Hex(), Level: 3,
			ExpiresAt: GenesisTime + 365*24*3600*1000, Country: "SG", RecordHash: types.Keccak([]byte("identity"), a[:]).Hex()})
	}
	for _, k := range acceptors {
		add(k, float+margin+1_000*types.MicroPerUSDT)
	}
	for _, k := range merchants {
		add(k, 1_000*types.MicroPerUSDT)
	}
	section := func(v any) json.RawMessage {
		raw, err := json.Marshal(v)
		if err != nil {
			panic(err)
		}
		return raw
	}
	app := map[string]json.RawMessage{
		"bank": section(bank.Genesis{MinFee: types.FormatUSDT(banktest.MinFee), Treasury: Treasury.Hex(), Accounts: accs}),
		"gov": section(gov.Genesis{Admins: []string{valAddr}, Threshold: 1, Roles: []gov.GenesisRole{
			{Address: KYCProvider.Hex(), Role: "kyc_provider"}, {Address: Oracle.Hex(), Role: "oracle"}}}),
		"kyc": section(kyc.Genesis{Attestations: atts}),
		"oracle": section(oracle.Genesis{MaxRateAgeMs: 7 * 24 * 3600 * 1000, Rates: []oracle.GenesisRate{
			{Oracle: Oracle.Hex(), Currency: "USD", Rate: "1"}, {Oracle: Oracle.Hex(), Currency: "EUR", Rate: "0.8"}}}),
		acceptor.ModuleName: section(acceptor.Genesis{Params: map[string]uint64{acceptor.ParamRampAge: 0, acceptor.ParamRampOrders: 0}}),
		order.ModuleName:    section(order.Genesis{Params: map[string]uint64{order.ParamMaxTimeouts: 5000}}),
	}
	g := ledger.Genesis{ChainID: banktest.ChainID, GenesisTime: time.UnixMilli(GenesisTime).UTC(),
		Validators: []string{valAddr}, AppState: app}
	raw, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		panic(err)
	}
	return raw
}

// NewChain applies the genesis of s to the empty ledger l and commits
// block 1, in which every acceptor registers for USD and EUR and deposits
// its float and margin.
func NewChain(l *ledger.Ledger, s ChainSpec) (*Chain, error) {
	if s.Float == "" {
		s.Float = "1000000"
	}
	if s.Margin == "" {
		s.Margin = "300000"
	}
	float, err := types.ParseUSDT(s.Float)
	if err != nil {
		return nil, err
	}
	margin, err := types.ParseUSDT(s.Margin)
	if err != nil {
		return nil, err
	}
	k := NewKeepers()
	if s.Rates != nil {
		k = NewKeepersWith(s.Rates)
	}
	c := &Chain{Keepers: k, nonces: map[types.Address]uint64{}, byAddr: map[types.Address]*ecdsa.PrivateKey{}}
	c.Acceptors = keys(1<<20, s.Acceptors)
	c.Merchants = keys(2<<20, s.Merchants)
	for _, key := range append(append([]*ecdsa.PrivateKey(nil), c.Acceptors...), c.Merchants...) {
		c.byAddr[types.PubkeyAddress(key)] = key
	}
	validator := banktest.DeterministicKey(1 << 40)
	c.Chain = &banktest.Chain{Ledger: l, Router: NewRouter(k), Validator: validator,
		Genesis: ChainGenesis(validator, c.Acceptors, c.Merchants, float, margin), Treasury: Treasury}
	if err := l.InitGenesis(c.Genesis, c.Router); err != nil {
		return nil, err
	}
	var txs []*types.Tx
	for _, key := range c.Acceptors {
		a := types.PubkeyAddress(key)
		methods := []acceptor.PaymentMethod{Method("EUR", a.Hex()), Method("USD", a.Hex())}
		txs = append(txs,
			c.Sign(key, &acceptor.MsgRegister{Currencies: []string{"EUR", "USD"}, Methods: methods}),
			c.Sign(key, &acceptor.MsgDepositFloat{Amount: float}),
			c.Sign(key, &acceptor.MsgDepositMargin{Amount: margin}))
	}
	if _, err := c.ProduceOK(txs); err != nil {
		return nil, err
	}
	return c, nil
}

// keys derives n deterministic keys in parallel (derivation is slow).
func keys(base uint64, n int) []*ecdsa.PrivateKey {
	out := make([]*ecdsa.PrivateKey, n)
	Parallel(n, func(i int) { out[i] = banktest.DeterministicKey(base + uint64(i)) })
	return out
}

// Parallel runs fn(0..n-1) on every CPU (for test set-up, never in a
// state transition).
func Parallel(n int, fn func(i int)) { parallel.ForEach(n, 0, fn) }

// Key returns the key of a chain account.
func (c *Chain) Key(a types.Address) *ecdsa.PrivateKey { return c.byAddr[a] }

// Sign signs msg from key with its next nonce and the minimum fee. It is
// safe for concurrent use, but the nonce order is the call order per key.
func (c *Chain) Sign(key *ecdsa.PrivateKey, msg interface{ TxType() types.TxType }) *types.Tx {
	a := types.PubkeyAddress(key)
	c.mu.Lock()
	n := c.nonces[a]
	c.nonces[a] = n + 1
	c.mu.Unlock()
	tx, err := types.SignTx(&types.Tx{ChainID: banktest.ChainID, Nonce: n, Type: msg.TxType(),
		Payload: core.Encode(msg), Fee: banktest.MinFee}, key)
	if err != nil {
		panic(err)
	}
	return tx
}

// ProduceOK builds and commits a block one second after the last and
// fails if a transaction was dropped or its message failed.
func (c *Chain) ProduceOK(txs []*types.Tx) (*ledger.Executed, error) {
	return c.ProduceAfter(1000, txs)
}

// ProduceAfter is ProduceOK for a block dt ms after the last.
func (c *Chain) ProduceAfter(dt uint64, txs []*types.Tx) (*ledger.Executed, error) {
	last := c.Ledger.Last()
	t := ledger.Template{Time: last.Time + dt, Proposer: types.PubkeyAddress(c.Validator)}
	if last.Height > 0 {
		cert, err := c.Ledger.Cert(last.Height)
		if err != nil {
			return nil, err
		}
		t.LastCert = cert
	}
	x, dropped, err := c.Ledger.Build(t, txs, c.Router)
	if err != nil {
		return nil, err
	}
	if err := c.Ledger.Commit(x, c.Cert(x.Block)); err != nil {
		return nil, err
	}
	// Every module's invariants hold after every block.
	if !c.NoBlockInvariants {
		if msg := Invariants(c.Keepers, c.Ledger.State()); msg != "" {
			return nil, fmt.Errorf("block %d: invariant broken: %s", x.Block.Height(), msg)
		}
	}
	if len(dropped) > 0 {
		return nil, fmt.Errorf("block %d: %d dropped, first: %v", x.Block.Height(), len(dropped), dropped[0].Err)
	}
	for i, rc := range x.Receipts {
		if rc.Status != types.StatusOK {
			return nil, fmt.Errorf("block %d tx %d: %s", x.Block.Height(), i, rc.Error)
		}
	}
	return x, nil
}
