package acceptor_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

func TestParseMethods(t *testing.T) {
	f := filepath.Join(t.TempDir(), "details")
	os.WriteFile(f, []byte("salt account 1"), 0o600)
	in := core.CommandInput{ReadFile: os.ReadFile}
	h := types.Keccak([]byte("x")).Hex()
	curs, ms, err := acceptor.ParseMethods(in, []string{"usd:sepa:" + h, "CNY:alipay:@" + f, "USD:wire:@" + f})
	if err != nil {
		t.Fatal(err)
	}
	if len(curs) != 2 || curs[0] != "CNY" || curs[1] != "USD" || len(ms) != 3 || ms[0].Currency != "USD" ||
		ms[1].DetailsHash != types.Keccak([]byte("salt account 1")) || ms[0].DetailsHash.Hex() != h {
		t.Fatalf("%v %+v", curs, ms)
	}
	for _, bad := range [][]string{nil, {"USD:sepa"}, {"USD:sepa:0x12"}, {"USD:sepa:@/no/such/file"}} {
		if _, _, err := acceptor.ParseMethods(in, bad); err == nil {
			t.Errorf("ParseMethods(%q) accepted", bad)
		}
	}
}

func TestOrderBounds(t *testing.T) {
	for _, c := range []struct {
		min, max uint64
		want     string
	}{
		{0, 0, "no bound (only the chain's limits apply)"},
		{5_000_000, 0, "min 5 USDT, max no bound"},
		{0, 200_000_000, "min no bound, max 200 USDT"},
		{5_000_000, 200_000_000, "min 5 USDT, max 200 USDT"},
	} {
		a := &acceptor.View{MinOrderMicro: c.min, MaxOrderMicro: c.max,
			MinOrder: types.FormatUSDT(c.min), MaxOrder: types.FormatUSDT(c.max)}
		if got := acceptor.OrderBounds(a); got != c.want {
			t.Errorf("bounds %d/%d = %q, want %q", c.min, c.max, got, c.want)
		}
	}
}
