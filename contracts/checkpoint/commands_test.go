package checkpoint

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/core"
)

// TestQueries: each query by chain ID and number, latest and covering
// height, with malformed parameters refused as invalid and absent
// checkpoints or chains reported as not found.
func TestQueries(t *testing.T) {
	a := newKeys(1, 4)
	e := newEnv(t, a)
	for n, r := range [][2]uint64{{1, 10}, {11, 20}} {
		if err := e.submit(signed(t, mkCP(uint64(n+1), r[0], r[1], a, a), a)); err != nil {
			t.Fatal(err)
		}
	}
	run := func(method, params string) (any, error) {
		for _, q := range e.m.Queries() {
			if q.Method == method {
				return q.Handle(core.QueryState{Store: e.st}, []byte(params))
			}
		}
		t.Fatalf("no query %s", method)
		return nil, nil
	}
	for _, tc := range []struct {
		name, method, params string
		number               uint64 // want this checkpoint; 0: an error
		err                  error
	}{
		{"latest", QueryCheckpoint, `["` + side + `","latest"]`, 2, nil},
		{"by number", QueryCheckpoint, `["` + side + `",1]`, 1, nil},
		{"by number as text", QueryCheckpoint, `["` + side + `","2"]`, 2, nil},
		{"covering the first block", QueryCovering, `["` + side + `",1]`, 1, nil},
		{"covering a boundary", QueryCovering, `["` + side + `",11]`, 2, nil},
		{"number 0", QueryCheckpoint, `["` + side + `",0]`, 0, core.ErrInvalidQuery},
		{"not yet anchored", QueryCheckpoint, `["` + side + `",3]`, 0, core.ErrNotFound},
		{"past the last range", QueryCovering, `["` + side + `",21]`, 0, core.ErrNotFound},
		{"unregistered chain", QueryCheckpoint, `["accord-side-9","latest"]`, 0, core.ErrNotFound},
		{"no number", QueryCheckpoint, `["` + side + `"]`, 0, core.ErrInvalidQuery},
		{"latest is no height", QueryCovering, `["` + side + `","latest"]`, 0, core.ErrInvalidQuery},
		{"bad chain ID", QueryCheckpoint, `["",1]`, 0, core.ErrInvalidQuery},
		{"not an array", QueryCheckpoint, `{"chain":1}`, 0, core.ErrInvalidQuery},
		{"negative", QueryCheckpoint, `["` + side + `",-1]`, 0, core.ErrInvalidQuery},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, err := run(tc.method, tc.params)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("want %v, got %v (%+v)", tc.err, err, v)
				}
				return
			}
			if err != nil || v.(View).Number != tc.number || v.(View).ChainID != side {
				t.Fatalf("got %+v %v, want checkpoint %d", v, err, tc.number)
			}
		})
	}
	v, err := run(QueryChain, `["`+side+`"]`)
	cv, _ := v.(ChainView)
	if err != nil || cv.LastNumber != 2 || cv.LastEnd != 20 || len(cv.Validators) != 4 || cv.ValidatorsHash != a.Hash() {
		t.Fatalf("chain view %+v %v", cv, err)
	}
	if _, err := run(QueryChain, `["accord-side-9"]`); !errors.Is(err, core.ErrNotFound) {
		t.Fatalf("unregistered chain: %v", err)
	}
}
