package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/accordnet/accord/types"
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
		m, k, v, err := parseParam(c.in)
		if (err == nil) != c.ok || (c.ok && (m != c.module || k != c.key || string(v) != c.value)) {
			t.Errorf("parseParam(%q) = %q %q %q %v", c.in, m, k, v, err)
		}
	}
}

func TestParseMethods(t *testing.T) {
	f := filepath.Join(t.TempDir(), "details")
	os.WriteFile(f, []byte("salt account 1"), 0o600)
	h := types.Keccak([]byte("x")).Hex()
	curs, ms, err := parseMethods([]string{"usd:sepa:" + h, "CNY:alipay:@" + f, "USD:wire:@" + f})
	if err != nil {
		t.Fatal(err)
	}
	if len(curs) != 2 || curs[0] != "CNY" || curs[1] != "USD" || len(ms) != 3 || ms[0].Currency != "USD" ||
		ms[1].DetailsHash != types.Keccak([]byte("salt account 1")) || ms[0].DetailsHash.Hex() != h {
		t.Fatalf("%v %+v", curs, ms)
	}
	for _, bad := range [][]string{nil, {"USD:sepa"}, {"USD:sepa:0x12"}, {"USD:sepa:@/no/such/file"}} {
		if _, _, err := parseMethods(bad); err == nil {
			t.Errorf("parseMethods(%q) accepted", bad)
		}
	}
}

func TestHashArgsAndExpiry(t *testing.T) {
	h := types.Keccak([]byte("ref"))
	if got, err := hashArg(h.Hex()); err != nil || got != h {
		t.Fatalf("hex: %v %v", got, err)
	}
	if got, err := hashArg("ref"); err != nil || got != h {
		t.Fatalf("text: %v %v", got, err)
	}
	if _, err := hashArg("0x1234"); err == nil {
		t.Fatal("short hex accepted")
	}
	if ms, err := parseExpiry("2027-12-31"); err != nil || ms != 1830211200000 {
		t.Fatalf("date: %d %v", ms, err)
	}
	if ms, err := parseExpiry("2027-12-31T12:00:00+08:00"); err != nil || ms != 1830211200000+4*3600*1000 {
		t.Fatalf("rfc3339: %d %v", ms, err)
	}
	for _, bad := range []string{"", "31/12/2027", "1960-01-01"} {
		if _, err := parseExpiry(bad); err == nil {
			t.Errorf("parseExpiry(%q) accepted", bad)
		}
	}
}
