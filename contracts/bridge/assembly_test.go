package bridge_test

import (
	"crypto/ecdsa"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// TestMainToSideThroughRouters assembles main (bank, gov, checkpoint,
// bridge) and side (bank, lightclient) routers as an app assembly would,
// sends a signed MsgLock on main through the router (ante included), seals
// the receipts into a main header certified by main's four validators,
// relays it to side's light client through side's router, and proves the
// lock's receipt there and mints it; a burn on side is then checkpointed
// to main (signed by side's validators) and released from the escrow:
// main → side → main at module level, every message a signed transaction
// through its chain's router.
func TestMainToSideThroughRouters(t *testing.T) {
	const mainID, sideID = "accord-main", "accord-side-1"
	var keys, vals []*ecdsaKey
	for i := range 3 {
		keys = append(keys, newKey(300+i))
	}
	for i := range 4 {
		vals = append(vals, newKey(400+i))
	}
	var gk gov.Keeper
	var bk bank.Keeper
	main, err := core.NewRouter(mainID, []core.Ante{bk.Ante},
		bank.Module{Blocked: []types.Address{bridge.EscrowAddress}},
		gov.Module{},
		checkpoint.NewModule(),
		bridge.NewModule(bridge.NewKeeper(bridge.Deps{Bank: bk, Roles: gk, Checkpoints: checkpoint.Keeper{}, Params: gk})),
	)
	if err != nil {
		t.Fatal(err)
	}
	side, err := core.NewRouter(sideID, []core.Ante{bk.Ante}, bank.Module{}, lightclient.NewModule(),
		sidebridge.NewModule(sidebridge.NewKeeper(bk, lightclient.Keeper{})))
	if err != nil {
		t.Fatal(err)
	}
	valAddrs := make([]string, len(vals))
	for i, v := range vals {
		valAddrs[i] = v.addr.Hex()
	}
	mainSt, sideSt := state.NewOverlay(nil), state.NewOverlay(nil)
	genesis := map[string]json.RawMessage{
		"bank": js(t, bank.Genesis{MinFee: "0.01", Accounts: []bank.GenesisAccount{
			{Address: keys[0].addr.Hex(), Balance: "1000"}, {Address: keys[1].addr.Hex(), Balance: "1"}}}),
		"gov": js(t, gov.Genesis{Admins: []string{keys[2].addr.Hex()}, Threshold: 1,
			Roles: []gov.GenesisRole{{Address: keys[1].addr.Hex(), Role: "bridge_signer"}}}),
		"checkpoint": js(t, checkpoint.Genesis{Chains: []checkpoint.GenesisChain{{ChainID: sideID, Validators: valAddrs}}}),
		"bridge":     json.RawMessage(`{"params":{"attest_threshold":1}}`),
	}
	if err := main.InitGenesis(core.Block{ChainID: mainID}, mainSt, genesis); err != nil {
		t.Fatal(err)
	}
	sideGenesis := map[string]json.RawMessage{
		"bank":        js(t, bank.Genesis{MinFee: "0.01", Accounts: []bank.GenesisAccount{{Address: keys[2].addr.Hex(), Balance: "10"}}}),
		"lightclient": js(t, lightclient.Genesis{ChainID: mainID, Validators: valAddrs}),
	}
	if err := side.InitGenesis(core.Block{ChainID: sideID}, sideSt, sideGenesis); err != nil {
		t.Fatal(err)
	}

	blk := core.Block{ChainID: mainID, Height: 1, Time: 1_700_000_000_000}
	send := func(r *core.Router, st state.Journaled, b core.Block, k *ecdsaKey, nonce uint64, typ types.TxType, msg any) *types.Receipt {
		t.Helper()
		tx, err := types.SignTx(&types.Tx{ChainID: b.ChainID, Nonce: nonce, Type: typ, Payload: core.Encode(msg), Fee: 10_000}, k.key)
		if err != nil {
			t.Fatal(err)
		}
		rc, err := r.ApplyTx(b, st, tx)
		if err != nil {
			t.Fatal(err)
		}
		if rc.Status != types.StatusOK {
			t.Fatalf("%#x: %s", typ, rc.Error)
		}
		return rc
	}
	// A plain transfer into the escrow is refused; a lock is the way in.
	tr, _ := types.SignTx(&types.Tx{ChainID: mainID, Nonce: 0, Type: bank.TypeTransfer,
		Payload: core.Encode(&bank.MsgTransfer{To: bridge.EscrowAddress, Amount: 1}), Fee: 10_000}, keys[0].key)
	if rc, err := main.ApplyTx(blk, mainSt, tr); err != nil || rc.Status != types.StatusFailed {
		t.Fatalf("transfer into the escrow: %+v %v", rc, err)
	}
	lock := send(main, mainSt, blk, keys[0], 1, bridge.TypeLock,
		&bridge.MsgLock{ChainID: sideID, Recipient: keys[2].addr, Amount: 600 * types.MicroPerUSDT})
	rs := []*types.Receipt{lock}
	hdr := types.Header{ChainID: mainID, Height: 1, Time: blk.Time, ReceiptRoot: types.ReceiptRoot(rs),
		StateRoot: types.Keccak([]byte("app")), ValidatorsHash: setHash(vals), TxCount: 1}
	cert := types.CommitCert{Height: 1, BlockHash: hdr.Hash()}
	for i, v := range vals[:3] {
		sig, err := types.SignDigest(types.CommitDigest(mainID, 1, 0, hdr.Hash()), v.key)
		if err != nil {
			t.Fatal(err)
		}
		cert.Sigs = append(cert.Sigs, types.CommitSig{Index: uint32(i), Sig: sig})
	}
	sblk := core.Block{ChainID: sideID, Height: 1, Time: blk.Time}
	send(side, sideSt, sblk, keys[2], 0, lightclient.TypeUpdate, &lightclient.MsgUpdate{Header: hdr, Cert: cert})
	p, err := proof.ProveReceipt(rs, 0)
	if err != nil {
		t.Fatal(err)
	}
	ev, id, err := lightclient.Keeper{}.VerifyReceipt(sideSt, 1, p, 0)
	if err != nil {
		t.Fatalf("proven on side: %v", err)
	}
	if l, err := bridge.DecodeLocked(ev); err != nil || l.Amount != 600_000_000 || l.Recipient != keys[2].addr || l.Chain != sideID {
		t.Fatalf("proven lock %+v: %v", l, err)
	}
	if id != proof.LockID(mainID, 1, 0, 0) {
		t.Fatal("lock id")
	}
	mint := &sidebridge.MsgMint{MainHeight: 1, Proof: *p}
	send(side, sideSt, sblk, keys[2], 1, sidebridge.TypeMint, mint)
	if got := bk.Balance(sideSt, keys[2].addr); got != 600*types.MicroPerUSDT+10*types.MicroPerUSDT-2*10_000 {
		t.Fatalf("side balance %d", got)
	}
	replay, _ := types.SignTx(&types.Tx{ChainID: sideID, Nonce: 2, Type: sidebridge.TypeMint, Payload: core.Encode(mint), Fee: 10_000}, keys[2].key)
	if rc, err := side.ApplyTx(sblk, sideSt, replay); err != nil || rc.Status != types.StatusFailed {
		t.Fatalf("second mint of one lock: %+v %v", rc, err)
	}

	// side → main: burn 200, seal side blocks 1..4 (the burn in block 3),
	// checkpoint them on main, release.
	burn := send(side, sideSt, sblk, keys[2], 3, sidebridge.TypeBurn, &sidebridge.MsgBurn{Recipient: keys[1].addr, Amount: 200 * types.MicroPerUSDT})
	var hashes []types.Hash
	var burnHdr types.Header
	var burnProof proof.BurnProof
	var parent types.Hash
	for h := uint64(1); h <= 4; h++ {
		rs := []*types.Receipt{{TxHash: types.Keccak([]byte(fmt.Sprint("side", h)))}}
		if h == 3 {
			rs = []*types.Receipt{rs[0], burn}
		}
		sh := types.Header{ChainID: sideID, Height: h, Time: h, ParentHash: parent, ReceiptRoot: types.ReceiptRoot(rs),
			StateRoot: types.Keccak([]byte{byte(h)}), ValidatorsHash: setHash(vals), TxCount: uint32(len(rs))}
		parent = sh.Hash()
		hashes = append(hashes, parent)
		if h == 3 {
			burnHdr = sh
			bp, err := proof.ProveReceipt(rs, 1)
			if err != nil {
				t.Fatal(err)
			}
			burnProof.Receipt = *bp
		}
	}
	cp := checkpoint.Checkpoint{ChainID: sideID, Number: 1, Start: 1, End: 4, BlocksRoot: proof.BlocksRoot(hashes),
		AppHash: types.Keccak([]byte{4}), ValidatorsHash: setHash(vals), NextValidatorsHash: setHash(vals)}
	sub := &checkpoint.MsgSubmit{Checkpoint: cp}
	for i, v := range vals[1:] {
		s, err := checkpoint.Sign(&cp, uint32(i+1), v.key)
		if err != nil {
			t.Fatal(err)
		}
		sub.Sigs = append(sub.Sigs, s)
	}
	send(main, mainSt, blk, keys[1], 0, checkpoint.TypeSubmit, sub)
	path, err := proof.HeaderPath(hashes, 2)
	if err != nil {
		t.Fatal(err)
	}
	burnProof.Header, burnProof.HeaderPath, burnProof.EventIndex = burnHdr, path, 0
	release := &bridge.MsgRelease{ChainID: sideID, Proof: burnProof.Encode()}
	before := bk.Balance(mainSt, keys[1].addr)
	send(main, mainSt, blk, keys[1], 1, bridge.TypeRelease, release)
	if got := bk.Balance(mainSt, keys[1].addr); got != before+200*types.MicroPerUSDT-10_000 {
		t.Fatalf("released %d", got-before)
	}
	if got := bk.Balance(mainSt, bridge.EscrowAddress); got != 400*types.MicroPerUSDT {
		t.Fatalf("escrow %d", got)
	}
	again, _ := types.SignTx(&types.Tx{ChainID: mainID, Nonce: 2, Type: bridge.TypeRelease, Payload: core.Encode(release), Fee: 10_000}, keys[1].key)
	if rc, err := main.ApplyTx(blk, mainSt, again); err != nil || rc.Status != types.StatusFailed {
		t.Fatalf("second release: %+v %v", rc, err)
	}
}

type ecdsaKey struct {
	key  *ecdsa.PrivateKey
	addr types.Address
}

func newKey(seed int) *ecdsaKey {
	k := banktest.DeterministicKey(uint64(seed))
	return &ecdsaKey{key: k, addr: types.PubkeyAddress(k)}
}

func setHash(ks []*ecdsaKey) types.Hash {
	var vs types.ValidatorSet
	for _, k := range ks {
		vs.Validators = append(vs.Validators, k.addr)
	}
	return vs.Hash()
}

func js(t *testing.T, v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(fmt.Errorf("genesis: %w", err))
	}
	return b
}
