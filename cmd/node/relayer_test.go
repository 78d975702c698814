package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/bridge"
	sidebridge "github.com/accordnet/accord/contracts/bridge/side"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/sidechain/rpcchain/rpcchaintest"
	"github.com/accordnet/accord/types"
)

// TestRelayerCommand runs `accord relayer` between a main-profile chain
// and a side-profile chain (with its light client of main and the side
// half of the bridge), both over HTTP, with the side validator's
// checkpointer process signing checkpoints that the relayer fetches and
// submits to main: 600 USDT locked on main are minted on
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

	cpHome := t.TempDir()
	cpPW := importKey(t, cpHome, "validator", sideVal)
	_, line := runPrinting(t, "checkpointer", "checkpointer", "--home", cpHome, "--side", side.URL, "--main", main.URL,
		"--from", "validator", "--password-file", cpPW, "--listen", "127.0.0.1:0", "--checkpoint-interval", "4",
		"--interval", "20ms", "--log-level", "error")
	cpURL := strings.Fields(line)[1]
	tick := func() {
		main.ProduceOK()
		side.ProduceOK()
	}

	home := t.TempDir()
	pw := importKey(t, home, "relayer", relayerKey)
	args := []string{"relayer", "--home", home, "--main", main.URL, "--side", side.URL, "--from", "relayer", "--password-file", pw,
		"--interval", "20ms", "--log-level", "error", "--checkpointers", cpURL}
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

	// Let the checkpoints catch up with side (20 ms blocks outrun a
	// producer reading over RPC), so the latency below is the steady
	// state's, not a backlog's.
	caughtUp := func() bool {
		c, err := checkpoint.Keeper{}.Chain(main.L.ReadState(), sideID)
		return err == nil && c.LastEnd+4 > side.L.Last().Height
	}
	eventually(t, "checkpoints caught up", func() { main.ProduceOK() }, caughtUp)
	side.Send(user, sidebridge.TypeBurn, &sidebridge.MsgBurn{Recipient: userAddr, Amount: 200 * types.MicroPerUSDT})
	side.ProduceOK()
	burnedAt := time.Now()
	mainBefore := bank.Keeper{}.Balance(main.L.ReadState(), userAddr)
	eventually(t, "the burn released on main", tick, func() bool {
		return bank.Keeper{}.Balance(main.L.ReadState(), userAddr) == mainBefore+200*types.MicroPerUSDT
	})
	t.Logf("side burn committed → main release committed: %v (20 ms block ticks, checkpoints every 4 side blocks, relayer and checkpointer steps 20 ms)", time.Since(burnedAt))
	if got := (bridge.Keeper{}).Locked(main.L.ReadState(), sideID); got != 400*types.MicroPerUSDT {
		t.Fatalf("main still owes side %s USDT, want 400", types.FormatUSDT(got))
	}
	if got := (bank.Keeper{}).Supply(side.L.ReadState()); got != 20*types.MicroPerUSDT+400*types.MicroPerUSDT {
		t.Fatalf("side supply %s, want genesis 20 + 400 bridged", types.FormatUSDT(got))
	}
}
