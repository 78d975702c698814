package rpcchain_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/bridge/proof"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/sidechain/rpcchain/rpcchaintest"
	"github.com/accordnet/accord/types"
)

// TestPruningSideKeepsAPendingBurnsBlock: a side node pruning all but the
// last 4 blocks keeps the block of a burn main has not released, 30 blocks
// after it, and serves its proof (accord_getBurnProof) from it; the
// relayer anchors a checkpoint, releases the burn on main and shows side
// the release through its light client of main (MsgAckRelease); after
// that the same pruning deletes the block.
func TestPruningSideKeepsAPendingBurnsBlock(t *testing.T) {
	const keep = 4
	mainVal, sideVal := banktest.DeterministicKey(1<<40), banktest.DeterministicKey(1<<41)
	user, relayerKey := banktest.DeterministicKey(7), banktest.DeterministicKey(900)
	userAddr, relayerAddr, sideValAddr := types.PubkeyAddress(user), types.PubkeyAddress(relayerKey), types.PubkeyAddress(sideVal)
	main := rpcchaintest.Start(t, rpcchaintest.Spec{Profile: app.Main, ChainID: mainID, Validator: mainVal,
		AppState: map[string]json.RawMessage{
			"bank": rpcchaintest.Bank(t, "1000", userAddr, relayerAddr),
			"gov":  rpcchaintest.JSON(t, gov.Genesis{Admins: []string{userAddr.Hex()}, Threshold: 1}),
			"checkpoint": rpcchaintest.JSON(t, checkpoint.Genesis{Chains: []checkpoint.GenesisChain{
				{ChainID: sideID, Validators: []string{sideValAddr.Hex()}, FirstHeight: 1}}}),
		}})
	side := rpcchaintest.Start(t, rpcchaintest.Spec{Profile: app.Side, ChainID: sideID, Validator: sideVal,
		AppState: map[string]json.RawMessage{
			"bank":        rpcchaintest.Bank(t, "10", userAddr, relayerAddr),
			"gov":         rpcchaintest.JSON(t, gov.Genesis{Admins: []string{userAddr.Hex()}, Threshold: 1}),
			"lightclient": rpcchaintest.JSON(t, lightclient.Genesis{ChainID: mainID, Validators: []string{types.PubkeyAddress(mainVal).Hex()}}),
		}})
	// Main's escrow holds what side may release.
	main.Send(user, bridge.TypeLock, &bridge.MsgLock{ChainID: sideID, Recipient: userAddr, Amount: 5 * types.MicroPerUSDT})
	main.ProduceOK()
	for range 5 {
		side.ProduceOK()
	}
	burnTx := side.Send(user, sidebridge.TypeBurn, &sidebridge.MsgBurn{Recipient: userAddr, Amount: 1 * types.MicroPerUSDT})
	burnAt := side.ProduceOK().Block.Header.Height
	for range 30 {
		side.ProduceOK()
	}
	prune := func() ledger.PruneResult {
		t.Helper()
		res, err := side.L.Prune(keep, side.Router())
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := prune(); side.L.PrunedBase() != burnAt || res.HeldBy != burnAt {
		t.Fatalf("pruned to %d (held by %d), want held at the burn's block %d", side.L.PrunedBase(), res.HeldBy, burnAt)
	}
	if _, err := side.L.Block(burnAt - 1); !errors.Is(err, ledger.ErrPruned) {
		t.Fatalf("block %d before the burn: %v, want pruned", burnAt-1, err)
	}
	ctx := context.Background()
	sc := client.New(side.URL)
	bp, err := sc.BurnProof(ctx, burnTx.Hash(), 0, 0)
	if err != nil || bp.Height != burnAt {
		t.Fatalf("burn proof of the pending burn: %+v %v", bp, err)
	}

	// Checkpoint 1 covers the side chain so far (signed by its one
	// validator); the relayer takes it from here, as from the producers.
	end := side.L.Last().Height
	hashes := make([]types.Hash, 0, end)
	for h := uint64(1); h <= end; h++ {
		hdr, err := side.L.Header(h)
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, hdr.Hash())
	}
	last, _ := side.L.Header(end)
	vh := (&types.ValidatorSet{Validators: []types.Address{sideValAddr}}).Hash()
	cp := checkpoint.Checkpoint{ChainID: sideID, Number: 1, Start: 1, End: end, BlocksRoot: proof.BlocksRoot(hashes),
		AppHash: last.StateRoot, ValidatorsHash: vh, NextValidatorsHash: vh}
	sig, err := checkpoint.Sign(&cp, 0, sideVal)
	if err != nil {
		t.Fatal(err)
	}
	cps := func(_ context.Context, n uint64) (*checkpoint.MsgSubmit, error) {
		if n != 1 {
			return nil, nil
		}
		return &checkpoint.MsgSubmit{Checkpoint: cp, Sigs: []checkpoint.Sig{sig}}, nil
	}
	st, err := sidechain.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A relayer started against this pruned node begins at the burn's
	// block: it cannot read the pruned ones (an archive node could).
	r, err := sidechain.NewRelayer(sidechain.RelayerConfig{SideChainID: sideID, MainChainID: mainID, Key: relayerKey,
		Fee: rpcchaintest.MinFee, SideFrom: burnAt, Log: quiet},
		rpcchain.NewMain(client.New(main.URL)), rpcchain.NewSide(sc, cps), st)
	if err != nil {
		t.Fatal(err)
	}
	burnID := proof.BurnID(sideID, burnAt, 0, 0)
	released := false
	for step := 0; sidebridge.NewKeeper(nil, nil).Pending(side.L.ReadState(), burnAt, 1); step++ {
		if step == 100 {
			t.Fatalf("after %d relayer steps the burn is still pending on side (released on main: %v)", step, released)
		}
		if err := r.Step(ctx); err != nil {
			t.Fatal(err)
		}
		main.ProduceOK()
		side.ProduceOK()
		released = bridge.Keeper{}.Released(main.L.ReadState(), burnID)
		if prune(); side.L.PrunedBase() > burnAt && !released {
			t.Fatalf("side pruned the burn's block (base %d) before main released it", side.L.PrunedBase())
		}
	}
	if !released {
		t.Fatal("side was shown a release main never made")
	}
	prune()
	if base := side.L.PrunedBase(); base <= burnAt {
		t.Fatalf("after the release was shown, pruned base %d still keeps the burn's block %d", base, burnAt)
	}
	if _, err := sc.BurnProof(ctx, burnTx.Hash(), 0, 0); wire.CodeOf(err) != wire.CodeNotFound {
		t.Fatalf("burn proof after pruning: %v, want not found", err)
	}
}
