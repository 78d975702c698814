package lightclient

import (
	"errors"
	"slices"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
)

func runQuery(t *testing.T, st state.Store, method, params string) (any, error) {
	t.Helper()
	for _, q := range NewModule().Queries() {
		if q.Method == method {
			return q.Handle(core.QueryState{Store: st}, []byte(params))
		}
	}
	t.Fatalf("no query %s", method)
	return nil, nil
}

// TestQueries: the client view follows updates and names the next set; a
// header is served once trusted; a chain without a main chain in its
// genesis reports not found, and malformed parameters are invalid.
func TestQueries(t *testing.T) {
	if _, err := runQuery(t, state.NewOverlay(nil), QueryClient, `[]`); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("uninitialized client: %v", err)
	}
	a := newKeys(1, 4)
	e := newEnv(t, a)
	b := mkBlock(3, a)
	if err := e.update(b, certify(t, &b.hdr, a)); err != nil {
		t.Fatal(err)
	}
	v, err := runQuery(t, e.st, QueryClient, ``)
	if c, _ := v.(View); err != nil || c.ChainID != mainID || c.Latest != 3 || c.Frozen || !slices.Equal(c.Validators, a.Addrs()) ||
		c.ValidatorsHash != a.Hash() {
		t.Fatalf("client view %+v %v", v, err)
	}
	v, err = runQuery(t, e.st, QueryHeader, `[3]`)
	if h, _ := v.(HeaderView); err != nil || h.Hash != b.hdr.Hash() || h.ReceiptRoot != b.hdr.ReceiptRoot || h.Height != 3 {
		t.Fatalf("header view %+v %v", v, err)
	}
	for _, tc := range []struct {
		name, method, params string
		err                  error
	}{
		{"untrusted height", QueryHeader, `[2]`, core.ErrNotFound},
		{"no height", QueryHeader, `[]`, core.ErrInvalidQuery},
		{"height as text", QueryHeader, `["3"]`, core.ErrInvalidQuery},
		{"client takes no arguments", QueryClient, `[1]`, core.ErrInvalidQuery},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if v, err := runQuery(t, e.st, tc.method, tc.params); !errors.Is(err, tc.err) {
				t.Fatalf("want %v, got %+v %v", tc.err, v, err)
			}
		})
	}
}
