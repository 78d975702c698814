package oracle

import (
	"fmt"
	"strconv"
	"strings"
)

// Currency is an ISO 4217 fiat currency Accord quotes. Fiat amounts are
// always integers in the currency's minor unit: Decimals is how many
// decimal places that unit is (USD 2: 1234 means 12.34 USD; JPY 0: 1234
// means 1234 JPY).
type Currency struct {
	Code     string // ISO 4217 alphabetic code, e.g. "USD"
	Decimals uint8  // minor-unit exponent: 0 or 2
}

// currencies are the 23 supported currencies. IDR and VND have 0 decimals
// here (ISO 4217 lists IDR with 2, but nobody settles in sen); likewise
// JPY and KRW. TWD is quoted with 2, as ISO lists it.
var currencies = [...]Currency{
	{"USD", 2}, {"EUR", 2}, {"CNY", 2}, {"JPY", 0}, {"GBP", 2}, {"HKD", 2},
	{"SGD", 2}, {"KRW", 0}, {"INR", 2}, {"IDR", 0}, {"THB", 2}, {"VND", 0},
	{"PHP", 2}, {"MYR", 2}, {"TWD", 2}, {"AUD", 2}, {"CAD", 2}, {"CHF", 2},
	{"BRL", 2}, {"MXN", 2}, {"RUB", 2}, {"TRY", 2}, {"AED", 2},
}

// Currencies returns the supported currencies in a fixed order (the order
// of the design document).
func Currencies() []Currency { return append([]Currency(nil), currencies[:]...) }

// LookupCurrency returns a supported currency by its code (exact, upper
// case), or ErrUnknownCurrency.
func LookupCurrency(code string) (Currency, error) {
	for _, c := range currencies {
		if c.Code == code {
			return c, nil
		}
	}
	return Currency{}, fmt.Errorf("%w %q", ErrUnknownCurrency, code)
}

// pow10 for exponents 0..14.
func pow10(n uint8) uint64 {
	p := uint64(1)
	for i := uint8(0); i < n; i++ {
		p *= 10
	}
	return p
}

// minorPerMicroScale is 10^(14-Decimals): minor units × this / RateE8 =
// micro-USDT (6 decimals of USDT + 8 of the rate − the currency's decimals).
func (c Currency) minorPerMicroScale() uint64 { return pow10(6 + RateDecimals - c.Decimals) }

// FormatFiat renders an amount in a currency's minor unit as a decimal in
// the currency ("12.34" for 1234 USD cents, "1500" for 1500 JPY).
func FormatFiat(minor uint64, decimals uint8) string {
	s := strconv.FormatUint(minor, 10)
	if decimals == 0 {
		return s
	}
	d := int(decimals)
	if len(s) <= d {
		s = strings.Repeat("0", d-len(s)+1) + s
	}
	return s[:len(s)-d] + "." + s[len(s)-d:]
}

// ParseFiat parses a decimal amount in a currency whose minor unit has
// the given number of decimals into minor units ("12.3" USD = 1230, "1500"
// JPY = 1500). More decimals than the currency has, signs, exponents and
// overflow are errors.
func ParseFiat(s string, decimals uint8) (uint64, error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%q: negative amounts are not allowed", s)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	bad := whole == "" || (hasDot && frac == "") || len(frac) > int(decimals)
	for _, r := range whole + frac {
		bad = bad || r < '0' || r > '9'
	}
	if bad {
		return 0, fmt.Errorf("%q: want a decimal with at most %d decimals", s, decimals)
	}
	v, err := strconv.ParseUint(whole+frac+strings.Repeat("0", int(decimals)-len(frac)), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%q: out of range", s)
	}
	return v, nil
}
