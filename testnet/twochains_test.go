package testnet

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
)

// system is one main chain and its side chains, in process.
type system struct {
	t     *testing.T
	main  *Cluster
	sides map[string]*Cluster
}

func (s *system) supply(c *Cluster) uint64 {
	return bank.Keeper{}.Supply(c.Node(0).Ledger().ReadState())
}

// circulating is USDT outside main's bridge escrow: main's supply less
// the escrow, plus every side chain's supply. Moving USDT between the
// chains must not change it.
func (s *system) circulating() uint64 {
	st := s.main.Node(0).Ledger().ReadState()
	n := bank.Keeper{}.Supply(st) - bank.Keeper{}.Balance(st, bridge.EscrowAddress)
	for _, c := range s.sides {
		n += s.supply(c)
	}
	return n
}

func (s *system) balance(c *Cluster, a types.Address) uint64 {
	return bank.Keeper{}.Balance(c.Node(0).Ledger().ReadState(), a)
}

func decodeEvent(t *testing.T, rc *views.Receipt, out core.Event) {
	t.Helper()
	if found, err := rc.FindEvent(out); !found || err != nil {
		t.Fatalf("receipt %+v: no %s (%v)", rc, out.EventType(), err)
	}
}

// lock locks amount on main for to on side chain id and mints it there
// through the light client, as a relayer would.
func (s *system) lock(id string, to types.Address, amount uint64) {
	t := s.t
	side := s.sides[id]
	rc := send(t, s.main, bridge.TypeLock, &bridge.MsgLock{ChainID: id, Recipient: to, Amount: amount})
	if rc.Status != "ok" {
		t.Fatalf("lock for %s: %+v", id, rc)
	}
	hdr, cert, rs := rawBlock(t, s.main.Client(0), rc.Height)
	if r := send(t, side, lightclient.TypeUpdate, &lightclient.MsgUpdate{Header: *hdr, Cert: *cert}); r.Status != "ok" {
		t.Fatalf("%s light client update: %+v", id, r)
	}
	rp, err := proof.ProveReceipt(rs, rc.Index)
	if err != nil {
		t.Fatal(err)
	}
	ev := uint64(slices.IndexFunc(rs[rc.Index].Events, func(e types.Event) bool { return e.Type == bridge.EventLocked }))
	// The lock names its side chain: another side chain refuses to mint it.
	for other, oc := range s.sides {
		if other == id {
			continue
		}
		if r := send(t, oc, lightclient.TypeUpdate, &lightclient.MsgUpdate{Header: *hdr, Cert: *cert}); r.Status != "ok" {
			t.Fatalf("%s light client update: %+v", other, r)
		}
		before := s.supply(oc)
		if r := send(t, oc, sidebridge.TypeMint, &sidebridge.MsgMint{MainHeight: rc.Height, Proof: *rp, EventIndex: ev}); r.Status != "failed" ||
			r.Codespace != sidebridge.ModuleName || s.supply(oc) != before {
			t.Fatalf("%s minted %s's lock: %+v", other, id, r)
		}
	}
	var minted sidebridge.MintedEvent
	r := send(t, side, sidebridge.TypeMint, &sidebridge.MsgMint{MainHeight: rc.Height, Proof: *rp, EventIndex: ev})
	decodeEvent(t, r, &minted)
	if minted.Amount != amount || minted.Recipient != to || minted.Lock != proof.LockID(s.main.Layout.ChainID, rc.Height, uint64(rc.Index), ev) {
		t.Fatalf("minted on %s: %+v", id, minted)
	}
}

