package oracle_test

import (
	"bytes"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/govtest"
	"github.com/accordnet/accord/contracts/oracle"
)

func FuzzDecodePostRates(f *testing.F) {
	all := make([]oracle.RatePost, 0, 23)
	for i, c := range oracle.Currencies() {
		all = append(all, rp(c.Code, oracle.RateE8(i+1)))
	}
	f.Add(core.Encode(post(rp("USD", 100_000_000))))
	f.Add(core.Encode(post(all...)))
	f.Add(core.Encode(post(rp("JPY", 1<<64-1), rp("EUR", 1))))
	f.Add([]byte{0xc1, 0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := oracle.DecodePostRates(b)
		if err != nil {
			return
		}
		if re := core.Encode(m); !bytes.Equal(re, b) {
			t.Fatalf("accepted %x re-encodes as %x", b, re)
		}
		e := govtest.New(t, govtest.Setup{Roles: []govtest.KeyRole{{Key: 1, Role: gov.RoleOracle}}})
		if err := e.Exec(1, oracle.TypePostRates, m); err != nil {
			t.Fatalf("valid post refused: %v", err)
		}
		for _, p := range m.Rates {
			if r, err := e.Oracle.Rate(e.St, p.Currency, e.Now()); err != nil || r != p.Rate {
				t.Fatalf("%s: %d %v", p.Currency, r, err)
			}
			c, _ := oracle.LookupCurrency(p.Currency)
			_, _ = oracle.ConvertFiatToMicroUSDT(c, 1<<40, p.Rate)
			_, _ = oracle.ConvertMicroUSDTToFiat(c, 1<<40, p.Rate)
		}
		e.CheckInvariants()
	})
}

func FuzzParseRateE8(f *testing.F) {
	for _, s := range []string{"1", "7.1234", "0.00000001", "184467440737.09551615", "", "-1", "1.", "1e5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := oracle.ParseRateE8(s)
		if err != nil {
			return
		}
		back, err := oracle.ParseRateE8(r.String())
		if err != nil || back != r {
			t.Fatalf("%q -> %d -> %q -> %d, %v", s, r, r.String(), back, err)
		}
	})
}
