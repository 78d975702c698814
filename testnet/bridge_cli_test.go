package testnet

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// chainCLI drives the accord binary against one in-process chain.
type chainCLI struct {
	t *testing.T
	c *Cluster
}

func (x chainCLI) common() []string {
	return []string{"--home", string(x.c.Layout.Home(0)), "--node", x.c.RPCAddr(0)}
}

// tx sends a tx command as the dev key and waits for its receipt.
func (x chainCLI) tx(args ...string) (*views.Receipt, string, error) {
	x.t.Helper()
	out, errOut, err := cli(x.t, append(append(args, x.common()...), "--from", "dev", "--password-file",
		x.c.Layout.DevPasswordFile(), "--wait", "--json")...)
	var rc views.Receipt
	if jerr := json.Unmarshal([]byte(out), &rc); jerr != nil {
		return nil, out + errOut, err
	}
	return &rc, out + errOut, err
}

func (x chainCLI) ok(args ...string) *views.Receipt {
	x.t.Helper()
	rc, out, err := x.tx(args...)
	if err != nil || rc == nil || rc.Status != "ok" {
		x.t.Fatalf("%v: %v\n%s", args, err, out)
	}
	// Query state follows the commit after the receipt is indexed.
	if err := x.c.WaitHeight(context.Background(), 0, rc.Height+1); err != nil {
		x.t.Fatal(err)
	}
	return rc
}

// refused runs a command that must fail with want in its output, and
// leaves the dev balance as it was but for a failed receipt's fee.
func (x chainCLI) refused(want string, args ...string) {
	x.t.Helper()
	before := x.balance(x.c.Dev)
	rc, out, err := x.tx(args...)
	if err == nil || !strings.Contains(out, want) {
		x.t.Fatalf("%v: want a refusal with %q, got %v\n%s", args, want, err, out)
	}
	var fee uint64
	if rc != nil {
		fee = rc.FeeMicro
		if err := x.c.WaitHeight(context.Background(), 0, rc.Height+1); err != nil {
			x.t.Fatal(err)
		}
	}
	if after := x.balance(x.c.Dev); after != before-fee {
		x.t.Fatalf("%v refused but the balance moved %d → %d (fee %d)", args, before, after, fee)
	}
}

func (x chainCLI) query(out any, args ...string) {
	x.t.Helper()
	o, errOut, err := cli(x.t, append(append([]string{"query"}, args...), x.common()...)...)
	if err != nil {
		x.t.Fatalf("query %v: %v\n%s", args, err, errOut)
	}
	if err := json.Unmarshal([]byte(o), out); err != nil {
		x.t.Fatalf("query %v: %v\n%s", args, err, o)
	}
}

func (x chainCLI) queryFails(want string, args ...string) {
	x.t.Helper()
	o, errOut, err := cli(x.t, append(append([]string{"query"}, args...), x.common()...)...)
	if err == nil || !strings.Contains(errOut, want) {
		x.t.Fatalf("query %v: want an error with %q, got %v\n%s%s", args, want, err, o, errOut)
	}
}

func (x chainCLI) balance(a types.Address) uint64 {
	x.t.Helper()
	acc, err := x.c.Client(0).Account(context.Background(), a)
	if err != nil {
		x.t.Fatal(err)
	}
	return acc.BalanceMicro
}

func event[E any, P interface {
	*E
	bridgeEvent
}](t *testing.T, rc *views.Receipt) E {
	t.Helper()
	var e E
	if found, err := rc.FindEvent(P(&e)); !found || err != nil {
		t.Fatalf("receipt %+v: no %T (%v)", rc, e, err)
	}
	return e
}

type bridgeEvent interface{ EventType() string }

// rawBlock reads accord_getRawBlock and decodes it.
func rawBlock(t *testing.T, c *client.Client, h uint64) (*types.Header, *types.CommitCert, []*types.Receipt) {
	t.Helper()
	var rb node.RawBlock
	if err := c.Call(context.Background(), node.MethodRawBlock, &rb, h); err != nil {
		t.Fatal(err)
	}
	var hdr types.Header
	if err := rlp.DecodeBytes(rb.Header, &hdr); err != nil || hdr.Hash() != rb.Hash || hdr.Height != h {
		t.Fatalf("raw header %d: %v", h, err)
	}
	cert, err := types.DecodeCommitCert(rb.Cert)
	if err != nil || cert.BlockHash != rb.Hash {
		t.Fatalf("raw cert %d: %v", h, err)
	}
	rs := make([]*types.Receipt, len(rb.Receipts))
	for i, raw := range rb.Receipts {
		rs[i] = new(types.Receipt)
		if err := rlp.DecodeBytes(raw, rs[i]); err != nil {
			t.Fatal(err)
		}
	}
	if types.ReceiptRoot(rs) != hdr.ReceiptRoot {
		t.Fatalf("raw receipts of %d do not match the header's root", h)
	}
	return &hdr, cert, rs
}

