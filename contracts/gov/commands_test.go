package gov_test

import (
	"testing"

	"github.com/accordnet/accord/contracts/gov"
)

func TestParseParam(t *testing.T) {
	for _, c := range []struct {
		in, module, key, value string
		ok                     bool
	}{
		{"order.payment_window_ms=60000", "order", "payment_window_ms", "60000", true},
		{"kyc.level_limit.2=5000000000", "kyc", "level_limit.2", "5000000000", true},
		{"order.fee_bps=", "order", "fee_bps", "", true},
		{"orderfee_bps=1", "", "", "", false},
		{"order.fee_bps", "", "", "", false},
		{"Order.fee_bps=1", "", "", "", false},
	} {
		m, k, v, err := gov.ParseParam(c.in)
		if (err == nil) != c.ok || (c.ok && (m != c.module || k != c.key || string(v) != c.value)) {
			t.Errorf("ParseParam(%q) = %q %q %q %v", c.in, m, k, v, err)
		}
	}
}
