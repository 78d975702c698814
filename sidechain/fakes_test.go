package sidechain

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"slices"
	"testing"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// The fakes are in-memory chains that run the real module keepers through
// core.Router: a block is the mempool applied in order, its header carries
// the real receipt root, and main's headers get a certificate from main's
// validators. Only consensus is missing.

const mainID, sideID = "accord-main", "accord-side-1"

type testKey struct {
	key  *ecdsa.PrivateKey
	addr types.Address
}

func newKey(seed int) testKey {
	k := banktest.DeterministicKey(uint64(seed))
	return testKey{key: k, addr: types.PubkeyAddress(k)}
}

func addrs(ks []testKey) []types.Address {
	out := make([]types.Address, len(ks))
	for i, k := range ks {
		out[i] = k.addr
	}
	return out
}

func hexes(ks []testKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.addr.Hex()
	}
	return out
}

func js(t testing.TB, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var errKnownTx = fmt.Errorf("fake: %w", ErrKnownTx)

type fakeChain struct {
	t        testing.TB
	id       string
	router   *core.Router
	st       *state.Overlay
	vals     []testKey
	mempool  []*types.Tx
	known    map[types.Hash]bool
	headers  []types.Header
	receipts [][]*types.Receipt
	certs    []types.CommitCert
	// what the tests check
	submits, resubmits int
	included           []*types.Receipt
	includedTx         []*types.Tx
	calls              map[string]int
	// onBlock runs after every block (the story test's invariant).
	onBlock func()
	// skew is added to every block time from now on (tests that jump
	// to a deadline); it only grows.
	skew uint64
}

var bk bank.Keeper

func newFake(t testing.TB, id string, r *core.Router, vals []testKey, genesis map[string]json.RawMessage) *fakeChain {
	c := &fakeChain{t: t, id: id, router: r, st: state.NewOverlay(nil), vals: vals, known: map[types.Hash]bool{}, calls: map[string]int{}}
	if err := r.InitGenesis(core.Block{ChainID: id}, c.st, genesis); err != nil {
		t.Fatal(err)
	}
	return c
}

func (c *fakeChain) height() uint64 { return uint64(len(c.headers)) }

func (c *fakeChain) submit(tx *types.Tx) error {
	c.calls["submit"]++
	if c.known[tx.Hash()] {
		c.resubmits++
		return errKnownTx
	}
	c.known[tx.Hash()] = true
	c.submits++
	c.mempool = append(c.mempool, tx)
	return nil
}

func (c *fakeChain) nonce(a types.Address) uint64 { return bk.GetAccount(c.st, a).Nonce }

// produce seals one block of the mempool (a transaction whose nonce is
// ahead waits; one behind is dropped, as a mempool would).
func (c *fakeChain) produce() {
	h := c.height() + 1
	b := core.Block{ChainID: c.id, Height: h, Time: 1_700_000_000_000 + h*1000 + c.skew}
	if _, err := c.router.BeginBlock(b, c.st); err != nil {
		c.t.Fatal(err)
	}
	var rs []*types.Receipt
	var keep []*types.Tx
	for _, tx := range c.mempool {
		from, _ := tx.Sender()
		if n := c.nonce(from); tx.Nonce > n {
			keep = append(keep, tx)
			continue
		} else if tx.Nonce < n {
			continue
		}
		rc, err := c.router.ApplyTx(b, c.st, tx)
		if err != nil {
			c.t.Fatalf("%s: invalid tx %#x: %v", c.id, tx.Type, err)
		}
		rs = append(rs, rc)
		c.included = append(c.included, rc)
		c.includedTx = append(c.includedTx, tx)
	}
	c.mempool = keep
	var parent types.Hash
	if h > 1 {
		parent = c.headers[h-2].Hash()
	}
	hdr := types.Header{ChainID: c.id, Height: h, Time: b.Time, ParentHash: parent, ReceiptRoot: types.ReceiptRoot(rs),
		StateRoot: types.Keccak([]byte(fmt.Sprint(c.id, h))), ValidatorsHash: setHashOf(c.t, addrs(c.vals)), TxCount: uint32(len(rs))}
	cert := types.CommitCert{Height: h, BlockHash: hdr.Hash()}
	for i, v := range c.vals {
		if 3*i >= 2*len(c.vals)+1 {
			break
		}
		sig, err := types.SignDigest(types.CommitDigest(c.id, h, 0, hdr.Hash()), v.key)
		if err != nil {
			c.t.Fatal(err)
		}
		cert.Sigs = append(cert.Sigs, types.CommitSig{Index: uint32(i), Sig: sig})
	}
	c.headers = append(c.headers, hdr)
	c.receipts = append(c.receipts, rs)
	c.certs = append(c.certs, cert)
	if c.onBlock != nil {
		c.onBlock()
	}
}

// receipt is the receipt of an included transaction, or nil.
func (c *fakeChain) receipt(h types.Hash) *types.Receipt {
	for i, tx := range c.includedTx {
		if tx.Hash() == h {
			return c.included[i]
		}
	}
	return nil
}

func setHashOf(t testing.TB, a []types.Address) types.Hash {
	h, err := setHash(a)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// send signs msg and puts it in the mempool (test users, not the relayer).
func (c *fakeChain) send(k testKey, typ types.TxType, msg any) *types.Tx {
	n := c.nonce(k.addr)
	for _, tx := range c.mempool {
		if from, _ := tx.Sender(); from == k.addr && tx.Nonce >= n {
			n = tx.Nonce + 1
		}
	}
	tx, err := types.SignTx(&types.Tx{ChainID: c.id, Nonce: n, Type: typ, Payload: core.Encode(msg), Fee: 10_000}, k.key)
	if err != nil {
		c.t.Fatal(err)
	}
	c.mempool = append(c.mempool, tx)
	return tx
}

// world is main and one side chain, with the side validators' keys.
type world struct {
	main, side *fakeChain
	mainVals   []testKey
	sideVals   []testKey
	users      []testKey
	relayer    testKey
	signers    []testKey // bridge signers on main, threshold 2
	// mainApp and sideApp are the assembled applications the chains run.
	mainApp, sideApp *app.App
}

func newWorld(t testing.TB) *world { return newWorldWith(t, worldSpec{}) }

// worldSpec changes newWorld's chains (the story test's).
type worldSpec struct {
	signers   int    // bridge signers on main; 0 means 2
	threshold uint64 // their attestation threshold; 0 means 2
	// mainAccounts and sideAccounts are funded at genesis beside the
	// default accounts.
	mainAccounts, sideAccounts []bank.GenesisAccount
	sideRoles                  []gov.GenesisRole // granted on side at genesis
}

func newWorldWith(t testing.TB, spec worldSpec) *world {
	if spec.signers == 0 {
		spec.signers = 2
	}
	if spec.threshold == 0 {
		spec.threshold = 2
	}
	w := &world{relayer: newKey(900)}
	for i := range spec.signers {
		w.signers = append(w.signers, newKey(500+i))
	}
	for i := range 4 {
		w.mainVals = append(w.mainVals, newKey(100+i))
		w.sideVals = append(w.sideVals, newKey(200+i))
	}
	for i := range 3 {
		w.users = append(w.users, newKey(300+i))
	}
	// Both chains are the one app assembly's profiles, as a node runs them.
	mainApp, err := app.New(app.Main, mainID)
	if err != nil {
		t.Fatal(err)
	}
	sideApp, err := app.New(app.Side, sideID)
	if err != nil {
		t.Fatal(err)
	}
	w.mainApp, w.sideApp = mainApp, sideApp
	accounts := []bank.GenesisAccount{{Address: w.relayer.addr.Hex(), Balance: "1000000"}}
	for _, u := range w.users {
		accounts = append(accounts, bank.GenesisAccount{Address: u.addr.Hex(), Balance: "1000000"})
	}
	for _, v := range append(append(slices.Clone(w.sideVals), w.signers...), newKey(205)) {
		accounts = append(accounts, bank.GenesisAccount{Address: v.addr.Hex(), Balance: "1000"})
	}
	var signerRoles []gov.GenesisRole
	for _, s := range w.signers {
		signerRoles = append(signerRoles, gov.GenesisRole{Address: s.addr.Hex(), Role: "bridge_signer"})
	}
	w.main = newFake(t, mainID, mainApp.Router, w.mainVals, map[string]json.RawMessage{
		"bank":       js(t, bank.Genesis{MinFee: "0.01", Accounts: append(slices.Clone(accounts), spec.mainAccounts...)}),
		"gov":        js(t, gov.Genesis{Admins: []string{w.users[2].addr.Hex()}, Threshold: 1, Roles: signerRoles}),
		"checkpoint": js(t, checkpoint.Genesis{Chains: []checkpoint.GenesisChain{{ChainID: sideID, Validators: hexes(w.sideVals)}}}),
		"bridge":     json.RawMessage(fmt.Sprintf(`{"params":{"attest_threshold":%d}}`, spec.threshold)),
	})
	w.side = newFake(t, sideID, sideApp.Router, w.sideVals, map[string]json.RawMessage{
		"bank":        js(t, bank.Genesis{MinFee: "0.01", Accounts: append(slices.Clone(accounts), spec.sideAccounts...)}),
		"gov":         js(t, gov.Genesis{Admins: []string{w.users[2].addr.Hex()}, Threshold: 1, Roles: spec.sideRoles}),
		"lightclient": js(t, lightclient.Genesis{ChainID: mainID, Validators: hexes(w.mainVals)}),
	})
	return w
}

// sideBlocks is the producer's view of the fake side chain.
type sideBlocks struct{ c *fakeChain }

func (b sideBlocks) Height() (uint64, error) { return b.c.height(), nil }
func (b sideBlocks) Header(h uint64) (*types.Header, error) {
	if h == 0 || h > b.c.height() {
		return nil, fmt.Errorf("no block %d", h)
	}
	hd := b.c.headers[h-1]
	return &hd, nil
}
func (b sideBlocks) Validators(uint64) ([]types.Address, error) { return addrs(b.c.vals), nil }
