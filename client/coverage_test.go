package client_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"sync"
	"testing"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/lightclient"
	"github.com/accordnet/accord/testnet"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// uncovered are the documented methods the SDK has no call for, and why.
// TestClientCoversEveryRPC fails on any other method without one.
var uncovered = map[string]string{
	wire.MethodUnsubscribe: "Subscription.Close closes the subscription's WebSocket, which ends it",
}

// recorder notes the JSON-RPC method of every HTTP request a client makes,
// so a call is proved to reach the method its table row names.
type recorder struct {
	next    http.RoundTripper
	mu      sync.Mutex
	methods []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, err
	}
	req.Body.Close()
	var m struct{ Method string }
	if err := json.Unmarshal(body, &m); err == nil {
		r.mu.Lock()
		r.methods = append(r.methods, m.Method)
		r.mu.Unlock()
	}
	req.Body = io.NopCloser(bytes.NewReader(body))
	return r.next.RoundTrip(req)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.methods
	r.methods = nil
	return out
}

func recorded(c *client.Client) (*client.Client, *recorder) {
	r := &recorder{next: c.HTTP.Transport}
	hc := *c.HTTP
	hc.Transport = r
	c.HTTP = &hc
	return c, r
}

// documented returns the method names of api/openrpc.json.
func documented(t *testing.T) []string {
	t.Helper()
	raw, err := os.ReadFile("../api/openrpc.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Methods []struct{ Name string } `json:"methods"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Methods) == 0 {
		t.Fatal("api/openrpc.json lists no methods")
	}
	out := make([]string, len(doc.Methods))
	for i, m := range doc.Methods {
		out[i] = m.Name
	}
	return out
}

// found passes a result, or a not-found refusal: the node routed the call
// to the method and accepted its parameters, it just has no such record.
func found(err error) error {
	if wire.CodeOf(err) == wire.CodeNotFound {
		return nil
	}
	return err
}

