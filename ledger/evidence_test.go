package ledger

import (
	"testing"

	"github.com/accordnet/accord/ledger/kv"
)

func TestEvidenceIsStoredOnceAndListedByHeight(t *testing.T) {
	l, err := New(kv.NewMemory())
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	save := func(h uint64, id, raw string) bool {
		t.Helper()
		ok, err := l.SaveEvidence(h, []byte(id), []byte(raw))
		if err != nil {
			t.Fatal(err)
		}
		return ok
	}
	if !save(7, "a", "first") || !save(3, "b", "second") || !save(7, "c", "third") {
		t.Fatal("new evidence not stored")
	}
	if save(7, "a", "replaced?") {
		t.Fatal("the same offence was stored twice")
	}
	cases := []struct {
		from  uint64
		limit int
		want  []string
	}{
		{0, 10, []string{"second", "first", "third"}},
		{4, 10, []string{"first", "third"}},
		{0, 2, []string{"second", "first"}},
		{8, 10, nil},
	}
	for _, c := range cases {
		got, err := l.Evidence(c.from, c.limit)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("from %d limit %d: %d records, want %d", c.from, c.limit, len(got), len(c.want))
		}
		for i, r := range got {
			if string(r.Raw) != c.want[i] {
				t.Fatalf("from %d: record %d = %q (height %d), want %q", c.from, i, r.Raw, r.Height, c.want[i])
			}
		}
	}
}
