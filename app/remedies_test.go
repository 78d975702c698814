package app_test

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/types"
)

// chain is one ledger of a profile producing real blocks (build, execute,
// commit) with one transaction each.
type chain struct {
	t      *testing.T
	a      *app.App
	lc     *banktest.Chain
	nonces map[int]uint64
}

func newChain(t *testing.T, p app.Profile, appState map[string]json.RawMessage) *chain {
	t.Helper()
	a, err := app.New(p, govtest.ChainID)
	if err != nil {
		t.Fatal(err)
	}
	l, err := ledger.Open(kv.BackendMemory, "", kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	val := banktest.DeterministicKey(1 << 40)
	raw, err := json.Marshal(ledger.Genesis{ChainID: govtest.ChainID, Profile: string(p),
		GenesisTime: time.UnixMilli(int64(govtest.GenesisTime)).UTC(), Validators: []string{types.PubkeyAddress(val).Hex()},
		AppState: appState})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.InitGenesis(raw, a.Router); err != nil {
		t.Fatal(err)
	}
	return &chain{t: t, a: a, lc: &banktest.Chain{Ledger: l, Router: a.Router, Validator: val, Genesis: raw}, nonces: map[int]uint64{}}
}

// send puts key's msg alone in the next block and returns its receipt.
func (c *chain) send(key int, typ types.TxType, msg any) *types.Receipt {
	c.t.Helper()
	tx := signed(c.t, key, c.nonces[key], typ, msg)
	x, dropped, err := c.lc.Produce([]*types.Tx{tx})
	if err != nil || len(dropped) > 0 || len(x.Receipts) != 1 {
		c.t.Fatalf("produce: %v, dropped %v", err, dropped)
	}
	c.nonces[key]++
	return x.Receipts[0]
}

func (c *chain) ok(key int, typ types.TxType, msg any) *types.Receipt {
	c.t.Helper()
	rc := c.send(key, typ, msg)
	if rc.Status != types.StatusOK {
		c.t.Fatalf("tx %#x refused: %s", typ, rc.Error)
	}
	return rc
}

// refused checks the transaction's receipt failed with want (the
// router rolls back all but the nonce and the fee; the callers check the
// state they care about).
func (c *chain) refused(want error, key int, typ types.TxType, msg any) {
	c.t.Helper()
	rc := c.send(key, typ, msg)
	if rc.Status != types.StatusFailed || !strings.Contains(rc.Error, want.Error()) {
		c.t.Fatalf("tx %#x: status %d %q, want failure %q", typ, rc.Status, rc.Error, want)
	}
}

func (c *chain) propose(acts ...gov.Action) {
	c.t.Helper()
	rc := c.ok(0, gov.TypePropose, &gov.MsgPropose{Actions: acts})
	if !hasEvent(rc, gov.EventExecuted) {
		c.t.Fatalf("proposal not executed: %+v", rc.Events)
	}
}

func hasEvent(rc *types.Receipt, typ string) bool {
	for _, e := range rc.Events {
		if e.Type == typ {
			return true
		}
	}
	return false
}

func keys(first uint64, n int) []*ecdsa.PrivateKey {
	ks := make([]*ecdsa.PrivateKey, n)
	for i := range ks {
		ks[i] = banktest.DeterministicKey(first + uint64(i))
	}
	return ks
}

func addrs(ks []*ecdsa.PrivateKey) []types.Address {
	out := make([]types.Address, len(ks))
	for i, k := range ks {
		out[i] = types.PubkeyAddress(k)
	}
	return out
}

func quoted(ks []*ecdsa.PrivateKey) []string {
	out := make([]string, len(ks))
	for i, a := range addrs(ks) {
		out[i] = a.Hex()
	}
	return out
}

func mustJSON(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const usdt = types.MicroPerUSDT

// TestGovRemediesOnMain runs main's blocks: a conflicting checkpoint
// halts side → main releases until a gov proposal resumes them, and a
// gov-paused bridge refuses deposits and withdrawals until gov unpauses.
func TestGovRemediesOnMain(t *testing.T) {
	const sideID = "accord-side-1"
	side := keys(7000, 4)
	st := govtest.Setup{Roles: []govtest.KeyRole{{Key: 2, Role: gov.RoleBridgeSigner}},
		Params: map[string]map[string]string{"bridge": {"attest_threshold": "1"}}}.Genesis()
	st[checkpoint.ModuleName] = mustJSON(t, checkpoint.Genesis{Chains: []checkpoint.GenesisChain{{ChainID: sideID, Validators: quoted(side)}}})
	m := newChain(t, app.Main, st)
	k, s := m.a.Keepers, m.lc.Ledger.State
	alice, bob := types.PubkeyAddress(banktest.DeterministicKey(1)), types.PubkeyAddress(banktest.DeterministicKey(5))
	m.ok(1, bridge.TypeLock, &bridge.MsgLock{ChainID: sideID, Recipient: alice, Amount: 100 * usdt})

	// Side blocks 1..4; block 3 burns 40 USDT for bob.
	var hdrs []types.Header
	var rcpts [][]*types.Receipt
	var parent types.Hash
	for h := uint64(1); h <= 4; h++ {
		rs := []*types.Receipt{{TxHash: types.Keccak([]byte(fmt.Sprint("side", h)))}}
		if h == 3 {
			rs = append(rs, &types.Receipt{TxHash: types.Keccak([]byte("burn")), Events: []types.Event{{Type: bridge.EventBurned,
				Attrs: []types.Attr{{Key: "recipient", Value: bob.Hex()}, {Key: "amount", Value: core.U64(40 * usdt)}}}}})
		}
		hdr := types.Header{ChainID: sideID, Height: h, Time: h, ParentHash: parent, ReceiptRoot: types.ReceiptRoot(rs), TxCount: uint32(len(rs))}
		parent = hdr.Hash()
		hdrs, rcpts = append(hdrs, hdr), append(rcpts, rs)
	}
	var hashes []types.Hash
	for _, h := range hdrs {
		hashes = append(hashes, h.Hash())
	}
	vh := (&types.ValidatorSet{Validators: addrs(side)}).Hash()
	submit := func(root types.Hash) *types.Receipt {
		cp := checkpoint.Checkpoint{ChainID: sideID, Number: 1, Start: 1, End: 4, BlocksRoot: root, AppHash: types.Hash{1},
			ValidatorsHash: vh, NextValidatorsHash: vh}
		msg := &checkpoint.MsgSubmit{Checkpoint: cp}
		for i, key := range side {
			sig, err := checkpoint.Sign(&cp, uint32(i), key)
			if err != nil {
				t.Fatal(err)
			}
			msg.Sigs = append(msg.Sigs, sig)
		}
		return m.ok(3, checkpoint.TypeSubmit, msg)
	}
	submit(proof.BlocksRoot(hashes))
	// The same signers sign another root for the anchored range: evidence,
	// and the chain's releases halt.
	if rc := submit(types.Hash{0xba, 0xd}); !hasEvent(rc, checkpoint.EventConflict) || !k.Checkpoint.Halted(s(), sideID) {
		t.Fatalf("conflict not recorded: %+v", rc.Events)
	}
	rp, err := proof.ProveReceipt(rcpts[2], 1)
	if err != nil {
		t.Fatal(err)
	}
	path, err := proof.HeaderPath(hashes, 2)
	if err != nil {
		t.Fatal(err)
	}
	release := &bridge.MsgRelease{ChainID: sideID, Proof: (&proof.BurnProof{Header: hdrs[2], Receipt: *rp, HeaderPath: path, EventIndex: 0}).Encode()}
	m.refused(bridge.ErrChainHalted, 4, bridge.TypeRelease, release)
	if k.Bank.Balance(s(), bob) != 1_000_000*usdt {
		t.Fatalf("bob's balance moved while halted: %d", k.Bank.Balance(s(), bob))
	}
	// A non-admin cannot resume; an admin's proposal does.
	m.refused(gov.ErrNotAdmin, 4, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.ResumeCheckpointsAction(sideID)}})
	if !k.Checkpoint.Halted(s(), sideID) {
		t.Fatal("resumed by a non-admin")
	}
	m.propose(gov.ResumeCheckpointsAction(sideID))
	if k.Checkpoint.Halted(s(), sideID) {
		t.Fatal("still halted after the gov proposal")
	}
	bobBefore := k.Bank.Balance(s(), bob)
	m.ok(4, bridge.TypeRelease, release)
	if got := k.Bank.Balance(s(), bob); got != bobBefore+40*usdt || k.Bridge.Locked(s(), sideID) != 60*usdt {
		t.Fatalf("release: bob %d (was %d), locked %d", got, bobBefore, k.Bridge.Locked(s(), sideID))
	}
	// Resuming a chain that is not halted is refused (and the proposal,
	// failing at execution, changes nothing).
	m.refused(checkpoint.ErrNotHalted, 0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.ResumeCheckpointsAction(sideID)}})

	// Gov replaces the side chain's checkpoint signers (an unknown chain is
	// refused and changes nothing).
	next := keys(9000, 3)
	m.refused(checkpoint.ErrUnknownChain, 0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.ReplaceCheckpointSetAction("accord-side-9", addrs(next)...)}})
	m.propose(gov.ReplaceCheckpointSetAction(sideID, addrs(next)...))
	if c, err := k.Checkpoint.Chain(s(), sideID); err != nil || c.ValidatorsHash != (&types.ValidatorSet{Validators: addrs(next)}).Hash() || c.ValidatorsHash == vh {
		t.Fatalf("chain after the replacement: %+v %v", c, err)
	}

	// Pause: deposits, withdrawals (and locks, releases) are refused.
	m.propose(gov.SetBridgePausedAction(true))
	if !k.Bridge.Paused(s()) {
		t.Fatal("not paused")
	}
	deposit := &bridge.MsgAttestDeposit{ExtChainID: 1337, ExtTxHash: types.Hash{0xd1}, Recipient: alice, Amount: 5 * usdt}
	withdraw := &bridge.MsgWithdraw{ExtAddress: types.Address{0xee}, Amount: 3 * usdt}
	supply := k.Bank.Supply(s())
	m.refused(bridge.ErrPaused, 2, bridge.TypeAttestDeposit, deposit)
	m.refused(bridge.ErrPaused, 1, bridge.TypeWithdraw, withdraw)
	m.refused(bridge.ErrPaused, 1, bridge.TypeLock, &bridge.MsgLock{ChainID: sideID, Recipient: alice, Amount: 1})
	if got := k.Bank.Supply(s()); got != supply || k.Bridge.Locked(s(), sideID) != 60*usdt {
		t.Fatalf("supply %d (was %d), locked %d while paused", got, supply, k.Bridge.Locked(s(), sideID))
	}
	m.refused(gov.ErrNotAdmin, 4, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.SetBridgePausedAction(false)}})
	m.refused(bridge.ErrPaused, 0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.SetBridgePausedAction(true)}})
	m.propose(gov.SetBridgePausedAction(false))
	aliceBefore := k.Bank.Balance(s(), alice)
	m.ok(2, bridge.TypeAttestDeposit, deposit)
	if got := k.Bank.Balance(s(), alice); got != aliceBefore+5*usdt {
		t.Fatalf("deposit after unpause: alice %d, was %d", got, aliceBefore)
	}
	m.ok(1, bridge.TypeWithdraw, withdraw)
	if got := k.Bank.Balance(s(), alice); got != aliceBefore+5*usdt-3*usdt-banktest.MinFee {
		t.Fatalf("withdraw after unpause: alice %d", got)
	}
	m.refused(bridge.ErrNotPaused, 0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.SetBridgePausedAction(false)}})
}

