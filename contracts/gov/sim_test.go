package gov_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/bank/banktest"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/kv"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// TestRandomizedBlocks drives gov, kyc and oracle with random messages
// through the real block executor for many blocks: a proposer builds and
// commits each block, a follower re-executes it (same state root, or the
// run is not deterministic), and every invariant is checked after every
// block. A failure names its seed; rerun with that seed to replay it.
func TestRandomizedBlocks(t *testing.T) {
	seeds := []uint64{1, 2, 3, 4}
	blocks := 60
	if testing.Short() {
		seeds, blocks = seeds[:1], 20
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) { runSim(t, seed, blocks) })
	}
}

func openSimChain(t *testing.T, setup govtest.Setup) *banktest.Chain {
	t.Helper()
	l, err := ledger.Open(kv.BackendMemory, t.TempDir(), kv.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	val := banktest.DeterministicKey(1 << 40)
	g := ledger.Genesis{ChainID: govtest.ChainID, GenesisTime: time.UnixMilli(int64(govtest.GenesisTime)).UTC(),
		Validators: []string{types.PubkeyAddress(val).Hex()}, AppState: setup.Genesis()}
	raw, _ := json.Marshal(g)
	c := &banktest.Chain{Ledger: l, Router: govtest.NewRouter(), Validator: val, Genesis: raw}
	for i := 0; i < setup.Keys; i++ {
		c.Keys = append(c.Keys, banktest.DeterministicKey(uint64(i)))
	}
	if err := l.InitGenesis(raw, c.Router); err != nil {
		t.Fatal(err)
	}
	return c
}

func runSim(t *testing.T, seed uint64, blocks int) {
	const nKeys = 10
	setup := govtest.Setup{Keys: nKeys, Admins: []int{0, 1, 2, 3}, Threshold: 2,
		Roles: []govtest.KeyRole{{Key: 4, Role: gov.RoleKYCProvider}, {Key: 5, Role: gov.RoleKYCProvider},
			{Key: 6, Role: gov.RoleCompliance}, {Key: 7, Role: gov.RoleOracle}, {Key: 8, Role: gov.RoleOracle},
			{Key: 9, Role: gov.RoleOracle}}}
	prop, fol := openSimChain(t, setup), openSimChain(t, setup)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("seed %d: %s", seed, fmt.Sprintf(format, args...))
	}
	var gk gov.Keeper
	var kk kyc.Keeper
	var ok oracle.Keeper
	addr := func(i int) types.Address { return types.PubkeyAddress(prop.Keys[i]) }
	cur := oracle.Currencies()
	roles := gov.AllRoles()
	executed, refused := 0, 0
	for h := 1; h <= blocks; h++ {
		st := prop.Ledger.State()
		last := prop.Ledger.Last()
		now := last.Time + 1000 + uint64(rng.IntN(3))*uint64(rng.IntN(4*3600))*1000 // mostly seconds, sometimes hours
		if rng.IntN(20) == 0 {
			now += gov.DefaultProposalTTL // let proposals expire
		}
		nonce := map[int]uint64{} // looked up by key only
		var txs []*types.Tx
		for n := rng.IntN(12); n > 0; n-- {
			k := rng.IntN(nKeys)
			if _, seen := nonce[k]; !seen {
				nonce[k] = ledgertestNonce(st, addr(k))
			}
			typ, msg := randomMsg(rng, addr, roles, cur, now, gk.OpenProposals(st))
			tx, err := types.SignTx(&types.Tx{ChainID: govtest.ChainID, Nonce: nonce[k], Type: typ,
				Payload: core.Encode(msg), Fee: banktest.MinFee}, prop.Keys[k])
			if err != nil {
				t.Fatal(err)
			}
			nonce[k]++
			txs = append(txs, tx)
		}
		var lastCert *types.CommitCert
		if last.Height > 0 {
			lastCert, _ = prop.Ledger.Cert(last.Height)
		}
		x, dropped, err := prop.Ledger.Build(ledger.Template{Time: now, Proposer: types.PubkeyAddress(prop.Validator), LastCert: lastCert}, txs, prop.Router)
		if err != nil {
			fail("build %d: %v", h, err)
		}
		if len(dropped) != 0 {
			fail("height %d dropped %v", h, dropped[0].Err)
		}
		for _, rc := range x.Receipts {
			if rc.Status == types.StatusOK {
				executed++
			} else {
				refused++
			}
		}
		for _, inv := range []func(state.Store) (string, bool){gk.Invariants, kk.AttestationInvariant, ok.PostInvariant} {
			if msg, broken := inv(x.State); broken {
				fail("height %d: %s", h, msg)
			}
		}
		cert := prop.Cert(x.Block)
		if err := prop.Ledger.Commit(x, cert); err != nil {
			fail("commit %d: %v", h, err)
		}
		b, _ := types.DecodeBlock(x.Block.Encode())
		fx, err := fol.Ledger.Execute(b, fol.Router)
		if err != nil {
			fail("follower height %d: %v", h, err)
		}
		if err := fol.Ledger.Commit(fx, cert); err != nil {
			fail("follower commit %d: %v", h, err)
		}
		if fol.Ledger.Last() != prop.Ledger.Last() {
			fail("height %d: follower and proposer disagree", h)
		}
	}
	if executed == 0 || refused == 0 {
		fail("executed %d, refused %d: the simulation exercises nothing", executed, refused)
	}
	t.Logf("seed %d: %d blocks, %d messages executed, %d refused", seed, blocks, executed, refused)
}

