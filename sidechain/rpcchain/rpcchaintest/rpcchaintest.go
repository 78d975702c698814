// Package rpcchaintest runs a chain for the sidechain processes' tests: a
// ledger over the real app assembly (a profile plus extra modules) behind
// the real API server with the profile's module queries, served over HTTP on
// 127.0.0.1:0. Blocks are sealed when the test calls Produce, with a
// single validator's certificate; transactions wait in a list until then.
package rpcchaintest

import (
	"crypto/ecdsa"
	"encoding/json"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/mempool"
	"github.com/accordnet/accord/types"
)

// MinFee is every test chain's minimum fee.
const MinFee = 10_000

// Spec describes a chain.
type Spec struct {
	Profile   app.Profile
	ChainID   string
	Validator *ecdsa.PrivateKey // signs every block's certificate
	// MoreValidators join Validator in the genesis set (they sign nothing;
	// the set matters to checkpoints, which need its signatures).
	MoreValidators []types.Address
	// AppState is the genesis app state; bank gets MinFee and a treasury
	// unless it is given.
	AppState map[string]json.RawMessage
	Options  []app.Option
}

// Node is a running test chain.
type Node struct {
	t       testing.TB
	L       *ledger.Ledger
	URL     string
	ChainID string
	Key     *ecdsa.PrivateKey // the validator's
	router  *core.Router

	mu      sync.Mutex
	pending []*types.Tx
	seen    map[types.Hash]bool
}

// Start builds, initializes and serves a chain; the test's cleanup stops it.
func Start(t testing.TB, s Spec) *Node {
	t.Helper()
	a, err := app.New(s.Profile, s.ChainID, s.Options...)
	if err != nil {
		t.Fatal(err)
	}
	g := ledger.Genesis{ChainID: s.ChainID, GenesisTime: time.Unix(1_700_000_000, 0).UTC(),
		Validators: []string{types.PubkeyAddress(s.Validator).Hex()}, AppState: s.AppState}
	for _, v := range s.MoreValidators {
		g.Validators = append(g.Validators, v.Hex())
	}
	raw, err := json.Marshal(g)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	n := &Node{t: t, L: l, ChainID: s.ChainID, Key: s.Validator, router: a.Router, seen: map[types.Hash]bool{}}
	if err := l.InitGenesis(raw, a.Router); err != nil {
		t.Fatal(err)
	}
	// The API serves the chain reads itself; the modules' queries are
	// what a node of this profile adds.
	srv := api.NewServer(n, slog.New(slog.DiscardHandler))
	srv.RegisterC2C(api.C2C{Modules: a.Modules()})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = hs.Serve(ln) }()
	t.Cleanup(func() {
		_ = hs.Close()
		_ = l.Close()
	})
	n.URL = "http://" + ln.Addr().String()
	return n
}

// Router is the chain's app router: the modules, and through
// core.HeightRetainer what they need kept when the ledger prunes.
func (n *Node) Router() *core.Router { return n.router }

// Bank is a bank genesis section funding each address with balance USDT.
func Bank(t testing.TB, balance string, funded ...types.Address) json.RawMessage {
	accs := make([]bank.GenesisAccount, len(funded))
	for i, a := range funded {
		accs[i] = bank.GenesisAccount{Address: a.Hex(), Balance: balance}
	}
	return JSON(t, bank.Genesis{MinFee: types.FormatUSDT(MinFee), Treasury: bank.ModuleAddress("treasury").Hex(), Accounts: accs})
}

// JSON marshals v or fails the test.
func JSON(t testing.TB, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// The api.Backend the server reads.

func (n *Node) Ledger() *ledger.Ledger { return n.L }
func (n *Node) SubmitTx(raw []byte) (types.Hash, error) {
	tx, err := types.DecodeTx(raw)
	if err != nil {
		return types.Hash{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen[tx.Hash()] {
		return types.Hash{}, mempool.ErrAlreadyKnown
	}
	n.seen[tx.Hash()] = true
	n.pending = append(n.pending, tx)
	return tx.Hash(), nil
}
func (n *Node) SubmitTxs(r [][]byte) ([]types.Hash, []error) {
	hs, errs := make([]types.Hash, len(r)), make([]error, len(r))
	for i, raw := range r {
		hs[i], errs[i] = n.SubmitTx(raw)
	}
	return hs, errs
}
func (*Node) PendingNonce(types.Address) (uint64, bool) { return 0, false }
func (n *Node) MempoolSize() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.pending)
}
func (*Node) Peers() int                     { return 0 }
func (*Node) Validator() types.Address       { return types.Address{} }
func (*Node) TxTypeName(types.TxType) string { return "" }
func (*Node) MinFee() uint64                 { return MinFee }
func (*Node) Version() string                { return "test" }
func (*Node) CatchingUp() bool               { return false }

// Produce seals the waiting transactions (in nonce order per sender, as
// submitted) into the next block, one second of block time after the last.
func (n *Node) Produce() *ledger.Executed {
	n.t.Helper()
	n.mu.Lock()
	txs := n.pending
	n.pending = nil
	n.mu.Unlock()
	last := n.L.Last()
	var lastCert *types.CommitCert
	if last.Height > 0 {
		var err error
		if lastCert, err = n.L.Cert(last.Height); err != nil {
			n.t.Fatal(err)
		}
	}
	x, dropped, err := n.L.Build(ledger.Template{Time: last.Time + 1000, Proposer: types.PubkeyAddress(n.Key), LastCert: lastCert}, txs, n.router)
	if err != nil {
		n.t.Fatal(err)
	}
	for _, d := range dropped {
		n.t.Logf("%s: dropped a transaction: %v", n.ChainID, d.Err)
	}
	h := x.Block.Header.Height
	sig, err := types.SignDigest(types.CommitDigest(n.ChainID, h, 0, x.Block.Hash()), n.Key)
	if err != nil {
		n.t.Fatal(err)
	}
	if err := n.L.Commit(x, &types.CommitCert{Height: h, BlockHash: x.Block.Hash(), Sigs: []types.CommitSig{{Index: 0, Sig: sig}}}); err != nil {
		n.t.Fatal(err)
	}
	return x
}

// ProduceOK is Produce, failing the test on any failed transaction.
func (n *Node) ProduceOK() *ledger.Executed {
	n.t.Helper()
	x := n.Produce()
	for _, rc := range x.Receipts {
		if rc.Status != types.StatusOK {
			n.t.Fatalf("%s: failed transaction in block %d: %s", n.ChainID, x.Block.Header.Height, rc.Error)
		}
	}
	return x
}

// Send signs msg from key with its next nonce (counting waiting
// transactions) and queues it.
func (n *Node) Send(key *ecdsa.PrivateKey, typ types.TxType, msg any) *types.Tx {
	n.t.Helper()
	a := types.PubkeyAddress(key)
	nonce := bank.Keeper{}.GetAccount(n.L.ReadState(), a).Nonce
	n.mu.Lock()
	for _, tx := range n.pending {
		if from, _ := tx.Sender(); from == a && tx.Nonce >= nonce {
			nonce = tx.Nonce + 1
		}
	}
	n.mu.Unlock()
	tx, err := types.SignTx(&types.Tx{ChainID: n.ChainID, Nonce: nonce, Type: typ, Payload: core.Encode(msg), Fee: MinFee}, key)
	if err != nil {
		n.t.Fatal(err)
	}
	if _, err := n.SubmitTx(tx.Encode()); err != nil {
		n.t.Fatal(err)
	}
	return tx
}
