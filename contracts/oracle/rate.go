package oracle

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/accordnet/accord/types"
)

// RateE8 is a fiat-per-USDT rate in fixed point: fiat units × 10^8 per one
// USDT. 7.1234 CNY per USDT is RateE8(712_340_000); 150 JPY is
// RateE8(15_000_000_000). The scale is in the name so a rate is never
// mistaken for an amount.
type RateE8 uint64

// RateDecimals is the number of decimals of a RateE8.
const RateDecimals = 8

// RateScale is 10^RateDecimals: RateE8(RateScale) is one fiat unit per USDT.
const RateScale = 100_000_000

// ParseRateE8 parses a decimal rate ("7.1234", "150") with at most 8
// decimals. Zero, signs, exponents and overflow are errors.
func ParseRateE8(s string) (RateE8, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" || (hasDot && frac == "") || len(frac) > RateDecimals {
		return 0, fmt.Errorf("%w: %q", ErrBadRate, s)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("%w: %q", ErrBadRate, s)
			}
		}
	}
	w, err := strconv.ParseUint(whole, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %w", ErrBadRate, s, ErrOverflow)
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", RateDecimals-len(frac)), 10, 64)
	}
	v, err := types.MulDiv(w, RateScale, 1)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %w", ErrBadRate, s, ErrOverflow)
	}
	if v, err = types.AddAmount(v, f); err != nil {
		return 0, fmt.Errorf("%w: %q: %w", ErrBadRate, s, ErrOverflow)
	}
	if v == 0 {
		return 0, fmt.Errorf("%q: %w", s, ErrZeroRate)
	}
	return RateE8(v), nil
}

// String renders the rate as a decimal with trailing zeros trimmed.
func (r RateE8) String() string {
	whole, frac := uint64(r)/RateScale, uint64(r)%RateScale
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	return strconv.FormatUint(whole, 10) + "." + strings.TrimRight(fmt.Sprintf("%08d", frac), "0")
}

// ConvertFiatToMicroUSDT converts amountMinor (in c's minor unit) to
// micro-USDT at rate (fiat per USDT), rounding down:
//
//	micro = amountMinor × 10^(14 − c.Decimals) / rate
//
// computed on 128 bits. A zero amount, a result that rounds to zero, a zero
// rate and a result above 2^64−1 are errors.
func ConvertFiatToMicroUSDT(c Currency, amountMinor uint64, rate RateE8) (uint64, error) {
	if rate == 0 {
		return 0, ErrZeroRate
	}
	if amountMinor == 0 {
		return 0, ErrZeroAmount
	}
	micro, err := types.MulDiv(amountMinor, c.minorPerMicroScale(), uint64(rate))
	if err != nil {
		return 0, fmt.Errorf("%d %s minor units at %s: %w", amountMinor, c.Code, rate, overflow(err))
	}
	if micro == 0 {
		return 0, fmt.Errorf("%d %s minor units at %s: %w", amountMinor, c.Code, rate, ErrZeroAmount)
	}
	return micro, nil
}

// ConvertMicroUSDTToFiat converts micro-USDT to c's minor unit at rate,
// rounding down: minor = micro × rate / 10^(14 − c.Decimals).
func ConvertMicroUSDTToFiat(c Currency, micro uint64, rate RateE8) (uint64, error) {
	if rate == 0 {
		return 0, ErrZeroRate
	}
	if micro == 0 {
		return 0, ErrZeroAmount
	}
	minor, err := types.MulDiv(micro, uint64(rate), c.minorPerMicroScale())
	if err != nil {
		return 0, fmt.Errorf("%s USDT at %s %s: %w", types.FormatUSDT(micro), rate, c.Code, overflow(err))
	}
	if minor == 0 {
		return 0, fmt.Errorf("%s USDT at %s %s: %w", types.FormatUSDT(micro), rate, c.Code, ErrZeroAmount)
	}
	return minor, nil
}

func overflow(err error) error {
	if errors.Is(err, types.ErrOverflow) {
		return ErrOverflow
	}
	return err
}

// Median returns the median of rates (which it sorts in place). With an
// even count it is the mean of the two middle rates, rounded down, computed
// as lo + (hi−lo)/2 so it cannot overflow. It panics on an empty slice.
func Median(rates []RateE8) RateE8 {
	slices.Sort(rates) // equal rates are interchangeable: the result is deterministic
	n := len(rates)
	if n%2 == 1 {
		return rates[n/2]
	}
	lo, hi := rates[n/2-1], rates[n/2]
	return lo + (hi-lo)/2
}
