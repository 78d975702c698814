package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/sidechain/rpcchain/rpcchaintest"
	"github.com/accordnet/accord/types"
)

// ledgerBlocks is the checkpoint producer's view of a test chain.
type ledgerBlocks struct{ n *rpcchaintest.Node }

func (b ledgerBlocks) Height() (uint64, error) { return b.n.L.Last().Height, nil }
func (b ledgerBlocks) Header(h uint64) (*types.Header, error) {
	blk, err := b.n.L.Block(h)
	if err != nil {
		return nil, err
	}
	return &blk.Header, nil
}
func (b ledgerBlocks) Validators(uint64) ([]types.Address, error) {
	return []types.Address{types.PubkeyAddress(b.n.Key)}, nil
}

// producerMain is the producer's view of main: anchored numbers over RPC,
// submissions signed with the side validator's key.
type producerMain struct {
	m    rpcchain.Main
	main *rpcchaintest.Node
	side *rpcchaintest.Node
}

func (p producerMain) Anchored(chainID string) (uint64, error) {
	n, _, err := p.m.Anchored(context.Background(), chainID)
	return n, err
}
func (p producerMain) Submit(m *checkpoint.MsgSubmit) error {
	p.main.Send(p.side.Key, checkpoint.TypeSubmit, m)
	return nil
}

type noGossip struct{}

func (noGossip) Broadcast(*sidechain.Vote) error { return nil }

// TestRelayerCommand runs `accord relayer` between a main-profile chain
// and a side-profile chain (with its light client of main and the side
// half of the bridge), both over HTTP, with the side validator's checkpoint
// producer submitting to main: 600 USDT locked on main are minted on
// side (the relayer relays main's header and the lock's proof), then 200
// burned on side are released on main once a checkpoint covers the burn
// (the relayer proves it), with the relayer restarted mid-flight. It
// logs the burn-to-release latency.
func TestRelayerCommand(t *testing.T) {
	const mainID, sideID = "accord-main", "accord-side-1"
	mainVal, sideVal := banktest.DeterministicKey(1<<40), banktest.DeterministicKey(1<<41)
	user, relayerKey := banktest.DeterministicKey(7), banktest.DeterministicKey(900)
	userAddr := types.PubkeyAddress(user)
	relayerAddr := types.PubkeyAddress(relayerKey)
	sideValAddr := types.PubkeyAddress(sideVal)
	main := rpcchaintest.Start(t, rpcchaintest.Spec{Profile: app.Main, ChainID: mainID, Validator: mainVal,
		AppState: map[string]json.RawMessage{
			"bank": rpcchaintest.Bank(t, "1000", userAddr, relayerAddr, sideValAddr),
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
	main.ProduceOK()
	side.ProduceOK()

	st, err := sidechain.OpenStore(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	prod, err := sidechain.NewProducer(sidechain.ProducerConfig{ChainID: sideID, Interval: 4, Key: sideVal, Log: quietLog},
		ledgerBlocks{side}, noGossip{}, producerMain{rpcchain.NewMain(rpcClient(main.URL)), main, side}, st)
	if err != nil {
		t.Fatal(err)
	}
	tick := func() {
		main.ProduceOK()
		side.ProduceOK()
		if err := prod.Step(); err != nil {
			t.Fatal(err)
		}
	}

	home := t.TempDir()
	pw := importKey(t, home, "relayer", relayerKey)
	args := []string{"relayer", "--home", home, "--main", main.URL, "--side", side.URL, "--from", "relayer", "--password-file", pw,
		"--interval", "20ms", "--log-level", "error"}
	relayer := runProcess(t, args...)

	main.Send(user, bridge.TypeLock, &bridge.MsgLock{ChainID: sideID, Recipient: userAddr, Amount: 600 * types.MicroPerUSDT})
	lockHeight := main.ProduceOK().Block.Header.Height
	sideBefore := bank.Keeper{}.Balance(side.L.ReadState(), userAddr)
	// Restart the relayer mid-flight: main's header is trusted on side,
	// the lock perhaps not minted yet.
	eventually(t, "main's header trusted on side", tick, func() bool {
		_, err := lightclient.Keeper{}.Header(side.L.ReadState(), lockHeight)
		return err == nil
	})
	relayer.stop(t)
	runProcess(t, args...)
	eventually(t, "the lock minted on side", tick, func() bool {
		return bank.Keeper{}.Balance(side.L.ReadState(), userAddr) == sideBefore+600*types.MicroPerUSDT
	})

	side.Send(user, sidebridge.TypeBurn, &sidebridge.MsgBurn{Recipient: userAddr, Amount: 200 * types.MicroPerUSDT})
	side.ProduceOK()
	burnedAt := time.Now()
	mainBefore := bank.Keeper{}.Balance(main.L.ReadState(), userAddr)
	eventually(t, "the burn released on main", tick, func() bool {
		return bank.Keeper{}.Balance(main.L.ReadState(), userAddr) == mainBefore+200*types.MicroPerUSDT
	})
	t.Logf("side burn committed → main release committed: %v (20 ms block ticks, checkpoints every 4 side blocks, relayer step 20 ms)", time.Since(burnedAt))
	if got := (bridge.Keeper{}).Locked(main.L.ReadState(), sideID); got != 400*types.MicroPerUSDT {
		t.Fatalf("main still owes side %s USDT, want 400", types.FormatUSDT(got))
	}
	if got := (bank.Keeper{}).Supply(side.L.ReadState()); got != 20*types.MicroPerUSDT+400*types.MicroPerUSDT {
		t.Fatalf("side supply %s, want genesis 20 + 400 bridged", types.FormatUSDT(got))
	}
}

func rpcClient(url string) rpcchain.Caller { return client.New(url) }