func ledgertestNonce(st state.Store, a types.Address) uint64 {
	var b bank.Keeper
	return b.GetAccount(st, a).Nonce
}

func randomMsg(rng *rand.Rand, addr func(int) types.Address, roles []gov.Role, cur []oracle.Currency, now uint64, open []*gov.Proposal) (types.TxType, any) {
	someone := func() types.Address { return addr(rng.IntN(10)) }
	switch rng.IntN(7) {
	case 0, 1:
		var as []gov.Action
		for n := 1 + rng.IntN(3); n > 0; n-- {
			switch rng.IntN(7) {
			case 0:
				as = append(as, gov.GrantRoleAction(someone(), roles[rng.IntN(len(roles))]))
			case 1:
				as = append(as, gov.RevokeRoleAction(someone(), roles[rng.IntN(len(roles))]))
			case 2:
				as = append(as, gov.SetUint64ParamAction("oracle", oracle.ParamMaxRateAge, uint64(1+rng.IntN(30))*60_000))
			case 3:
				as = append(as, gov.AddAdminAction(someone()))
			case 4:
				as = append(as, gov.RemoveAdminAction(someone()))
			case 5:
				as = append(as, gov.SetThresholdAction(uint64(1+rng.IntN(4))))
			default:
				as = append(as, gov.SetUint64ParamAction("kyc", kyc.LevelLimitKey(uint8(1+rng.IntN(3))), uint64(rng.IntN(1e6))*1e6))
			}
		}
		return gov.TypePropose, &gov.MsgPropose{Actions: as}
	case 2:
		id := uint64(1 + rng.IntN(5))
		if len(open) > 0 && rng.IntN(4) > 0 {
			id = open[rng.IntN(len(open))].ID
		}
		if rng.IntN(8) == 0 {
			return gov.TypeCancel, &gov.MsgCancel{ProposalID: id}
		}
		return gov.TypeApprove, &gov.MsgApprove{ProposalID: id}
	case 3, 4:
		return kyc.TypeAttest, &kyc.MsgAttest{Account: someone(), Level: uint8(1 + rng.IntN(4)),
			ExpiresAt: now + uint64(rng.IntN(48*3600))*1000, Country: "SG", RecordHash: types.Keccak([]byte{byte(rng.IntN(256))})}
	case 5:
		return kyc.TypeRevoke, &kyc.MsgRevoke{Account: someone(), Reason: "sim"}
	default:
		var rs []oracle.RatePost
		for _, i := range rng.Perm(len(cur))[:1+rng.IntN(4)] {
			rs = append(rs, oracle.RatePost{Currency: cur[i].Code, Rate: oracle.RateE8(1 + rng.Uint64N(1e12))})
		}
		return oracle.TypePostRates, &oracle.MsgPostRates{Rates: rs}
	}
}
