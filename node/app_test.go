package node

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/pay"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestAppRoutesEveryModule(t *testing.T) {
	app, err := NewApp("app-test")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		typ  types.TxType
		name string
	}{
		{bank.TypeTransfer, "bank.transfer"},
		{gov.TypePropose, "gov.propose"}, {gov.TypeApprove, "gov.approve"}, {gov.TypeCancel, "gov.cancel"},
		{kyc.TypeAttest, "kyc.attest"}, {kyc.TypeRevoke, "kyc.revoke"},
		{oracle.TypePostRates, "oracle.post_rates"},
		{acceptor.TypeRegister, "acceptor.register"}, {acceptor.TypeResume, "acceptor.resume"},
		{order.TypeCreate, "order.create"}, {order.TypeDispute, "order.dispute"},
		{risk.TypeUnfreeze, "risk.unfreeze"}, {pay.TypeLock, "pay.lock"}, {channel.TypeOpen, "channel.open"},
		{arbitration.TypeVote, "arbitration.vote"},
	} {
		if got := app.TypeName(c.typ); got != c.name {
			t.Errorf("TypeName(%#x) = %q, want %q", c.typ, got, c.name)
		}
	}
	if got := app.TypeName(core.TypeBridge + 1); !strings.HasPrefix(got, "unknown") { // main's bridge
		t.Errorf("unrouted type named %q", got)
	}
}

func TestAppCost(t *testing.T) {
	app, err := NewApp("app-test")
	if err != nil {
		t.Fatal(err)
	}
	id := types.Keccak([]byte("order"))
	for _, c := range []struct {
		name    string
		typ     types.TxType
		payload []byte
		cost    uint64
		err     error
	}{
		{"transfer costs its amount", bank.TypeTransfer, core.Encode(&bank.MsgTransfer{To: types.Address{1}, Amount: 7}), 7, nil},
		{"float deposit costs its amount", acceptor.TypeDepositFloat, core.Encode(&acceptor.MsgDepositFloat{Amount: 9}), 9, nil},
		{"margin deposit costs its amount", acceptor.TypeDepositMargin, core.Encode(&acceptor.MsgDepositMargin{Amount: 11}), 11, nil},
		{"float withdrawal costs nothing", acceptor.TypeWithdrawFloat, core.Encode(&acceptor.MsgWithdrawFloat{Amount: 11}), 0, nil},
		{"order confirm costs nothing", order.TypeConfirm, core.Encode(&order.MsgConfirm{ID: id}), 0, nil},
		{"gov approve costs nothing", gov.TypeApprove, core.Encode(&gov.MsgApprove{ProposalID: 1}), 0, nil},
		{"rates cost nothing", oracle.TypePostRates, core.Encode(&oracle.MsgPostRates{Rates: []oracle.RatePost{{Currency: "USD", Rate: 1}}}), 0, nil},
		{"kyc revoke costs nothing", kyc.TypeRevoke, core.Encode(&kyc.MsgRevoke{Account: types.Address{1}}), 0, nil},
		{"malformed order payload is refused", order.TypeConfirm, []byte{0x01}, 0, core.ErrBadPayload},
		{"invalid message is refused", order.TypeConfirm, core.Encode(&order.MsgConfirm{}), 0, order.ErrZeroID},
		{"empty proposal is refused", gov.TypePropose, core.Encode(&gov.MsgPropose{}), 0, gov.ErrNoActions},
		{"unrouted type of a known range is refused", acceptor.TypeResume + 1, nil, 0, core.ErrUnknownType},
		{"pay lock costs its amount", pay.TypeLock, core.Encode(&pay.MsgLock{Payee: types.Address{1}, Attester: types.Address{2}, Amount: 5 * types.MicroPerUSDT, Deadline: 1}), 5 * types.MicroPerUSDT, nil},
		{"type of an unwired module is refused", core.TypeBridge + 1, nil, 0, core.ErrUnknownType},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := app.Cost(&types.Tx{Type: c.typ, Payload: c.payload})
			if c.err != nil {
				if !errors.Is(err, c.err) {
					t.Fatalf("err = %v, want %v", err, c.err)
				}
				return
			}
			if err != nil || got != c.cost {
				t.Fatalf("cost %d, %v; want %d", got, err, c.cost)
			}
		})
	}
}

