package oracle_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/types"
)

const (
	admin    = 0
	stranger = 6
	minute   = 60 * 1000
)

// oracles are keys 1..5.
func newEnv(t *testing.T, s govtest.Setup) *govtest.Env {
	t.Helper()
	for k := 1; k <= 5; k++ {
		s.Roles = append(s.Roles, govtest.KeyRole{Key: k, Role: gov.RoleOracle})
	}
	return govtest.New(t, s)
}

func post(rs ...oracle.RatePost) *oracle.MsgPostRates { return &oracle.MsgPostRates{Rates: rs} }

func rp(cur string, r oracle.RateE8) oracle.RatePost { return oracle.RatePost{Currency: cur, Rate: r} }

func mustPost(t *testing.T, e *govtest.Env, key int, rs ...oracle.RatePost) {
	t.Helper()
	if err := e.Exec(key, oracle.TypePostRates, post(rs...)); err != nil {
		t.Fatalf("oracle %d: %v", key, err)
	}
}

func TestPostAndRate(t *testing.T) {
	e := newEnv(t, govtest.Setup{})
	if _, err := e.Oracle.Rate(e.St, "CNY", e.Now()); !errors.Is(err, oracle.ErrNoRate) {
		t.Fatalf("before any post: %v", err)
	}
	mustPost(t, e, 1, rp("CNY", 712_340_000), rp("JPY", 15_000_000_000))
	if len(e.Events) != 2 || e.Events[0].Type != oracle.EventRatePosted || e.Events[0].Get("rate") != "7.1234" ||
		e.Events[1].Get("currency") != "JPY" || e.Events[0].Get("oracle") != e.Addr(1).Hex() {
		t.Fatalf("events %+v", e.Events)
	}
	r, err := e.Oracle.Rate(e.St, "CNY", e.Now())
	if err != nil || r != 712_340_000 {
		t.Fatalf("rate %d %v", r, err)
	}
	// The latest post of an oracle replaces its previous one.
	e.Advance(minute)
	mustPost(t, e, 1, rp("CNY", 720_000_000))
	if ps := e.Oracle.Posts(e.St, "CNY"); len(ps) != 1 || ps[0].Rate != 720_000_000 || ps[0].PostedAt != e.Now() {
		t.Fatalf("posts %+v", ps)
	}
	micro, used, err := e.Oracle.FiatToMicroUSDT(e.St, "CNY", 72_000, e.Now()) // 720.00 CNY
	if err != nil || micro != 100_000_000 || used != 720_000_000 {
		t.Fatalf("720 CNY = %d micro at %d: %v", micro, used, err)
	}
	minor, _, err := e.Oracle.MicroUSDTToFiat(e.St, "JPY", 2_000_000, e.Now()) // 2 USDT
	if err != nil || minor != 300 {
		t.Fatalf("2 USDT = %d JPY: %v", minor, err)
	}
	if _, _, err := e.Oracle.FiatToMicroUSDT(e.St, "XYZ", 1, e.Now()); !errors.Is(err, oracle.ErrUnknownCurrency) {
		t.Fatal(err)
	}
	if _, _, err := e.Oracle.FiatToMicroUSDT(e.St, "USD", 1, e.Now()); !errors.Is(err, oracle.ErrNoRate) {
		t.Fatal(err)
	}
	e.CheckInvariants()
}

func TestPostRefusals(t *testing.T) {
	many := make([]oracle.RatePost, 0, 24)
	for _, c := range oracle.Currencies() {
		many = append(many, rp(c.Code, 1))
	}
	cases := []struct {
		name string
		key  int
		msg  *oracle.MsgPostRates
		want error
	}{
		{"post by a non-oracle is refused", stranger, post(rp("USD", 100_000_000)), oracle.ErrNotOracle},
		{"post by an admin is refused", admin, post(rp("USD", 100_000_000)), oracle.ErrNotOracle},
		{"unknown currency is refused", 1, post(rp("XAU", 1)), oracle.ErrUnknownCurrency},
		{"lower-case code is refused", 1, post(rp("usd", 1)), oracle.ErrUnknownCurrency},
		{"zero rate is refused", 1, post(rp("USD", 0)), oracle.ErrZeroRate},
		{"zero rate among good ones is refused", 1, post(rp("USD", 1), rp("EUR", 0)), oracle.ErrZeroRate},
		{"duplicate currency is refused", 1, post(rp("USD", 1), rp("USD", 2)), oracle.ErrDuplicate},
		{"empty post is refused", 1, post(), oracle.ErrNoPosts},
		{"more than 23 rates are refused", 1, post(append(many, rp("USD", 2))...), oracle.ErrTooManyPosts},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, govtest.Setup{})
			before := e.Dump("oracle/")
			if err := e.Exec(c.key, oracle.TypePostRates, c.msg); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
			if e.Dump("oracle/") != before || len(e.Events) != 0 {
				t.Fatal("refused post changed state")
			}
		})
	}
	t.Run("all 23 currencies in one post", func(t *testing.T) {
		e := newEnv(t, govtest.Setup{})
		mustPost(t, e, 1, many...)
		for _, c := range oracle.Currencies() {
			if _, err := e.Oracle.Rate(e.St, c.Code, e.Now()); err != nil {
				t.Fatalf("%s: %v", c.Code, err)
			}
		}
	})
}