// TestClientCoversEveryRPC checks that every method api/openrpc.json
// documents (but those in uncovered) has an SDK
// call, and exercises each against a real main or side node: the call must
// reach its method, be accepted and decode the answer.
func TestClientCoversEveryRPC(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a main and a side chain")
	}
	const mainID, sideID = "accord-main", "accord-side-1"
	mainC, err := testnet.NewCluster(t.TempDir(), testnet.ClusterOptions{Validators: 1, ChainID: mainID, Profile: app.Main,
		SideChains: []testnet.LinkedChain{{ChainID: sideID, Validators: 1}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mainC.Close)
	sideC, err := testnet.NewCluster(t.TempDir(), testnet.ClusterOptions{Validators: 1, ChainID: sideID, Profile: app.Side,
		MainChain: &testnet.LinkedChain{ChainID: mainID, Validators: 1}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sideC.Close)
	ctx := t.Context()
	for _, c := range []*testnet.Cluster{mainC, sideC} {
		if err := c.WaitHeight(ctx, 0, 3); err != nil {
			t.Fatal(err)
		}
	}
	mainCl, mainRec := recorded(mainC.Client(0))
	sideCl, sideRec := recorded(sideC.Client(0))
	dev, sideDev := mainC.Dev, sideC.Dev
	nothing := types.Hash{0xde, 0xad}

	// The C2C modules, the light client and the side half of the bridge
	// run on a side chain; the checkpoints and main's bridge on main.
	type row struct {
		side bool // served by a side chain (else main)
		call func(c *client.Client) error
	}
	calls := map[string]row{
		"accord_status": {call: func(c *client.Client) error {
			s, err := c.Status(ctx)
			if err == nil && s.ChainID != mainID {
				t.Errorf("status chain %q", s.ChainID)
			}
			return err
		}},
		"accord_methods": {call: func(c *client.Client) error {
			ms, err := c.Methods(ctx)
			if err == nil && !slices.Contains(ms, "accord_getSideChain") {
				t.Errorf("main serves %v: no accord_getSideChain", ms)
			}
			return err
		}},
		"accord_eventTypes": {call: func(c *client.Client) error {
			evs, err := c.EventTypes(ctx)
			if err == nil && !slices.ContainsFunc(evs, func(e views.EventType) bool { return e.Module == "bridge" }) {
				t.Errorf("main's event types %v: none of the bridge", evs)
			}
			return err
		}},
		"accord_getAccount": {call: func(c *client.Client) error {
			a, err := c.Account(ctx, dev)
			if err == nil && a.BalanceMicro == 0 {
				t.Errorf("dev account %+v: no balance", a)
			}
			return err
		}},
		"accord_getBlockByHeight": {call: func(c *client.Client) error {
			b, err := c.Block(ctx, 2)
			if err == nil && b.Height != 2 {
				t.Errorf("block %+v", b)
			}
			return err
		}},
		"accord_getTransaction": {call: func(c *client.Client) error {
			tx, err := c.Tx(ctx, nothing)
			if err == nil && tx != nil {
				t.Errorf("tx %+v for an unknown hash", tx)
			}
			return found(err)
		}},
		"accord_getTransactionReceipt": {call: func(c *client.Client) error {
			r, err := c.Receipt(ctx, nothing)
			if err == nil && r != nil {
				t.Errorf("receipt %+v for an unknown hash", r)
			}
			return found(err)
		}},
		"accord_sendRawTransaction": {call: func(c *client.Client) error {
			// A transaction of the wrong chain: refused after decoding,
			// which shows the call reached the method with a transaction.
			_, err := c.SendTx(ctx, &types.Tx{ChainID: "other"})
			if err == nil || wire.CodeOf(err) == wire.CodeMethodNotFound {
				t.Errorf("a foreign transaction: %v", err)
			}
			return nil
		}},
		"accord_sendRawTransactions": {call: func(c *client.Client) error {
			res, err := c.SendTxs(ctx, []*types.Tx{{ChainID: "other"}})
			if err == nil && res[0].Error == "" {
				t.Errorf("a foreign transaction accepted: %+v", res)
			}
			return err
		}},
		"accord_getEvidence": {call: func(c *client.Client) error {
			_, err := c.Evidence(ctx, 1)
			return err
		}},
		"accord_subscribe": {call: func(c *client.Client) error {
			sub, err := c.Subscribe(ctx, views.Subscribe{Topic: views.TopicNewBlocks}, client.SubscribeOptions{})
			if err != nil {
				return err
			}
			defer sub.Close()
			n, ok := <-sub.Notes()
			if !ok {
				return sub.Err()
			}
			_, err = n.Block()
			return err
		}},
		"accord_getOrder": {side: true, call: func(c *client.Client) error { _, err := c.Order(ctx, nothing); return found(err) }},
		"accord_getOrders": {side: true, call: func(c *client.Client) error {
			_, err := c.Orders(ctx, views.OrderFilter{Merchant: sideDev.Hex()})
			return err
		}},
		"accord_getAcceptor": {side: true, call: func(c *client.Client) error {
			_, err := c.Acceptor(ctx, types.Address{1})
			return found(err)
		}},
		"accord_getAcceptors": {side: true, call: func(c *client.Client) error { _, err := c.Acceptors(ctx, types.Address{}, 10); return err }},
		"accord_getRates":     {side: true, call: func(c *client.Client) error { _, err := c.Rates(ctx); return err }},
		"accord_getKYC":       {side: true, call: func(c *client.Client) error { _, err := c.KYC(ctx, sideDev); return found(err) }},
		"accord_getRoles":     {call: func(c *client.Client) error { _, err := c.Roles(ctx, dev); return err }},
		"accord_getRoleMembers": {call: func(c *client.Client) error {
			_, err := c.RoleMembers(ctx, "admin")
			return err
		}},
		"accord_getProposal":  {call: func(c *client.Client) error { _, err := c.Proposal(ctx, 999); return found(err) }},
		"accord_getProposals": {call: func(c *client.Client) error { _, err := c.Proposals(ctx); return err }},
		"accord_getParams":    {call: func(c *client.Client) error { _, err := c.Params(ctx, "bank"); return err }},
		"accord_getDispute":   {side: true, call: func(c *client.Client) error { _, err := c.Dispute(ctx, nothing); return found(err) }},
		"accord_getRiskAccount": {side: true, call: func(c *client.Client) error {
			_, err := c.RiskAccount(ctx, sideDev)
			return found(err)
		}},
		"accord_getOpenDisputes": {side: true, call: func(c *client.Client) error {
			v, err := c.OpenDisputes(ctx, 10)
			if err == nil && len(v) != 0 {
				t.Errorf("open disputes on a fresh chain: %d", len(v))
			}
			return err
		}},
		"accord_getEscalatedDisputes": {side: true, call: func(c *client.Client) error {
			v, err := c.EscalatedDisputes(ctx, 10)
			if err == nil && len(v) != 0 {
				t.Errorf("escalated disputes on a fresh chain: %d", len(v))
			}
			return err
		}},
		"accord_getArbitrator": {side: true, call: func(c *client.Client) error { _, err := c.Arbitrator(ctx, sideDev); return found(err) }},
		"accord_getFrozenAccounts": {side: true, call: func(c *client.Client) error {
			v, err := c.FrozenAccounts(ctx, 10)
			if err == nil && len(v) != 0 {
				t.Errorf("frozen accounts on a fresh chain: %d", len(v))
			}
			return err
		}},
		"accord_getChannel": {side: true, call: func(c *client.Client) error { _, err := c.Channel(ctx, nothing); return found(err) }},
		"accord_getPayment": {side: true, call: func(c *client.Client) error { _, err := c.Payment(ctx, nothing); return found(err) }},

		// The node's block and proof reads.
		"accord_getRawBlock": {call: func(c *client.Client) error {
			rb, err := c.RawBlock(ctx, 2)
			if err != nil {
				return err
			}
			var hdr types.Header
			if err := rlp.DecodeBytes(rb.Header, &hdr); err != nil || hdr.Height != 2 || hdr.Hash() != rb.Hash {
				t.Errorf("raw block 2: header %+v (%v), hash %s", hdr, err, rb.Hash.Hex())
			}
			if cert, err := types.DecodeCommitCert(rb.Cert); err != nil || cert.BlockHash != rb.Hash {
				t.Errorf("raw block 2: cert %v", err)
			}
			return nil
		}},
		"accord_getBlockHashes": {call: func(c *client.Client) error {
			hs, err := c.BlockHashes(ctx, 1, 2)
			if err != nil {
				return err
			}
			b, err := c.Block(ctx, 2)
			if err != nil {
				return err
			}
			if len(hs) != 2 || hs[1].Hex() != b.Hash {
				t.Errorf("hashes of 1..2 %v, block 2 is %s", hs, b.Hash)
			}
			return nil
		}},
		"accord_getBurnHold": {side: true, call: func(c *client.Client) error {
			v, err := c.BurnHold(ctx, 1, 1)
			if err == nil && (v.Pending || v.Height != 1 || v.Nonce != 1) {
				t.Errorf("no burn was made, yet %+v", v)
			}
			return err
		}},
		"accord_getValidators": {side: true, call: func(c *client.Client) error {
			vs, err := c.Validators(ctx, 2)
			if err != nil {
				return err
			}
			if len(vs.Validators) != 1 || vs.Height != 2 || (&types.ValidatorSet{Validators: vs.Validators}).Hash() != vs.Hash {
				t.Errorf("validators of block 2: %+v, want the one side validator and its set's hash", vs)
			}
			return nil
		}},
		"accord_getBurnProof": {side: true, call: func(c *client.Client) error {
			_, err := c.BurnProof(ctx, nothing, 0, 0)
			return found(err)
		}},

		// Main's bridge and checkpoint modules.
		"accord_getBridgeDeposit": {call: func(c *client.Client) error {
			_, err := c.BridgeDeposit(ctx, nothing)
			return found(err)
		}},
		"accord_getBridgeWithdrawal": {call: func(c *client.Client) error {
			_, err := c.BridgeWithdrawal(ctx, 1)
			return found(err)
		}},
		"accord_getBridgeBurn": {call: func(c *client.Client) error {
			b, err := c.BridgeBurn(ctx, nothing)
			if err == nil && (b.ID != nothing || b.Released) {
				t.Errorf("burn %+v", b)
			}
			return err
		}},
		"accord_getBridgeLocked": {call: func(c *client.Client) error {
			_, err := c.BridgeLocked(ctx, sideID)
			return err
		}},
		"accord_getSideChain": {call: func(c *client.Client) error {
			v, err := c.SideChain(ctx, sideID)
			if err == nil && (v.ChainID != sideID || len(v.Validators) != 1) {
				t.Errorf("side chain %+v", v)
			}
			return err
		}},
		"accord_getCheckpoint": {call: func(c *client.Client) error {
			// No checkpointer runs, so there is no checkpoint yet.
			_, err := c.Checkpoint(ctx, sideID, 0)
			return found(err)
		}},
		"accord_getCheckpointCovering": {call: func(c *client.Client) error {
			_, err := c.CheckpointCovering(ctx, sideID, 1)
			return found(err)
		}},

		// The side chain's bridge and light client.
		"accord_getBridgeLock": {side: true, call: func(c *client.Client) error {
			l, err := c.BridgeLock(ctx, nothing)
			if err == nil && (l.ID != nothing || l.Minted) {
				t.Errorf("lock %+v", l)
			}
			return err
		}},
		"accord_getLightClient": {side: true, call: func(c *client.Client) error {
			v, err := c.LightClient(ctx)
			if err == nil && v.ChainID != mainID {
				t.Errorf("light client %+v", v)
			}
			return err
		}},
		"accord_getLightClientHeader": {side: true, call: func(c *client.Client) error {
			// Relay main's block 2 to the side chain's light client, as a
			// relayer does, then read it back as trusted.
			rb, err := mainC.Client(0).RawBlock(ctx, 2)
			if err != nil {
				return err
			}
			var hdr types.Header
			if err := rlp.DecodeBytes(rb.Header, &hdr); err != nil {
				return err
			}
			cert, err := types.DecodeCommitCert(rb.Cert)
			if err != nil {
				return err
			}
			st, err := c.Status(ctx)
			if err != nil {
				return err
			}
			tx, err := client.NewSigner(testnet.DevKey(), st.ChainID, st.MinFeeMicro).Submit(ctx, c, lightclient.TypeUpdate,
				&lightclient.MsgUpdate{Header: hdr, Cert: *cert})
			if err != nil {
				return err
			}
			rc, err := c.WaitReceipt(ctx, tx.Hash())
			if err != nil {
				return err
			}
			if rc.Status != "ok" {
				t.Fatalf("light client update %+v", rc)
			}
			// Queries read the state after the receipt's block commits.
			if err := sideC.WaitHeight(ctx, 0, rc.Height+1); err != nil {
				return err
			}
			sideRec.take()
			h, err := c.LightClientHeader(ctx, 2)
			if err == nil && (h.Height != 2 || h.Hash != rb.Hash) {
				t.Errorf("trusted header %+v, main's block 2 is %s", h, rb.Hash.Hex())
			}
			return err
		}},
	}

	docs := documented(t)
	served := map[string]bool{}
	for _, cl := range []*client.Client{mainCl, sideCl} {
		ms, err := cl.Methods(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			served[m] = true
		}
	}
	mainRec.take()
	sideRec.take()
	for _, m := range docs {
		if why, ok := uncovered[m]; ok {
			t.Logf("%s: no call (%s)", m, why)
			continue
		}
		r, ok := calls[m]
		if !ok {
			t.Errorf("%s is documented in api/openrpc.json but the client has no call for it", m)
			continue
		}
		if !served[m] {
			t.Errorf("%s is documented but neither node serves it", m)
		}
		t.Run(m, func(t *testing.T) {
			cl, rec := mainCl, mainRec
			if r.side {
				cl, rec = sideCl, sideRec
			}
			if err := r.call(cl); err != nil {
				t.Fatalf("%s: %v", m, err)
			}
			// A subscription is a WebSocket call, which the recorder of
			// HTTP requests does not see.
			if got := rec.take(); m != wire.MethodSubscribe && !slices.Contains(got, m) {
				t.Fatalf("the call for %s sent %v", m, got)
			}
		})
	}
	for m := range calls {
		if !slices.Contains(docs, m) {
			t.Errorf("the table exercises %s, which api/openrpc.json does not document", m)
		}
	}
}