func TestBuildGenesisDefaults(t *testing.T) {
	vals := []types.Address{{1}, {2}, {3}, {4}}
	raw, err := BuildGenesis(InitOptions{ChainID: "g", Validators: vals, GenesisTime: time.Unix(1_700_000_000, 0)}, types.Address{})
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckGenesis(raw); err != nil {
		t.Fatalf("default genesis refused: %v", err)
	}
	g, err := ledger.ParseGenesis(raw)
	if err != nil {
		t.Fatal(err)
	}
	var gg gov.Genesis
	if err := json.Unmarshal(g.AppState["gov"], &gg); err != nil {
		t.Fatal(err)
	}
	if len(gg.Admins) != 4 || gg.Admins[0] != vals[0].Hex() || gg.Threshold != 3 {
		t.Fatalf("gov section %+v: want the validators as admins, 3 of 4", gg)
	}
	for n, want := range map[int]uint64{1: 1, 2: 2, 3: 3, 4: 3, 7: 5, 10: 7} {
		if got := DefaultThreshold(n); got != want {
			t.Errorf("DefaultThreshold(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestCheckGenesisRefusesBadModuleSections(t *testing.T) {
	self := types.Address{9}
	for _, c := range []struct {
		name string
		o    InitOptions
		want string
	}{
		{"threshold above admins", InitOptions{AdminThreshold: 2}, "threshold"},
		{"misspelt parameter", InitOptions{Params: map[string]map[string]string{"order": {"payment_windw_ms": "60000"}}}, "unknown parameter"},
		{"parameter out of range", InitOptions{Params: map[string]map[string]string{"order": {"payment_window_ms": "1000"}}}, "outside"},
		{"oracle rate by a non-oracle", InitOptions{ExtraAppState: map[string]json.RawMessage{
			"oracle": json.RawMessage(`{"rates":[{"oracle":"` + self.Hex() + `","currency":"USD","rate":"1"}]}`)}}, "oracle"},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.o.ChainID = "g"
			raw, err := BuildGenesis(c.o, self)
			if err != nil {
				t.Fatal(err)
			}
			if err := CheckGenesis(raw); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
	grant, err := ParseRoleGrant(self.Hex() + "=oracle")
	if err != nil || grant.Role != gov.RoleOracle || grant.Address != self {
		t.Fatalf("%+v %v", grant, err)
	}
	for _, bad := range []string{"oracle", self.Hex() + "=king", "0x12=oracle"} {
		if _, err := ParseRoleGrant(bad); err == nil {
			t.Errorf("ParseRoleGrant(%q) accepted", bad)
		}
	}
}

func TestTransferIntoModuleLedgerAccountsIsRefused(t *testing.T) {
	key, _ := crypto.GenerateKey()
	from := types.PubkeyAddress(key)
	raw, err := BuildGenesis(InitOptions{ChainID: "app-test", GenesisTime: time.Unix(1_700_000_000, 0),
		Allocs: []Alloc{{Address: from, Micro: 100 * types.MicroPerUSDT}}}, from)
	if err != nil {
		t.Fatal(err)
	}
	g, err := ledger.ParseGenesis(raw)
	if err != nil {
		t.Fatal(err)
	}
	app, err := NewApp("app-test")
	if err != nil {
		t.Fatal(err)
	}
	st := state.NewOverlay(nil)
	blk := core.Block{ChainID: "app-test", Height: 1, Time: g.TimeMillis() + 1000}
	if err := app.Router.InitGenesis(blk, st, g.AppState); err != nil {
		t.Fatal(err)
	}
	nonce := uint64(0)
	send := func(to types.Address) *types.Receipt {
		tx, _ := types.SignTx(&types.Tx{ChainID: "app-test", Nonce: nonce, Type: bank.TypeTransfer, Fee: 10_000,
			Payload: core.Encode(&bank.MsgTransfer{To: to, Amount: types.MicroPerUSDT})}, key)
		nonce++
		rc, err := app.Router.ApplyTx(blk, st, tx)
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	for name, to := range map[string]types.Address{"escrow": order.EscrowAddress, "float": acceptor.FloatAddress, "margin": acceptor.MarginAddress} {
		if rc := send(to); rc.Status != types.StatusFailed || !strings.Contains(rc.Error, "module account") {
			t.Fatalf("transfer into %s: %+v", name, rc)
		}
		if got := app.Bank.Balance(st, to); got != 0 {
			t.Fatalf("%s credited %d", name, got)
		}
	}
	if rc := send(types.Address{0xaa}); rc.Status != types.StatusOK {
		t.Fatalf("ordinary transfer failed: %+v", rc)
	}
}
