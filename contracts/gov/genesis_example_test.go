package gov_test

import (
	"encoding/json"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// docGenesis is the example of the package docs of gov, kyc and oracle;
// keep them in step.
const docGenesis = `{
  "gov": {
    "admins": ["0x1111111111111111111111111111111111111111",
               "0x2222222222222222222222222222222222222222",
               "0x3333333333333333333333333333333333333333"],
    "threshold": 2,
    "roles": [
      {"address": "0x4444444444444444444444444444444444444444", "role": "kyc_provider"},
      {"address": "0x5555555555555555555555555555555555555555", "role": "compliance"},
      {"address": "0x6666666666666666666666666666666666666666", "role": "oracle"},
      {"address": "0x7777777777777777777777777777777777777777", "role": "arbitrator"},
      {"address": "0x8888888888888888888888888888888888888888", "role": "bridge_signer"}
    ],
    "params": {
      "gov":    {"proposal_ttl_ms": "604800000", "max_open_proposals": "16"},
      "kyc":    {"max_level": "4", "level_limit.4": "1000000000000"},
      "order":  {"payment_window_ms": "900000"}
    }
  },
  "kyc": {
    "max_validity_ms": 63072000000,
    "level_limits": [{"level": 1, "limit": "1000"}, {"level": 2, "limit": "10000"},
                     {"level": 3, "limit": "100000"}],
    "attestations": [{
      "account": "0x9999999999999999999999999999999999999999",
      "provider": "0x4444444444444444444444444444444444444444",
      "level": 2, "expires_at": 1767225600000, "country": "SG",
      "record_hash": "0x0101010101010101010101010101010101010101010101010101010101010101"
    }]
  },
  "oracle": {
    "max_rate_age_ms": 600000,
    "min_posts": 1,
    "rates": [
      {"oracle": "0x6666666666666666666666666666666666666666", "currency": "USD", "rate": "1"},
      {"oracle": "0x6666666666666666666666666666666666666666", "currency": "CNY", "rate": "7.1234"}
    ]
  }
}`

func TestDocGenesisExample(t *testing.T) {
	var sections map[string]json.RawMessage
	if err := json.Unmarshal([]byte(docGenesis), &sections); err != nil {
		t.Fatal(err)
	}
	st := state.NewOverlay(nil)
	now := uint64(1_740_000_000_000)
	if err := govtest.NewRouter().InitGenesis(core.Block{ChainID: govtest.ChainID, Time: now}, st, sections); err != nil {
		t.Fatal(err)
	}
	a := func(s string) types.Address { x, _ := types.ParseAddress(s); return x }
	var g gov.Keeper
	var k kyc.Keeper
	var o oracle.Keeper
	if len(g.Admins(st)) != 3 || g.Threshold(st) != 2 || !g.HasRole(st, a("0x7777777777777777777777777777777777777777"), gov.RoleArbitrator) {
		t.Fatal("gov section")
	}
	if _, err := k.KYCValid(st, a("0x9999999999999999999999999999999999999999"), now); err != nil {
		t.Fatal(err)
	}
	if k.LevelLimit(st, 4) != 1_000_000_000_000 || k.LevelLimit(st, 1) != 1_000_000_000 {
		t.Fatal("level limits")
	}
	if r, err := o.Rate(st, "CNY", now); err != nil || r != 712_340_000 {
		t.Fatal(r, err)
	}
	if g.ParamUint64(st, "order", "payment_window_ms", 0) != 900_000 {
		t.Fatal("order param")
	}
}