func TestMedianOfFreshPosts(t *testing.T) {
	type p struct {
		key  int
		rate oracle.RateE8
		age  uint64 // ms before the query
	}
	maxAge := oracle.DefaultMaxRateAge
	cases := []struct {
		name  string
		posts []p
		want  oracle.RateE8
		err   error
	}{
		{name: "one oracle", posts: []p{{1, 700, 0}}, want: 700},
		{name: "two oracles: lower-rounded mean", posts: []p{{1, 700, 0}, {2, 703, 0}}, want: 701},
		{name: "three oracles", posts: []p{{3, 710, 0}, {1, 700, 0}, {2, 720, 0}}, want: 710},
		{name: "five oracles with an outlier", posts: []p{{1, 700, 0}, {2, 9_999_999, 0}, {3, 702, 0}, {4, 701, 0}, {5, 1, 0}}, want: 701},
		{name: "stale posts are left out", posts: []p{{1, 700, maxAge}, {2, 800, maxAge - 1}, {3, 900, 0}}, want: 850},
		{name: "mixed: only the fresh three count", posts: []p{{1, 1, maxAge + 5*minute}, {2, 500, minute}, {3, 600, 2 * minute}, {4, 1_000_000, maxAge}, {5, 550, 0}}, want: 550},
		{name: "a post exactly max_rate_age old is stale", posts: []p{{1, 700, maxAge}}, err: oracle.ErrStaleRate},
		{name: "all stale", posts: []p{{1, 700, maxAge + 1}, {2, 700, 3 * maxAge}}, err: oracle.ErrStaleRate},
		{name: "no posts", err: oracle.ErrNoRate},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnv(t, govtest.Setup{})
			now := e.Now() + 100*minute
			// Post oldest first, each in its own block.
			posts := append([]p(nil), c.posts...)
			for i := 1; i < len(posts); i++ {
				for j := i; j > 0 && posts[j].age > posts[j-1].age; j-- {
					posts[j], posts[j-1] = posts[j-1], posts[j]
				}
			}
			for _, x := range posts {
				e.Block.Time = now - x.age
				mustPost(t, e, x.key, rp("THB", x.rate))
			}
			e.Block.Time = now
			got, err := e.Oracle.Rate(e.St, "THB", now)
			if !errors.Is(err, c.err) || got != c.want {
				t.Fatalf("rate %d, %v; want %d, %v", got, err, c.want, c.err)
			}
			if other, err := e.Oracle.Rate(e.St, "USD", now); !errors.Is(err, oracle.ErrNoRate) {
				t.Fatalf("posts leak to another currency: %d %v", other, err)
			}
		})
	}
}

func TestRemovedOracleAndMinPosts(t *testing.T) {
	e := newEnv(t, govtest.Setup{Oracle: &oracle.Genesis{MinPosts: 2}})
	mustPost(t, e, 1, rp("EUR", 92_000_000))
	if _, err := e.Oracle.Rate(e.St, "EUR", e.Now()); !errors.Is(err, oracle.ErrStaleRate) {
		t.Fatalf("one post with min_posts 2: %v", err)
	}
	mustPost(t, e, 2, rp("EUR", 94_000_000))
	if r, err := e.Oracle.Rate(e.St, "EUR", e.Now()); err != nil || r != 93_000_000 {
		t.Fatalf("two posts: %d %v", r, err)
	}
	// Oracle 2 loses its role: its post no longer counts.
	if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.RevokeRoleAction(e.Addr(2), gov.RoleOracle), gov.SetUint64ParamAction("oracle", oracle.ParamMinPosts, 1)}}); err != nil {
		t.Fatal(err)
	}
	if r, err := e.Oracle.Rate(e.St, "EUR", e.Now()); err != nil || r != 92_000_000 {
		t.Fatalf("after removal: %d %v", r, err)
	}
	if err := e.Exec(2, oracle.TypePostRates, post(rp("EUR", 1))); !errors.Is(err, oracle.ErrNotOracle) {
		t.Fatal(err)
	}
	// Only a removed oracle ever posted: no rate.
	mustPost(t, e, 3, rp("GBP", 79_000_000))
	if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.RevokeRoleAction(e.Addr(3), gov.RoleOracle)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Oracle.Rate(e.St, "GBP", e.Now()); !errors.Is(err, oracle.ErrNoRate) {
		t.Fatal(err)
	}
	e.CheckInvariants()
}

