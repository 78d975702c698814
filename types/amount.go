package types

import (
	"errors"
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// MicroPerUSDT is the number of micro-USDT in one USDT (6 decimals, as USDT itself).
const MicroPerUSDT = 1_000_000

// ErrOverflow is returned when checked arithmetic on amounts would wrap.
var ErrOverflow = errors.New("amount overflow")

// ErrInsufficient is returned when a checked subtraction would go below zero.
var ErrInsufficient = errors.New("insufficient funds")

// ErrBadAmount is returned for an amount string that is not a valid USDT decimal.
var ErrBadAmount = errors.New("malformed amount")

// AddAmount returns a+b or ErrOverflow.
func AddAmount(a, b uint64) (uint64, error) {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, fmt.Errorf("%d + %d: %w", a, b, ErrOverflow)
	}
	return s, nil
}

// SubAmount returns a-b or ErrInsufficient.
func SubAmount(a, b uint64) (uint64, error) {
	d, borrow := bits.Sub64(a, b, 0)
	if borrow != 0 {
		return 0, fmt.Errorf("%d - %d: %w", a, b, ErrInsufficient)
	}
	return d, nil
}

// MulDiv returns a*b/c rounded down, computed on 128 bits, or ErrOverflow if
// the result does not fit in 64 bits. It is how fees and rates are applied
// without floats.
func MulDiv(a, b, c uint64) (uint64, error) {
	if c == 0 {
		return 0, errors.New("division by zero")
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, fmt.Errorf("%d * %d / %d: %w", a, b, c, ErrOverflow)
	}
	q, _ := bits.Div64(hi, lo, c)
	return q, nil
}

// ParseUSDT parses a decimal USDT amount ("1000", "12.5", "0.000001") into
// micro-USDT. More than 6 decimals, signs, exponents and overflow are errors.
func ParseUSDT(s string) (uint64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("%w: empty", ErrBadAmount)
	}
	if strings.HasPrefix(s, "-") {
		return 0, fmt.Errorf("%w: %q: negative amounts are not allowed", ErrBadAmount, s)
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && (!hasDot || frac == "") {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, s)
	}
	if hasDot && frac == "" {
		return 0, fmt.Errorf("%w: %q", ErrBadAmount, s)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return 0, fmt.Errorf("%w: %q", ErrBadAmount, s)
			}
		}
	}
	if len(frac) > 6 {
		return 0, fmt.Errorf("%w: %q has more than 6 decimals", ErrBadAmount, s)
	}
	var w uint64
	if whole != "" {
		var err error
		w, err = strconv.ParseUint(whole, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("%w: %q: %w", ErrBadAmount, s, ErrOverflow)
		}
	}
	hi, lo := bits.Mul64(w, MicroPerUSDT)
	if hi != 0 {
		return 0, fmt.Errorf("%w: %q: %w", ErrBadAmount, s, ErrOverflow)
	}
	var f uint64
	if frac != "" {
		f, _ = strconv.ParseUint(frac+strings.Repeat("0", 6-len(frac)), 10, 64)
	}
	total, err := AddAmount(lo, f)
	if err != nil {
		return 0, fmt.Errorf("%w: %q: %w", ErrBadAmount, s, ErrOverflow)
	}
	return total, nil
}

// FormatUSDT renders micro-USDT as a decimal string with trailing zeros trimmed ("1.5", "1000").
func FormatUSDT(micro uint64) string {
	whole, frac := micro/MicroPerUSDT, micro%MicroPerUSDT
	if frac == 0 {
		return strconv.FormatUint(whole, 10)
	}
	fs := strings.TrimRight(fmt.Sprintf("%06d", frac), "0")
	return strconv.FormatUint(whole, 10) + "." + fs
}