// TestGovUnfreezesLightClientOnSide runs side's blocks: two certificates
// for different main blocks at one height freeze the client of main, an
// update is then refused, and a gov proposal unfreezes it.
func TestGovUnfreezesLightClientOnSide(t *testing.T) {
	const mainID = "accord-main"
	mainKeys := keys(8000, 4)
	st := govtest.Setup{}.Genesis()
	st[lightclient.ModuleName] = mustJSON(t, lightclient.Genesis{ChainID: mainID, Validators: quoted(mainKeys)})
	sd := newChain(t, app.Side, st)
	k, s := sd.a.Keepers, sd.lc.Ledger.State
	vh := (&types.ValidatorSet{Validators: addrs(mainKeys)}).Hash()
	update := func(h uint64, salt string) *lightclient.MsgUpdate {
		rs := []*types.Receipt{{TxHash: types.Keccak([]byte(fmt.Sprint(salt, h)))}}
		hdr := types.Header{ChainID: mainID, Height: h, Time: 1000 * h, ReceiptRoot: types.ReceiptRoot(rs),
			StateRoot: types.Keccak([]byte(salt)), ValidatorsHash: vh, TxCount: 1}
		cert := types.CommitCert{Height: h, View: 1, BlockHash: hdr.Hash()}
		for i, key := range mainKeys {
			sig, err := types.SignDigest(types.CommitDigest(mainID, h, 1, hdr.Hash()), key)
			if err != nil {
				t.Fatal(err)
			}
			cert.Sigs = append(cert.Sigs, types.CommitSig{Index: uint32(i), Sig: sig})
		}
		return &lightclient.MsgUpdate{Header: hdr, Cert: cert}
	}
	sd.ok(3, lightclient.TypeUpdate, update(1, "a"))
	rc := sd.ok(3, lightclient.TypeUpdate, update(1, "fork"))
	if c, err := k.LightClient.Client(s()); err != nil || !c.Frozen || !hasEvent(rc, lightclient.EventFrozen) {
		t.Fatalf("client after a conflicting certificate: %+v %v (events %+v)", c, err, rc.Events)
	}
	sd.refused(lightclient.ErrFrozen, 3, lightclient.TypeUpdate, update(2, "a"))
	sd.refused(gov.ErrNotAdmin, 4, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.UnfreezeLightClientAction(mainID)}})
	sd.refused(lightclient.ErrWrongChain, 0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.UnfreezeLightClientAction("accord-main-2")}})
	// Side has no main bridge to pause: the action is refused there.
	sd.refused(gov.ErrNotWired, 0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.SetBridgePausedAction(true)}})
	if c, _ := k.LightClient.Client(s()); !c.Frozen {
		t.Fatal("unfrozen by a refused proposal")
	}
	sd.propose(gov.UnfreezeLightClientAction(mainID))
	if c, _ := k.LightClient.Client(s()); c.Frozen {
		t.Fatal("still frozen")
	}
	sd.ok(3, lightclient.TypeUpdate, update(2, "a"))
	if c, _ := k.LightClient.Client(s()); c.Latest != 2 {
		t.Fatalf("latest %d after the update", c.Latest)
	}
	sd.refused(lightclient.ErrNotFrozen, 0, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{gov.UnfreezeLightClientAction(mainID)}})
}
