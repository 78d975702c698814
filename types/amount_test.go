package types

import (
	"errors"
	"strings"
	"testing"
)

func TestParseUSDTRefusals(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"-1", "negative amounts are not allowed"},
		{"-0.5", "negative amounts are not allowed"},
		{"1.0000001", "more than 6 decimals"},
		{"1e3", "malformed amount"},
		{"", "empty"},
	} {
		v, err := ParseUSDT(c.in)
		if !errors.Is(err, ErrBadAmount) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseUSDT(%q) = %d, %v; want ErrBadAmount saying %q", c.in, v, err, c.want)
		}
	}
	if v, err := ParseUSDT("1.5"); err != nil || v != 1_500_000 {
		t.Errorf("ParseUSDT(1.5) = %d, %v", v, err)
	}
}
