package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/accordnet/accord/types"
)

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
