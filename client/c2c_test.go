package client

import (
	"strings"
	"testing"

	"github.com/accordnet/accord/api/views"
)

func TestParseFiatRoundTrips(t *testing.T) {
	for _, c := range []struct {
		in       string
		decimals uint8
		minor    uint64
		out      string
	}{
		{"12.34", 2, 1234, "12.34"}, {"12.3", 2, 1230, "12.30"}, {"12", 2, 1200, "12.00"}, {"0.05", 2, 5, "0.05"},
		{"1500", 0, 1500, "1500"}, {"0", 2, 0, "0.00"},
	} {
		got, err := ParseFiat(c.in, c.decimals)
		if err != nil || got != c.minor {
			t.Errorf("ParseFiat(%q, %d) = %d, %v; want %d", c.in, c.decimals, got, err, c.minor)
		}
		if s := views.FormatFiat(got, c.decimals); s != c.out {
			t.Errorf("FormatFiat(%d, %d) = %q, want %q", got, c.decimals, s, c.out)
		}
	}
	for _, bad := range []struct {
		in string
		d  uint8
	}{{"12.345", 2}, {"1.5", 0}, {"-1", 2}, {"+1", 2}, {"1e3", 2}, {"", 2}, {".5", 2}, {"5.", 2}, {"99999999999999999999", 2}} {
		if v, err := ParseFiat(bad.in, bad.d); err == nil {
			t.Errorf("ParseFiat(%q, %d) = %d, accepted", bad.in, bad.d, v)
		}
	}
	if _, err := ParseFiat("-1", 2); err == nil || !strings.Contains(err.Error(), "negative amounts are not allowed") {
		t.Errorf("ParseFiat(-1) error %v does not say negatives are refused", err)
	}
}
