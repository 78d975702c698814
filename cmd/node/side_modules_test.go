package main

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/testnet"
	"github.com/accordnet/accord/types"
)

// TestChannelAndPayCLI drives the channel and pay modules' declared
// commands through the CLI against a running single-validator node, and
// reads the results back through their declared queries (CLI and API).
func TestChannelAndPayCLI(t *testing.T) {
	c, err := testnet.NewCluster(t.TempDir(), testnet.ClusterOptions{Validators: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	rpc := c.RPCAddr(0)
	common := []string{"--home", string(c.Layout.Home(0)), "--node", rpc}
	tx := func(args ...string) (*views.Receipt, string, error) {
		t.Helper()
		out, err := runCLI(t, append(append(args, common...), "--from", "dev", "--password-file", c.Layout.DevPasswordFile(),
			"--wait", "--json")...)
		var rc views.Receipt
		if jerr := json.Unmarshal([]byte(out), &rc); jerr != nil {
			return nil, out, err
		}
		return &rc, out, err
	}
	ok := func(args ...string) *views.Receipt {
		t.Helper()
		rc, out, err := tx(args...)
		if err != nil || rc == nil || rc.Status != "ok" {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return rc
	}
	payee := "0x00000000000000000000000000000000000000b0"
	attester := "0x00000000000000000000000000000000000000a7"
	// Block time follows the wall clock on a test node; an hour ahead is
	// inside every default bound.
	later := strconv.FormatUint(uint64(time.Now().Add(time.Hour).UnixMilli()), 10)
	muchLater := strconv.FormatUint(uint64(time.Now().Add(2*time.Hour).UnixMilli()), 10)

	// Channel: open, top up, extend, close; the query shows each step.
	rc := ok("tx", "channel", "open", "--payee", payee, "--deposit", "2", "--expiry", later)
	var opened channel.OpenedEvent
	if found, err := rc.FindEvent(&opened); !found || err != nil || opened.Payer != c.Dev || opened.Deposit != 2_000_000 {
		t.Fatalf("opened %+v (%v %v)", opened, found, err)
	}
	if opened.ID != channel.ChannelID(c.Dev, 1) {
		t.Fatalf("channel ID %s, want the payer's first", opened.ID.Hex())
	}
	id := opened.ID.Hex()
	ok("tx", "channel", "topup", "--channel", id, "--amount", "0.5")
	ok("tx", "channel", "extend", "--channel", id, "--expiry", muchLater)
	// A query right after a --wait receipt reads that block's state.
	ok("tx", "channel", "close", "--channel", id)
	var view channel.View
	if err := client.New(rpc).Call(context.Background(), channel.QueryMethod, &view, id); err != nil {
		t.Fatal(err)
	}
	if view.State != "CLOSING" || view.Deposit != 2_500_000 || strconv.FormatUint(view.Expiry, 10) != muchLater || !strings.EqualFold(view.Payee.Hex(), payee) {
		t.Fatalf("channel view %+v", view)
	}
	out, err := runCLI(t, append([]string{"query", "channel", "show", id}, common...)...)
	if err != nil || !strings.Contains(out, `"state": "CLOSING"`) || !strings.Contains(out, `"deposit": 2500000`) {
		t.Fatalf("query channel show: %v\n%s", err, out)
	}
	// The payer signs a voucher off-chain; verify checks it against the
	// channel; the payer cannot redeem it (only the payee can).
	keyFlags := []string{"--from", "dev", "--password-file", c.Layout.DevPasswordFile()}
	out, err = runCLI(t, append(append([]string{"channel", "voucher", "--channel", id, "--amount", "0.7"}, keyFlags...), common...)...)
	var vv voucherView
	if err != nil || json.Unmarshal([]byte(out), &vv) != nil || vv.Nonce != 1 || vv.Amount != 700_000 || vv.Signer != c.Dev {
		t.Fatalf("channel voucher: %v\n%s", err, out)
	}
	out, err = runCLI(t, append([]string{"channel", "verify", vv.Voucher}, common...)...)
	if err != nil || !strings.Contains(out, `"redeemable": 700000`) {
		t.Fatalf("channel verify: %v\n%s", err, out)
	}
	out, err = runCLI(t, append(append([]string{"channel", "voucher", "--channel", id, "--amount", "3"}, keyFlags...), common...)...)
	if err != nil || json.Unmarshal([]byte(out), &vv) != nil {
		t.Fatalf("channel voucher: %v\n%s", err, out)
	}
	if _, err := runCLI(t, append([]string{"channel", "verify", vv.Voucher}, common...)...); err == nil || !strings.Contains(err.Error(), "exceeds the deposit") {
		t.Fatalf("verify of a voucher past the deposit: %v", err)
	}
	if _, out, err := tx("tx", "channel", "redeem", vv.Voucher); err == nil {
		t.Fatalf("payer redeemed its own voucher\n%s", out)
	}
	// Settling before the challenge period ends is the payee's right only.
	if _, out, err := tx("tx", "channel", "settle", "--channel", id); err == nil {
		t.Fatalf("payer settled inside the challenge period\n%s", out)
	}
	// Bad input is refused by the builder, before anything is signed.
	for _, bad := range [][]string{
		{"tx", "channel", "topup", "--channel", "0x12", "--amount", "1"},
		{"tx", "channel", "open", "--payee", payee, "--deposit", "x", "--expiry", later},
		{"tx", "channel", "redeem", "0xzz"},
	} {
		if _, out, err := tx(bad...); err == nil {
			t.Fatalf("%v accepted\n%s", bad, out)
		}
	}
	// An unknown channel is the API's not-found.
	missing := channel.ChannelID(c.Dev, 99).Hex()
	if _, err := runCLI(t, append([]string{"query", "channel", "show", missing}, common...)...); err == nil || !strings.Contains(err.Error(), "no such channel") {
		t.Fatalf("missing channel: %v", err)
	}

	// Pay: lock, then a refund before the deadline is refused.
	rc = ok("tx", "pay", "lock", "--payee", payee, "--attester", attester, "--amount", "1", "--deadline", later)
	var locked pay.LockedEvent
	if found, err := rc.FindEvent(&locked); !found || err != nil || locked.Amount != 1_000_000 {
		t.Fatalf("locked %+v (%v %v)", locked, found, err)
	}
	pid := locked.ID.Hex()
	if _, out, err := tx("tx", "pay", "refund", "--payment", pid); err == nil {
		t.Fatalf("refund before the deadline accepted\n%s", out)
	}
	out, err = runCLI(t, append([]string{"query", "pay", "show", pid}, common...)...)
	if err != nil || !strings.Contains(out, `"state": "LOCKED"`) || !strings.Contains(out, `"amount": 1000000`) {
		t.Fatalf("query pay show: %v\n%s", err, out)
	}
	var pv pay.View
	if err := client.New(rpc).Call(context.Background(), pay.QueryMethod, &pv, pid); err != nil || pv.Payer != c.Dev || !strings.EqualFold(pv.Attester.Hex(), attester) {
		t.Fatalf("payment view %+v: %v", pv, err)
	}

	// Arbitration: disputing the payment opens its dispute; the payer
	// (side B) adds evidence; the query shows the panel and deadlines.
	rc = ok("tx", "pay", "dispute", "--payment", pid)
	var dopened arbitration.OpenedEvent
	if found, err := rc.FindEvent(&dopened); !found || err != nil || dopened.Subject != locked.ID {
		t.Fatalf("dispute opened %+v (%v %v)", dopened, found, err)
	}
	did := dopened.ID.Hex()
	ok("tx", "arbitration", "evidence", "--dispute", did, "--hash", types.Keccak([]byte("bank statement")).Hex())
	var dv struct {
		Kind          string            `json:"kind"`
		Phase         string            `json:"phase"`
		EvidenceUntil uint64            `json:"evidence_until_ms"`
		Evidence      []json.RawMessage `json:"evidence"`
	}
	if err := client.New(rpc).Call(context.Background(), arbitration.QueryMethod, &dv, did); err != nil {
		t.Fatal(err)
	}
	if dv.Kind != "payment" || dv.Phase == "" || dv.EvidenceUntil == 0 || len(dv.Evidence) != 1 {
		t.Fatalf("dispute view %+v", dv)
	}
	out, err = runCLI(t, append([]string{"query", "arbitration", "show", did}, common...)...)
	if err != nil || !strings.Contains(out, `"kind": "payment"`) {
		t.Fatalf("query arbitration show: %v\n%s", err, out)
	}
	// The payer is not on the panel: its vote is refused.
	if _, out, err := tx("tx", "arbitration", "vote", "--dispute", did, "--winner", "b", "--reason", "other", "--to-b", "1"); err == nil {
		t.Fatalf("a party voted\n%s", out)
	}
	if _, out, err := tx("tx", "arbitration", "vote", "--dispute", did, "--winner", "c", "--reason", "other"); err == nil || !strings.Contains(err.Error(), "--winner") {
		t.Fatalf("bad winner: %v\n%s", err, out)
	}

	// Risk: the dev account is not frozen, so an unfreeze is refused.
	var av risk.AccountView
	if err := client.New(rpc).Call(context.Background(), risk.QueryMethod, &av, c.Dev.Hex()); err != nil || av.Account != c.Dev || av.Frozen || av.Freeze != nil {
		t.Fatalf("risk account %+v: %v", av, err)
	}
	out, err = runCLI(t, append([]string{"query", "risk", "account", c.Dev.Hex()}, common...)...)
	if err != nil || !strings.Contains(out, `"frozen": false`) {
		t.Fatalf("query risk account: %v\n%s", err, out)
	}
	if _, out, err := tx("tx", "risk", "unfreeze", "--account", payee, "--reason", types.Keccak([]byte("case 1")).Hex()); err == nil {
		t.Fatalf("unfreeze of an unfrozen account accepted\n%s", out)
	}
}
