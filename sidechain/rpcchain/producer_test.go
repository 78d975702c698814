package rpcchain_test

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"net"
	"net/http"
	"testing"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/checkpoint"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/sidechain"
	"github.com/accordnet/accord/sidechain/rpcchain"
	"github.com/accordnet/accord/sidechain/rpcchain/rpcchaintest"
	"github.com/accordnet/accord/types"
)

// TestProducersGossipOverHTTP runs the checkpoint producers of a
// two-validator side chain, each reading the side chain and main over
// JSON-RPC and serving the other over HTTP on 127.0.0.1:0: neither alone
// has a quorum (2 of 2 are needed), so checkpoint 1 completes only
// through gossip; a relayer-style fetch gets it with both signatures and
// main anchors it.
func TestProducersGossipOverHTTP(t *testing.T) {
	vals := []*ecdsa.PrivateKey{banktest.DeterministicKey(1 << 41), banktest.DeterministicKey(1<<41 + 1)}
	addrs := []types.Address{types.PubkeyAddress(vals[0]), types.PubkeyAddress(vals[1])}
	submitter := banktest.DeterministicKey(900)
	main := rpcchaintest.Start(t, rpcchaintest.Spec{Profile: app.Main, ChainID: mainID, Validator: banktest.DeterministicKey(1 << 40),
		AppState: map[string]json.RawMessage{
			"bank": rpcchaintest.Bank(t, "10", types.PubkeyAddress(submitter)),
			"gov":  rpcchaintest.JSON(t, gov.Genesis{Admins: []string{types.PubkeyAddress(submitter).Hex()}, Threshold: 1}),
			"checkpoint": rpcchaintest.JSON(t, checkpoint.Genesis{Chains: []checkpoint.GenesisChain{
				{ChainID: sideID, Validators: []string{addrs[0].Hex(), addrs[1].Hex()}, FirstHeight: 1}}}),
		}})
	side := rpcchaintest.Start(t, rpcchaintest.Spec{Profile: app.Side, ChainID: sideID, Validator: vals[0], MoreValidators: addrs[1:],
		AppState: map[string]json.RawMessage{"bank": rpcchaintest.Bank(t, "10", addrs...),
			"gov": rpcchaintest.JSON(t, gov.Genesis{Admins: []string{addrs[0].Hex()}, Threshold: 1})}})
	main.ProduceOK()

	var lns []net.Listener
	var urls []string
	for range vals {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		urls = append(urls, "http://"+ln.Addr().String())
	}
	var prods []*sidechain.Producer
	for i, k := range vals {
		st, err := sidechain.OpenStore(t.TempDir(), nil)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		p, err := sidechain.NewProducer(sidechain.ProducerConfig{ChainID: sideID, Interval: 4, Key: k, Log: quiet},
			rpcchain.SideBlocks{Side: rpcchain.NewSide(client.New(side.URL), nil)}, rpcchain.Peers{URLs: []string{urls[1-i]}, HTTP: http.DefaultClient},
			rpcchain.MainAnchors{Main: rpcchain.NewMain(client.New(main.URL))}, st)
		if err != nil {
			t.Fatal(err)
		}
		hs := &http.Server{Handler: rpcchain.ProducerHandler(p)}
		go func(ln net.Listener) { _ = hs.Serve(ln) }(lns[i])
		defer hs.Close()
		prods = append(prods, p)
	}
	fetch := rpcchain.ProducerCheckpoints(urls, http.DefaultClient)
	ctx := context.Background()
	var m *checkpoint.MsgSubmit
	for round := 0; m == nil; round++ {
		if round == 20 {
			t.Fatal("no checkpoint with a quorum after 20 side blocks")
		}
		side.ProduceOK()
		// Two passes: the first signs and sends a vote the peer may not
		// have built a checkpoint for yet; the second re-sends it.
		for range 2 {
			for _, p := range prods {
				if err := p.Step(); err != nil {
					t.Fatal(err)
				}
			}
		}
		var err error
		if m, err = fetch(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	if len(m.Sigs) != 2 || m.Checkpoint.Start != 1 || m.Checkpoint.End != 4 {
		t.Fatalf("checkpoint %d..%d with %d signatures", m.Checkpoint.Start, m.Checkpoint.End, len(m.Sigs))
	}
	main.Send(submitter, checkpoint.TypeSubmit, m)
	main.ProduceOK()
	if n, end, err := rpcchain.NewMain(client.New(main.URL)).Anchored(ctx, sideID); err != nil || n != 1 || end != 4 {
		t.Fatalf("anchored %d..%d %v", n, end, err)
	}
	if none, err := fetch(ctx, 9); err != nil || none != nil {
		t.Fatalf("checkpoint 9: %v %v", none, err)
	}
}
