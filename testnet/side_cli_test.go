package testnet

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/types"
)

// TestSideModulesCLISucceeds drives the accord binary against a node
// process through the successful paths of the newer modules' commands:
// a payee redeems two vouchers the payer signed with `channel voucher`;
// two panel arbitrators' `tx arbitration vote` resolve a disputed
// payment 2/1; and a compliance officer's `tx risk unfreeze` lifts a
// velocity freeze, after which the merchant's refused action goes
// through. Every step is checked through the CLI's queries and balances.
func TestSideModulesCLISucceeds(t *testing.T) {
	l := Layout{Dir: t.TempDir(), Validators: 1, ChainID: "accord-local"}
	if _, err := Init(l, InitOptions{Params: map[string]map[string]string{
		risk.ModuleName: {risk.ParamVelocityMax: "1", risk.ParamVelocityFreeze: "1"},
	}}); err != nil {
		t.Fatal(err)
	}
	home := string(l.Home(0))
	pw := l.DevPasswordFile()
	startNode(t, home)
	run := func(args ...string) (string, error) {
		t.Helper()
		out, errOut, err := cli(t, append(args, "--home", home)...)
		if err != nil {
			return out + errOut, err
		}
		return out, nil
	}
	must := func(args ...string) string {
		t.Helper()
		out, err := run(args...)
		if err != nil {
			t.Fatalf("accord %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	// tx sends a transaction as from and returns its receipt; a failed or
	// refused one fails the test.
	tx := func(from string, args ...string) *views.Receipt {
		t.Helper()
		out := must(append(append([]string{"tx"}, args...), "--from", from, "--password-file", pw, "--wait", "--json")...)
		// Module commands print the receipt; the older groups (gov, kyc,
		// acceptor, ...) print their result with the receipt inside.
		var rc struct {
			views.Receipt
			Inner *views.Receipt `json:"receipt"`
		}
		err := json.Unmarshal([]byte(out), &rc)
		r := &rc.Receipt
		if rc.Inner != nil {
			r = rc.Inner
		}
		if err != nil || r.Status != "ok" {
			t.Fatalf("tx %v: %v\n%s", args, err, out)
		}
		return r
	}
	query := func(out any, args ...string) {
		t.Helper()
		if err := json.Unmarshal([]byte(must(append(append([]string{"query"}, args...), "--json")...)), out); err != nil {
			t.Fatalf("query %v: %v", args, err)
		}
	}
	balance := func(a string) uint64 {
		t.Helper()
		var acc views.Account
		query(&acc, "account", a)
		return acc.BalanceMicro
	}
	addr := map[string]string{}
	for _, k := range []string{"payee", "arb1", "arb2", "arb3", "merchant", "acceptor", "officer"} {
		addr[k] = must("keys", "new", k, "--password-file", pw, "--light-kdf")
	}
	addr["dev"] = must("keys", "show", "dev")
	var st views.Status
	if err := json.Unmarshal([]byte(must("status")), &st); err != nil {
		t.Fatal(err)
	}
	fee := st.MinFeeMicro
	for k, amount := range map[string]string{"payee": "1", "arb1": "1", "arb2": "1", "arb3": "1", "merchant": "10", "acceptor": "3000", "officer": "1"} {
		tx("dev", "transfer", "--to", addr[k], "--amount", amount)
	}
	tx("dev", "gov", "propose", "--grant-role", addr["arb1"]+"=arbitrator", "--grant-role", addr["arb2"]+"=arbitrator",
		"--grant-role", addr["arb3"]+"=arbitrator", "--grant-role", addr["officer"]+"=compliance")
	later := strconv.FormatInt(time.Now().Add(time.Hour).UnixMilli(), 10)

	t.Run("redeem", func(t *testing.T) {
		opened := tx("dev", "channel", "open", "--payee", addr["payee"], "--deposit", "5", "--expiry", later)
		var ev channel.OpenedEvent
		if found, err := opened.FindEvent(&ev); !found || err != nil {
			t.Fatalf("channel.opened %v %v", found, err)
		}
		id := ev.ID.Hex()
		before := balance(addr["payee"])
		for i, c := range []struct {
			amount string
			pays   uint64
		}{{"1.25", 1_250_000}, {"2", 750_000}} {
			var v struct {
				Voucher string `json:"voucher"`
				Nonce   uint64 `json:"nonce"`
			}
			if err := json.Unmarshal([]byte(must("channel", "voucher", "--channel", id, "--amount", c.amount, "--from", "dev", "--password-file", pw)), &v); err != nil || v.Nonce != uint64(i+1) {
				t.Fatalf("voucher %d: %+v %v", i, v, err)
			}
			rc := tx("payee", "channel", "redeem", v.Voucher)
			var red channel.RedeemedEvent
			if found, err := rc.FindEvent(&red); !found || err != nil || red.Amount != c.pays || red.Nonce != uint64(i+1) {
				t.Fatalf("redeem %d: %+v %v %v", i, red, found, err)
			}
		}
		var cv channel.View
		query(&cv, "channel", "show", id)
		if cv.State != "OPEN" || cv.Redeemed != 2_000_000 || cv.Remaining != 3_000_000 || cv.Nonce != 2 {
			t.Fatalf("channel %+v", cv)
		}
		if got, want := balance(addr["payee"]), before+2_000_000-2*fee; got != want {
			t.Fatalf("payee balance %d, want %d", got, want)
		}
	})

	t.Run("votes", func(t *testing.T) {
		locked := tx("dev", "pay", "lock", "--payee", addr["payee"], "--attester", addr["officer"], "--amount", "3", "--deadline", later)
		var lk pay.LockedEvent
		if found, err := locked.FindEvent(&lk); !found || err != nil {
			t.Fatalf("pay.locked %v %v", found, err)
		}
		rc := tx("dev", "pay", "dispute", "--payment", lk.ID.Hex())
		var op arbitration.OpenedEvent
		if found, err := rc.FindEvent(&op); !found || err != nil || op.Threshold != 2 {
			t.Fatalf("arbitration.opened %+v %v %v", op, found, err)
		}
		// dev is the payer, so the panel is the three other arbitrators.
		byAddr := map[string]string{}
		for _, k := range []string{"arb1", "arb2", "arb3"} {
			byAddr[strings.ToLower(addr[k])] = k
		}
		panel := strings.Split(strings.ToLower(op.Panel), ",")
		if len(panel) != 3 || byAddr[panel[0]] == "" || byAddr[panel[1]] == "" || byAddr[panel[2]] == "" {
			t.Fatalf("panel %s", op.Panel)
		}
		before := balance(addr["payee"])
		vote := []string{"arbitration", "vote", "--dispute", op.ID.Hex(), "--winner", "a", "--reason", "other", "--to-a", "2", "--to-b", "1"}
		first := tx(byAddr[panel[0]], vote...)
		var voted arbitration.VotedEvent
		if found, err := first.FindEvent(&voted); !found || err != nil || voted.Winner != "a" || voted.ToA != 2_000_000 {
			t.Fatalf("first vote %+v %v %v", voted, found, err)
		}
		var dv arbitration.View
		query(&dv, "arbitration", "show", op.ID.Hex())
		if dv.Phase != "PANEL" || len(dv.Votes) != 1 || dv.Votes[0].Winner != arbitration.SideA {
			t.Fatalf("after one vote %+v", dv)
		}
		second := tx(byAddr[panel[1]], vote...)
		var res arbitration.ResolvedEvent
		var paid pay.ResolvedEvent
		if found, err := second.FindEvent(&res); !found || err != nil || res.By != "panel" || res.ToA != 2_000_000 || res.ToB != 1_000_000 {
			t.Fatalf("resolved %+v %v %v", res, found, err)
		}
		if found, err := second.FindEvent(&paid); !found || err != nil || paid.ToPayee != 2_000_000 || paid.ToPayer != 1_000_000 {
			t.Fatalf("payment resolved %+v %v %v", paid, found, err)
		}
		query(&dv, "arbitration", "show", op.ID.Hex())
		if dv.Phase != "RESOLVED" || dv.Decision == nil || dv.Decision.By != "panel" || dv.Decision.Reason != arbitration.ReasonOther || len(dv.Votes) != 2 {
			t.Fatalf("resolved dispute %+v", dv)
		}
		var av arbitration.ArbitratorView
		query(&av, "arbitration", "arbitrator", addr[byAddr[panel[0]]])
		if av.Votes != 1 || av.Decided != 1 || av.Agreed != 1 || av.AccuracyBps != 10_000 {
			t.Fatalf("arbitrator %+v", av)
		}
		var open []arbitration.View
		query(&open, "arbitration", "open")
		if len(open) != 0 {
			t.Fatalf("open disputes %+v", open)
		}
		var pv pay.View
		query(&pv, "pay", "show", lk.ID.Hex())
		if pv.State != "RESOLVED" || pv.ToPayee != 2_000_000 || pv.ToPayer != 1_000_000 {
			t.Fatalf("payment %+v", pv)
		}
		if got := balance(addr["payee"]); got != before+2_000_000 {
			t.Fatalf("payee balance %d, want %d", got, before+2_000_000)
		}
	})

	t.Run("unfreeze", func(t *testing.T) {
		exp := time.Now().AddDate(1, 0, 0).UTC().Format("2006-01-02")
		tx("dev", "kyc", "attest", addr["merchant"], "--level", "2", "--country", "SG", "--expires", exp, "--record-hash", types.Keccak([]byte("m")).Hex())
		tx("dev", "kyc", "attest", addr["acceptor"], "--level", "3", "--country", "HK", "--expires", exp, "--record-hash", types.Keccak([]byte("a")).Hex())
		tx("dev", "oracle", "post-rate", "--currency", "USD", "--rate", "1")
		details := filepath.Join(t.TempDir(), "details")
		if err := os.WriteFile(details, []byte("bank account 1"), 0o600); err != nil {
			t.Fatal(err)
		}
		tx("acceptor", "acceptor", "register", "--method", "USD:bank_transfer:@"+details)
		tx("acceptor", "acceptor", "deposit", "--amount", "2000")
		tx("acceptor", "acceptor", "deposit-margin", "--amount", "500")
		// velocity_max_per_hour is 1: the second order of an hour (of block
		// time) freezes the merchant; a third is made only if an hour began
		// between the first two.
		var ids []string
		var ra risk.AccountView
		for i := 0; i < 3 && !ra.Frozen; i++ {
			out := must("tx", "order", "create", "--from", "merchant", "--password-file", pw, "--currency", "USD", "--amount", strconv.Itoa(10+i),
				"--ref", "cli-"+strconv.Itoa(i), "--wait", "--json")
			var o struct {
				ID    string `json:"order_id"`
				State string `json:"state"`
			}
			if err := json.Unmarshal([]byte(out), &o); err != nil || o.State != "LOCKED" {
				t.Fatalf("order %d: %v\n%s", i, err, out)
			}
			ids = append(ids, o.ID)
			query(&ra, "risk", "account", addr["merchant"])
		}
		if !ra.Frozen || ra.Freeze == nil || ra.Freeze.Rule != risk.RuleVelocity || len(ra.Events) != 1 || ra.Events[0].Value != 2 {
			t.Fatalf("merchant not frozen by the velocity rule: %+v", ra)
		}
		var frozen []risk.FrozenView
		query(&frozen, "risk", "frozen")
		if len(frozen) != 1 || !strings.EqualFold(frozen[0].Account.Hex(), addr["merchant"]) || frozen[0].Freeze.Rule != risk.RuleVelocity {
			t.Fatalf("frozen accounts %+v", frozen)
		}
		markPaid := []string{"tx", "order", "mark-paid", ids[0], "--from", "merchant", "--password-file", pw, "--payment-ref", "wire-1", "--wait"}
		if out, err := run(markPaid...); err == nil || !strings.Contains(out, order.ErrFrozen.Error()) {
			t.Fatalf("frozen merchant marked paid: %v\n%s", err, out)
		}
		rc := tx("officer", "risk", "unfreeze", "--account", addr["merchant"], "--reason", types.Keccak([]byte("case 1: false positive")).Hex())
		var un risk.UnfrozenEvent
		if found, err := rc.FindEvent(&un); !found || err != nil || !strings.EqualFold(un.Officer.Hex(), addr["officer"]) {
			t.Fatalf("unfrozen %+v %v %v", un, found, err)
		}
		var resumed order.ResumedEvent
		if found, err := rc.FindEvent(&resumed); !found || err != nil || resumed.State != "LOCKED" {
			t.Fatalf("resumed %+v %v %v", resumed, found, err)
		}
		query(&ra, "risk", "account", addr["merchant"])
		if ra.Frozen || len(ra.Events) != 2 || ra.Events[0].Rule != risk.RuleVelocity || ra.Events[1].Rule != risk.RuleUnfreeze {
			t.Fatalf("risk account after unfreeze %+v", ra)
		}
		if out, err := run(markPaid...); err != nil || !strings.Contains(out, "status  ok") {
			t.Fatalf("mark-paid after the unfreeze: %v\n%s", err, out)
		}
		var ov views.Order
		query(&ov, "order", ids[0])
		if ov.State != "PAID" {
			t.Fatalf("order after unfreeze %+v", ov)
		}
	})
}