// burn burns amount on side chain id for to on main, anchors checkpoint
// number n = [start, burn height] signed by the side's validators, and
// releases the burn on main with accord_getBurnProof's proof; it returns
// the next checkpoint's start.
func (s *system) burn(id string, to types.Address, amount, n, start uint64) uint64 {
	t := s.t
	ctx := context.Background()
	side := s.sides[id]
	rc := send(t, side, sidebridge.TypeBurn, &sidebridge.MsgBurn{Recipient: to, Amount: amount})
	if rc.Status != "ok" {
		t.Fatalf("burn on %s: %+v", id, rc)
	}
	var hashes []types.Hash
	if err := side.Client(0).Call(ctx, node.MethodBlockHashes, &hashes, start, rc.Height); err != nil {
		t.Fatal(err)
	}
	endHdr, _, _ := rawBlock(t, side.Client(0), rc.Height)
	set, err := types.NewValidatorSet(genesisValidators(t, side))
	if err != nil {
		t.Fatal(err)
	}
	cp := checkpoint.Checkpoint{ChainID: id, Number: n, Start: start, End: rc.Height, BlocksRoot: proof.BlocksRoot(hashes),
		AppHash: endHdr.StateRoot, ValidatorsHash: set.Hash(), NextValidatorsHash: set.Hash()}
	sign := func(chain string) checkpoint.MsgSubmit {
		var sigs []checkpoint.Sig
		for i := range set.Validators {
			sig, err := types.SignDigest(cp.Digest(), ValidatorKey(chain, i))
			if err != nil {
				t.Fatal(err)
			}
			sigs = append(sigs, checkpoint.Sig{Index: uint32(i), Sig: sig})
		}
		return checkpoint.MsgSubmit{Checkpoint: cp, Sigs: sigs}
	}
	// Another side chain's validators cannot anchor this chain's range.
	for other := range s.sides {
		if other == id {
			continue
		}
		forged := sign(other)
		if r := send(t, s.main, checkpoint.TypeSubmit, &forged); r.Status != "failed" || r.Codespace != checkpoint.ModuleName {
			t.Fatalf("%s's validators anchored %s: %+v", other, id, r)
		}
	}
	good := sign(id)
	if r := send(t, s.main, checkpoint.TypeSubmit, &good); r.Status != "ok" {
		t.Fatalf("checkpoint %d of %s: %+v", n, id, r)
	}
	var bp node.BurnProofView
	if err := side.Client(0).Call(ctx, node.MethodBurnProof, &bp, rc.TxHash, start, rc.Height); err != nil {
		t.Fatal(err)
	}
	// The proof is of this chain: presented for another, it is refused.
	for other := range s.sides {
		if other == id {
			continue
		}
		if r := send(t, s.main, bridge.TypeRelease, &bridge.MsgRelease{ChainID: other, Proof: bp.Proof}); r.Status != "failed" {
			t.Fatalf("%s's burn released as %s's: %+v", id, other, r)
		}
	}
	var rel bridge.ReleasedEvent
	r := send(t, s.main, bridge.TypeRelease, &bridge.MsgRelease{ChainID: id, Proof: bp.Proof})
	decodeEvent(t, r, &rel)
	if rel.Chain != id || rel.Amount != amount || rel.Recipient != to || rel.Burn != bp.BurnID {
		t.Fatalf("released %+v", rel)
	}
	return rc.Height + 1
}

// TestTwoSideChainsThroughOneMain: two side chains, each with its own
// validator set, checkpoint into one main chain and bridge USDT through
// it: main → side A → main → side B. Each step is refused across chains
// (a lock minted on the wrong side, a checkpoint signed by the other
// chain's validators, a burn released as the other chain's), and the USDT
// outside main's escrow is the same after every step.
func TestTwoSideChainsThroughOneMain(t *testing.T) {
	const mainID = "accord-main"
	ids := []string{"accord-side-a", "accord-side-b"}
	mainC, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, ChainID: mainID, Profile: app.Main, CheckInvariants: true,
		SideChains: []LinkedChain{{ChainID: ids[0], Validators: 1}, {ChainID: ids[1], Validators: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mainC.Close)
	s := &system{t: t, main: mainC, sides: map[string]*Cluster{}}
	for _, id := range ids {
		c, err := NewCluster(t.TempDir(), ClusterOptions{Validators: 1, ChainID: id, Profile: app.Side, CheckInvariants: true,
			MainChain: &LinkedChain{ChainID: mainID, Validators: 1}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(c.Close)
		s.sides[id] = c
	}
	if slices.Equal(genesisValidators(t, s.sides[ids[0]]), genesisValidators(t, s.sides[ids[1]])) {
		t.Fatal("the side chains share a validator set")
	}
	carol := types.Address{0xca}
	total := s.circulating()
	step := func(what string) {
		t.Helper()
		if got := s.circulating(); got != total {
			t.Fatalf("after %s: %d USDT outside the escrow, want %d", what, got, total)
		}
		for _, c := range append([]*Cluster{mainC}, s.sides[ids[0]], s.sides[ids[1]]) {
			if err := c.InvariantError(); err != nil {
				t.Fatal(err)
			}
		}
	}

	s.lock(ids[0], carol, 600*types.MicroPerUSDT)
	step("main → A")
	if got := s.balance(s.sides[ids[0]], carol); got != 600*types.MicroPerUSDT {
		t.Fatalf("carol holds %d on A", got)
	}
	// The dev key burns on A for carol on main (carol holds no fee money).
	s.burn(ids[0], carol, 250*types.MicroPerUSDT, 1, 1)
	step("A → main")
	if got := s.balance(mainC, carol); got != 250*types.MicroPerUSDT {
		t.Fatalf("carol holds %d on main", got)
	}
	s.lock(ids[1], carol, 100*types.MicroPerUSDT)
	step("main → B")
	if got := s.balance(s.sides[ids[1]], carol); got != 100*types.MicroPerUSDT {
		t.Fatalf("carol holds %d on B", got)
	}

	// Main keeps each side chain's checkpoints and escrow apart.
	st := mainC.Node(0).Ledger().ReadState()
	a, err := checkpoint.Keeper{}.Latest(st, ids[0])
	if err != nil || a.Checkpoint.Number != 1 {
		t.Fatalf("A's latest checkpoint %+v %v", a, err)
	}
	if _, err := (checkpoint.Keeper{}).Latest(st, ids[1]); !errors.Is(err, checkpoint.ErrNotFound) {
		t.Fatalf("B has a checkpoint: %v", err)
	}
	var bk bridge.Keeper
	if la, lb := bk.Locked(st, ids[0]), bk.Locked(st, ids[1]); la != 350*types.MicroPerUSDT || lb != 100*types.MicroPerUSDT {
		t.Fatalf("escrow: A %d, B %d", la, lb)
	}
}