func send(t *testing.T, c *Cluster, typ types.TxType, msg any) *views.Receipt {
	t.Helper()
	ctx := context.Background()
	st, err := c.Client(0).Status(ctx)
	if err != nil {
		t.Fatal(err)
	}
	s := client.NewSigner(DevKey(), st.ChainID, st.MinFeeMicro)
	tx, err := s.Submit(ctx, c.Client(0), typ, msg)
	if err != nil {
		t.Fatal(err)
	}
	rc, err := c.Client(0).WaitReceipt(ctx, tx.Hash())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.WaitHeight(ctx, 0, rc.Height+1); err != nil {
		t.Fatal(err)
	}
	return rc
}

// TestBridgeCLIAcrossTwoChains drives the bridge, checkpoint and light
// client commands and queries through the binary against a main and a
// side node: an external deposit minted on main (and its replay refused),
// a lock minted on side through the light client over accord_getRawBlock,
// a burn on side released on main with accord_getBurnProof's proof once a
// checkpoint covers it — refused before, for another chain, truncated, and
// a second time — and a withdrawal.
func TestBridgeCLIAcrossTwoChains(t *testing.T) {
	const mainID, sideID = "accord-main", "accord-side-1"
	mainC, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, ChainID: mainID, Profile: app.Main,
		SideChains: []LinkedChain{{ChainID: sideID, Validators: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mainC.Close)
	sideC, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, ChainID: sideID, Profile: app.Side,
		MainChain: &LinkedChain{ChainID: mainID, Validators: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sideC.Close)
	m, s := chainCLI{t, mainC}, chainCLI{t, sideC}
	dev := mainC.Dev.Hex()

	// External deposit: the dev key is a bridge signer, the threshold of
	// a one-validator main is 1, so one attestation mints.
	extTx := "0x" + strings.Repeat("ab", 32)
	deposit := []string{"tx", "bridge", "attest-deposit", "--ext-chain", "1337", "--ext-tx", extTx, "--log-index", "0", "--to", dev, "--amount", "1000"}
	before := m.balance(mainC.Dev)
	rc := m.ok(deposit...)
	minted := event[bridge.DepositMintedEvent](t, rc)
	if minted.Amount != 1000*types.MicroPerUSDT || minted.ExtChain != 1337 || minted.Recipient != mainC.Dev {
		t.Fatalf("minted %+v", minted)
	}
	if got := m.balance(mainC.Dev); got != before+1000*types.MicroPerUSDT-rc.FeeMicro {
		t.Fatalf("balance %d after the deposit, was %d", got, before)
	}
	m.refused("already minted", deposit...)
	m.refused("--ext-tx", "tx", "bridge", "attest-deposit", "--ext-chain", "1337", "--ext-tx", "0x12", "--log-index", "0", "--to", dev, "--amount", "1")
	var dv bridge.DepositView
	m.query(&dv, "bridge", "deposit", minted.ID.Hex())
	if !dv.Minted || !slices.Equal(dv.Attested, []types.Address{mainC.Dev}) {
		t.Fatalf("deposit view %+v", dv)
	}
	m.queryFails("not found", "bridge", "deposit", "0x"+strings.Repeat("cd", 32))

	// The side chain as main registered it.
	var cv checkpoint.ChainView
	m.query(&cv, "checkpoint", "chain", sideID)
	if !slices.Equal(cv.Validators, genesisValidators(t, sideC)) || cv.LastNumber != 0 || cv.Halted {
		t.Fatalf("side chain on main %+v", cv)
	}
	m.queryFails("not found", "checkpoint", "latest", "--chain", sideID)
	m.queryFails("not found", "checkpoint", "chain", "accord-side-9")

	// Lock 600 for side; a lock for an unregistered chain is refused.
	rc = m.ok("tx", "bridge", "lock", "--chain", sideID, "--to", dev, "--amount", "600")
	lockTx := rc.TxHash
	locked := event[bridge.LockedEvent](t, rc)
	if locked.Amount != 600*types.MicroPerUSDT || locked.Chain != sideID {
		t.Fatalf("locked %+v", locked)
	}
	m.refused("accord-side-9", "tx", "bridge", "lock", "--chain", "accord-side-9", "--to", dev, "--amount", "1")
	var lv bridge.LockedView
	m.query(&lv, "bridge", "locked", sideID)
	if lv.Locked != 600*types.MicroPerUSDT || lv.Halted {
		t.Fatalf("locked view %+v", lv)
	}

	// Side: relay main's header with the lock to the light client
	// (accord_getRawBlock), then mint the lock on its receipt proof.
	var lc lightclient.View
	s.query(&lc, "lightclient", "show")
	if lc.ChainID != mainID || lc.Latest != 0 || lc.Frozen || !slices.Equal(lc.Validators, genesisValidators(t, mainC)) {
		t.Fatalf("light client %+v", lc)
	}
	hdr, cert, rs := rawBlock(t, mainC.Client(0), rc.Height)
	if r := send(t, sideC, lightclient.TypeUpdate, &lightclient.MsgUpdate{Header: *hdr, Cert: *cert}); r.Status != "ok" {
		t.Fatalf("light client update %+v", r)
	}
	var hv lightclient.HeaderView
	s.query(&hv, "lightclient", "header", strconv.FormatUint(rc.Height, 10))
	if hv.Hash != hdr.Hash() {
		t.Fatalf("trusted header %+v, main's is %s", hv, hdr.Hash().Hex())
	}
	rp, err := proof.ProveReceipt(rs, rc.Index)
	if err != nil {
		t.Fatal(err)
	}
	evIdx := slices.IndexFunc(rs[rc.Index].Events, func(e types.Event) bool { return e.Type == bridge.EventLocked })
	sideBefore := s.balance(sideC.Dev)
	mr := send(t, sideC, sidebridge.TypeMint, &sidebridge.MsgMint{MainHeight: rc.Height, Proof: *rp, EventIndex: uint64(evIdx)})
	if mr.Status != "ok" || s.balance(sideC.Dev) != sideBefore+600*types.MicroPerUSDT-mr.FeeMicro {
		t.Fatalf("mint %+v", mr)
	}
	var lockView sidebridge.LockView
	s.query(&lockView, "bridge", "lock", proof.LockID(mainID, rc.Height, uint64(rc.Index), uint64(evIdx)).Hex())
	if !lockView.Minted {
		t.Fatalf("lock view %+v", lockView)
	}

	// Burn 200 on side; its proof names the burn main will record.
	rc = s.ok("tx", "bridge", "burn", "--to", dev, "--amount", "200")
	burned := event[bridge.BurnedEvent](t, rc)
	if burned.Amount != 200*types.MicroPerUSDT || burned.Recipient != mainC.Dev {
		t.Fatalf("burned %+v", burned)
	}
	var bp node.BurnProofView
	s.query(&bp, "bridge", "burn-proof", rc.TxHash)
	wantBurn := proof.BurnID(sideID, rc.Height, uint64(rc.Index), 0)
	if bp.Height != rc.Height || bp.BurnID != wantBurn || bp.Amount != 200*types.MicroPerUSDT || len(bp.Proof) != 0 {
		t.Fatalf("burn proof without a range %+v", bp)
	}
	s.queryFails("outside", "bridge", "burn-proof", rc.TxHash, "--start", strconv.FormatUint(rc.Height+1, 10), "--end", strconv.FormatUint(rc.Height+1, 10))
	// The node-level methods refuse what they cannot serve.
	for _, tc := range []struct {
		c      *Cluster
		method string
		params []any
		want   string
	}{
		{mainC, node.MethodBurnProof, []any{lockTx}, "no bridge.burned"},
		{sideC, node.MethodBurnProof, []any{"0x" + strings.Repeat("77", 32)}, "not found"},
		{sideC, node.MethodBurnProof, []any{rc.TxHash, 1}, "both start and end"},
		{sideC, node.MethodBurnProof, []any{"0x12"}, "hash"},
		{sideC, node.MethodBlockHashes, []any{0, 1}, "start"},
		{sideC, node.MethodBlockHashes, []any{5, 1}, "start"},
		{sideC, node.MethodBlockHashes, []any{1, 1 << 20}, "at most"},
		{sideC, node.MethodBlockHashes, []any{1000, 1001}, "not committed"},
		{sideC, node.MethodRawBlock, []any{1 << 20}, "not found"},
	} {
		var out any
		if err := tc.c.Client(0).Call(context.Background(), tc.method, &out, tc.params...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("%s%v: want an error with %q, got %v (%v)", tc.method, tc.params, tc.want, err, out)
		}
	}
	var bv bridge.BurnView
	m.query(&bv, "bridge", "burn", wantBurn.Hex())
	if bv.Released {
		t.Fatal("burn released before any checkpoint")
	}
	// A proof against a range no checkpoint anchors is refused.
	s.query(&bp, "bridge", "burn-proof", rc.TxHash, "--start", "1", "--end", strconv.FormatUint(rc.Height, 10))
	m.refused("not covered", "tx", "bridge", "release", "--chain", sideID, "--proof", bp.Proof.String())

	// Anchor checkpoint 1 = side blocks [1, burn height], signed by the
	// side validator, over accord_getBlockHashes.
	var hashes []types.Hash
	if err := sideC.Client(0).Call(context.Background(), node.MethodBlockHashes, &hashes, 1, rc.Height); err != nil {
		t.Fatal(err)
	}
	if proof.BlocksRoot(hashes) != *bp.BlocksRoot {
		t.Fatal("accord_getBlockHashes and accord_getBurnProof disagree on the blocks root")
	}
	endHdr, _, _ := rawBlock(t, sideC.Client(0), rc.Height)
	set, _ := types.NewValidatorSet(genesisValidators(t, sideC))
	cp := checkpoint.Checkpoint{ChainID: sideID, Number: 1, Start: 1, End: rc.Height, BlocksRoot: proof.BlocksRoot(hashes),
		AppHash: endHdr.StateRoot, ValidatorsHash: set.Hash(), NextValidatorsHash: set.Hash()}
	sig, err := types.SignDigest(cp.Digest(), ValidatorKey(sideID, 0))
	if err != nil {
		t.Fatal(err)
	}
	if r := send(t, mainC, checkpoint.TypeSubmit, &checkpoint.MsgSubmit{Checkpoint: cp, Sigs: []checkpoint.Sig{{Index: 0, Sig: sig}}}); r.Status != "ok" {
		t.Fatalf("checkpoint %+v", r)
	}
	var view checkpoint.View
	m.query(&view, "checkpoint", "latest", "--chain", sideID)
	if view.Number != 1 || view.End != rc.Height || view.BlocksRoot != *bp.BlocksRoot || view.Hash != cp.Hash() {
		t.Fatalf("latest checkpoint %+v", view)
	}
	m.query(&view, "checkpoint", "covering", strconv.FormatUint(rc.Height, 10), "--chain", sideID)
	if view.Number != 1 {
		t.Fatalf("covering %+v", view)
	}
	m.query(&view, "checkpoint", "show", "1", "--chain", sideID)
	m.queryFails("not found", "checkpoint", "show", "2", "--chain", sideID)

	// Release: refused for another chain and with a truncated proof, done
	// once, refused the second time.
	m.refused("accord-side-2", "tx", "bridge", "release", "--chain", "accord-side-2", "--proof", bp.Proof.String())
	trunc := bp.Proof.String()
	m.refused("malformed", "tx", "bridge", "release", "--chain", sideID, "--proof", trunc[:len(trunc)-8])
	mainBefore := m.balance(mainC.Dev)
	rc = m.ok("tx", "bridge", "release", "--chain", sideID, "--proof", bp.Proof.String())
	rel := event[bridge.ReleasedEvent](t, rc)
	if rel.Burn != wantBurn || rel.Amount != 200*types.MicroPerUSDT || m.balance(mainC.Dev) != mainBefore+rel.Amount-rc.FeeMicro {
		t.Fatalf("released %+v", rel)
	}
	m.refused("already released", "tx", "bridge", "release", "--chain", sideID, "--proof", bp.Proof.String())
	m.query(&bv, "bridge", "burn", wantBurn.Hex())
	m.query(&lv, "bridge", "locked", sideID)
	if !bv.Released || lv.Locked != 400*types.MicroPerUSDT {
		t.Fatalf("after release: burn %+v, locked %+v", bv, lv)
	}

	// Withdraw to the external chain: pending until signers attest.
	ext := "0x00000000000000000000000000000000000000e7"
	rc = m.ok("tx", "bridge", "withdraw", "--to", ext, "--amount", "100")
	w := event[bridge.WithdrawalEvent](t, rc)
	var wv bridge.WithdrawalView
	m.query(&wv, "bridge", "withdrawal", strconv.FormatUint(w.ID, 10))
	if wv.State != "PENDING" || wv.Amount != 100*types.MicroPerUSDT || !strings.EqualFold(wv.ExtAddress.Hex(), ext) {
		t.Fatalf("withdrawal %+v", wv)
	}
	m.ok("tx", "bridge", "attest-paid", "--withdrawal", strconv.FormatUint(w.ID, 10), "--ext-tx", "0x"+strings.Repeat("ef", 32))
	m.query(&wv, "bridge", "withdrawal", strconv.FormatUint(w.ID, 10))
	if wv.State != "PAID" {
		t.Fatalf("withdrawal after attestation %+v", wv)
	}
	m.queryFails("not found", "bridge", "withdrawal", "99")

	// A side-chain command on main is refused as unknown there.
	m.refused("unknown", "tx", "bridge", "burn", "--to", dev, "--amount", "1")
}

// TestInitProfileThroughTheBinary: accord init --profile writes the
// profile and the other chain's reference into the genesis, and refuses a
// reference the profile has no use for.
func TestInitProfileThroughTheBinary(t *testing.T) {
	v := "0x00000000000000000000000000000000000000a1"
	home := t.TempDir()
	mustCLI(t, "init", "--home", home, "--chain-id", "m-1", "--profile", "main", "--side-chain", "s-1="+v, "--side-chain", "s-2="+v)
	g, _, err := ledger.LoadGenesis(node.Home(home).GenesisFile())
	if err != nil {
		t.Fatal(err)
	}
	var cg checkpoint.Genesis
	if err := json.Unmarshal(g.AppState[checkpoint.ModuleName], &cg); err != nil || g.Profile != "main" || len(cg.Chains) != 2 ||
		cg.Chains[1].ChainID != "s-2" {
		t.Fatalf("main genesis: profile %q, checkpoint %+v (%v)", g.Profile, cg, err)
	}
	side := t.TempDir()
	mustCLI(t, "init", "--home", side, "--chain-id", "s-1", "--profile", "side", "--main-chain", "m-1="+v)
	if g, _, err := ledger.LoadGenesis(node.Home(side).GenesisFile()); err != nil || g.Profile != "side" || g.AppState[lightclient.ModuleName] == nil {
		t.Fatalf("side genesis %+v %v", g, err)
	}
	// Two profile testnets initialized separately name each other's
	// validators (keys derived from the chain IDs).
	dir := t.TempDir()
	mainDir, sideDir := dir+"/main", dir+"/side"
	mustCLI(t, "testnet", "init", "--dir", mainDir, "--validators", "2", "--base-port", "39100", "--profile", "main", "--side-chain", "accord-side-1:1")
	mustCLI(t, "testnet", "init", "--dir", sideDir, "--validators", "1", "--base-port", "0", "--profile", "side", "--main-chain", "accord-main:2")
	mg, _, err := ledger.LoadGenesis(mainDir + "/node0/config/genesis.json")
	if err != nil {
		t.Fatal(err)
	}
	sg, _, err := ledger.LoadGenesis(sideDir + "/node0/config/genesis.json")
	if err != nil {
		t.Fatal(err)
	}
	var lg lightclient.Genesis
	if err := json.Unmarshal(sg.AppState[lightclient.ModuleName], &lg); err != nil || mg.ChainID != "accord-main" || sg.ChainID != "accord-side-1" ||
		lg.ChainID != mg.ChainID || !slices.Equal(lg.Validators, mg.Validators) {
		t.Fatalf("side trusts %+v (%v); main is %s %v", lg, err, mg.ChainID, mg.Validators)
	}
	if err := json.Unmarshal(mg.AppState[checkpoint.ModuleName], &cg); err != nil || len(cg.Chains) != 1 || cg.Chains[0].ChainID != sg.ChainID ||
		!slices.Equal(cg.Chains[0].Validators, sg.Validators) {
		t.Fatalf("main registers %+v (%v); side is %s %v", cg, err, sg.ChainID, sg.Validators)
	}
	if _, errOut, err := cli(t, "testnet", "init", "--dir", dir+"/x", "--validators", "1", "--base-port", "0", "--main-chain", "accord-main:1"); err == nil ||
		!strings.Contains(errOut, "--profile") {
		t.Fatalf("--main-chain without --profile: %v %s", err, errOut)
	}
	for _, bad := range [][]string{
		{"--profile", "side", "--side-chain", "s-2=" + v},
		{"--profile", "main", "--main-chain", "m-1=" + v},
		{"--profile", "moon"},
		{"--profile", "main", "--side-chain", "s-2"},
	} {
		h := t.TempDir()
		if _, errOut, err := cli(t, append([]string{"init", "--home", h, "--chain-id", "x-1"}, bad...)...); err == nil || errOut == "" {
			t.Fatalf("init %v accepted", bad)
		}
	}
}