func TestMaxRateAgeThroughGov(t *testing.T) {
	e := newEnv(t, govtest.Setup{})
	mustPost(t, e, 1, rp("SGD", 134_000_000))
	e.Advance(2 * minute)
	if err := e.Exec(admin, gov.TypePropose, &gov.MsgPropose{Actions: []gov.Action{
		gov.SetUint64ParamAction("oracle", oracle.ParamMaxRateAge, minute)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Oracle.Rate(e.St, "SGD", e.Now()); !errors.Is(err, oracle.ErrStaleRate) {
		t.Fatalf("with a 1 min max age: %v", err)
	}
}

func TestGenesis(t *testing.T) {
	e := newEnv(t, govtest.Setup{})
	o := e.Addr(1).Hex()
	e = newEnv(t, govtest.Setup{Oracle: &oracle.Genesis{MaxRateAgeMs: 5 * minute, Rates: []oracle.GenesisRate{
		{Oracle: o, Currency: "USD", Rate: "1"}, {Oracle: o, Currency: "CNY", Rate: "7.1234"}}}})
	if r, err := e.Oracle.Rate(e.St, "CNY", e.Now()); err != nil || r != 712_340_000 {
		t.Fatalf("genesis rate %d %v", r, err)
	}
	if e.Oracle.MaxRateAge(e.St) != 5*minute {
		t.Fatal("max age")
	}
	e.Advance(5 * minute)
	if _, err := e.Oracle.Rate(e.St, "USD", e.Now()); !errors.Is(err, oracle.ErrStaleRate) {
		t.Fatalf("genesis rate after 5 min: %v", err)
	}
	stranger := e.Addr(stranger).Hex()
	cases := []struct {
		name string
		g    oracle.Genesis
		want error
	}{
		{"rate by a non-oracle", oracle.Genesis{Rates: []oracle.GenesisRate{{Oracle: stranger, Currency: "USD", Rate: "1"}}}, oracle.ErrNotOracle},
		{"unknown currency", oracle.Genesis{Rates: []oracle.GenesisRate{{Oracle: o, Currency: "ABC", Rate: "1"}}}, oracle.ErrUnknownCurrency},
		{"zero rate", oracle.Genesis{Rates: []oracle.GenesisRate{{Oracle: o, Currency: "USD", Rate: "0"}}}, oracle.ErrZeroRate},
		{"same post twice", oracle.Genesis{Rates: []oracle.GenesisRate{{Oracle: o, Currency: "USD", Rate: "1"}, {Oracle: o, Currency: "USD", Rate: "1"}}}, oracle.ErrBadGenesis},
		{"max age below the declared minimum", oracle.Genesis{MaxRateAgeMs: 1}, gov.ErrBadParam},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := govtest.Setup{Oracle: &c.g}
			for k := 1; k <= 5; k++ {
				s.Roles = append(s.Roles, govtest.KeyRole{Key: k, Role: gov.RoleOracle})
			}
			if _, err := govtest.TryNew(t, s); !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
	s := govtest.Setup{Params: map[string]map[string]string{"oracle": {"min_posts": "2"}}, Oracle: &oracle.Genesis{MinPosts: 3}}
	if _, err := govtest.TryNew(t, s); !errors.Is(err, oracle.ErrBadGenesis) {
		t.Fatalf("param set twice: %v", err)
	}
}

func TestThroughRouter(t *testing.T) {
	e := newEnv(t, govtest.Setup{})
	if rc := e.Send(1, oracle.TypePostRates, post(rp("KRW", 138_000_000_000))); rc.Status != 0 {
		t.Fatal(rc.Error)
	}
	rc := e.Send(stranger, oracle.TypePostRates, post(rp("KRW", 1)))
	if rc.Status == 0 || !strings.Contains(rc.Error, oracle.ErrNotOracle.Error()) {
		t.Fatalf("%+v", rc)
	}
	if r, err := e.Oracle.Rate(e.St, "KRW", e.Now()); err != nil || r != 138_000_000_000 {
		t.Fatal(r, err)
	}
	e.CheckInvariants()
}

func TestCost(t *testing.T) {
	ok := &types.Tx{Type: oracle.TypePostRates, Payload: core.Encode(post(rp("USD", 1)))}
	if n, err := oracle.Cost(ok); n != 0 || err != nil {
		t.Fatal(n, err)
	}
	bad := &types.Tx{Type: oracle.TypePostRates, Payload: core.Encode(post(rp("USD", 0)))}
	if _, err := oracle.Cost(bad); !errors.Is(err, oracle.ErrZeroRate) {
		t.Fatal(err)
	}
	if _, err := oracle.Cost(&types.Tx{Type: oracle.TypePostRates + 1, Payload: ok.Payload}); !errors.Is(err, core.ErrUnknownType) {
		t.Fatal(err)
	}
}
