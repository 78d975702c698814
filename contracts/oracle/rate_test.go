package oracle_test

import (
	"errors"
	"math"
	"testing"

	"github.com/accordnet/accord/contracts/oracle"
)

func TestCurrencies(t *testing.T) {
	cs := oracle.Currencies()
	if len(cs) != 23 {
		t.Fatalf("%d currencies", len(cs))
	}
	zero := map[string]bool{"JPY": true, "KRW": true, "VND": true, "IDR": true}
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.Code] {
			t.Fatalf("%s twice", c.Code)
		}
		seen[c.Code] = true
		want := uint8(2)
		if zero[c.Code] {
			want = 0
		}
		if c.Decimals != want {
			t.Errorf("%s has %d decimals, want %d", c.Code, c.Decimals, want)
		}
		if got, err := oracle.LookupCurrency(c.Code); err != nil || got != c {
			t.Errorf("lookup %s: %v %v", c.Code, got, err)
		}
	}
	for _, code := range []string{"usd", "XXX", "", "USDT", "BTC"} {
		if _, err := oracle.LookupCurrency(code); !errors.Is(err, oracle.ErrUnknownCurrency) {
			t.Errorf("%q: %v", code, err)
		}
	}
}

func TestParseAndFormatRate(t *testing.T) {
	cases := []struct {
		in   string
		want oracle.RateE8
		err  error
		out  string
	}{
		{"1", 100_000_000, nil, "1"},
		{"7.1234", 712_340_000, nil, "7.1234"},
		{"150", 15_000_000_000, nil, "150"},
		{"0.00000001", 1, nil, "0.00000001"},
		{"16250.5", 1_625_050_000_000, nil, "16250.5"},
		{"184467440737.09551615", math.MaxUint64, nil, "184467440737.09551615"},
		{"184467440737.09551616", 0, oracle.ErrOverflow, ""},
		{"0", 0, oracle.ErrZeroRate, ""},
		{"0.000000001", 0, oracle.ErrBadRate, ""},
		{"-1", 0, oracle.ErrBadRate, ""},
		{"1e3", 0, oracle.ErrBadRate, ""},
		{".5", 0, oracle.ErrBadRate, ""},
		{"5.", 0, oracle.ErrBadRate, ""},
		{"", 0, oracle.ErrBadRate, ""},
	}
	for _, c := range cases {
		got, err := oracle.ParseRateE8(c.in)
		if !errors.Is(err, c.err) || got != c.want {
			t.Errorf("parse %q = %d, %v; want %d, %v", c.in, got, err, c.want, c.err)
			continue
		}
		if err == nil && got.String() != c.out {
			t.Errorf("format %d = %q, want %q", got, got.String(), c.out)
		}
	}
}

func TestConvert(t *testing.T) {
	cur := func(code string) oracle.Currency {
		c, err := oracle.LookupCurrency(code)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rate := func(s string) oracle.RateE8 {
		r, err := oracle.ParseRateE8(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	cases := []struct {
		name   string
		code   string
		minor  uint64
		rate   string
		micro  uint64
		err    error
		backTo uint64 // micro converted back to minor units
	}{
		{"12.34 USD at par", "USD", 1234, "1", 12_340_000, nil, 1234},
		{"100.00 CNY at 7.1234 rounds down", "CNY", 10_000, "7.1234", 14_038_240, nil, 9_999},
		{"1500 JPY at 150", "JPY", 1500, "150", 10_000_000, nil, 1500},
		{"16000 IDR at 16000", "IDR", 16_000, "16000", 1_000_000, nil, 16_000},
		{"1 IDR at 16000 is 62 micro-USDT", "IDR", 1, "16000", 62, nil, 0},
		{"25 000 000 VND at 25 000", "VND", 25_000_000, "25000", 1_000_000_000, nil, 25_000_000},
		{"0.01 EUR at 0.92", "EUR", 1, "0.92", 10_869, nil, 0},
		{"zero amount", "USD", 0, "1", 0, oracle.ErrZeroAmount, 0},
		{"converts to zero", "VND", 1, "184467440737", 0, oracle.ErrZeroAmount, 0},
		{"overflow", "USD", math.MaxUint64, "0.00000001", 0, oracle.ErrOverflow, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := oracle.ConvertFiatToMicroUSDT(cur(c.code), c.minor, rate(c.rate))
			if !errors.Is(err, c.err) || got != c.micro {
				t.Fatalf("got %d, %v; want %d, %v", got, err, c.micro, c.err)
			}
			if err != nil {
				return
			}
			back, err := oracle.ConvertMicroUSDTToFiat(cur(c.code), got, rate(c.rate))
			if c.backTo == 0 {
				if !errors.Is(err, oracle.ErrZeroAmount) {
					t.Fatalf("back: %d %v, want zero", back, err)
				}
				return
			}
			if err != nil || back != c.backTo {
				t.Fatalf("back to %d, %v; want %d", back, err, c.backTo)
			}
		})
	}
	if _, err := oracle.ConvertFiatToMicroUSDT(cur("USD"), 1, 0); !errors.Is(err, oracle.ErrZeroRate) {
		t.Fatal(err)
	}
	if _, err := oracle.ConvertMicroUSDTToFiat(cur("USD"), math.MaxUint64, math.MaxUint64); !errors.Is(err, oracle.ErrOverflow) {
		t.Fatal(err)
	}
}

func TestMedian(t *testing.T) {
	cases := []struct {
		name  string
		rates []oracle.RateE8
		want  oracle.RateE8
	}{
		{"one", []oracle.RateE8{7}, 7},
		{"two: mean rounded down", []oracle.RateE8{10, 13}, 11},
		{"two equal", []oracle.RateE8{5, 5}, 5},
		{"three unsorted", []oracle.RateE8{30, 10, 20}, 20},
		{"four", []oracle.RateE8{4, 1, 3, 2}, 2},
		{"five with an outlier", []oracle.RateE8{100, 101, 99, 1_000_000, 98}, 100},
		{"two at the top of the range", []oracle.RateE8{math.MaxUint64, math.MaxUint64 - 1}, math.MaxUint64 - 1},
	}
	for _, c := range cases {
		if got := oracle.Median(append([]oracle.RateE8(nil), c.rates...)); got != c.want {
			t.Errorf("%s: median %d, want %d", c.name, got, c.want)
		}
	}
}
