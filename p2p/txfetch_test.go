package p2p

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/accordnet/accord/types"
)

// fakeTxs serves the bodies it holds by their hash; forge, if set,
// replaces the body served for a hash.
type fakeTxs struct {
	mu     sync.Mutex
	bodies map[types.Hash][]byte
	forge  map[types.Hash][]byte
	asked  int
}

func newFakeTxs(bodies ...[]byte) *fakeTxs {
	f := &fakeTxs{bodies: make(map[types.Hash][]byte), forge: make(map[types.Hash][]byte)}
	for _, b := range bodies {
		f.bodies[types.Keccak(b)] = b
	}
	return f
}

func (f *fakeTxs) TxBodies(hs []types.Hash) [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.asked++
	out := make([][]byte, len(hs))
	for i, h := range hs {
		if b, ok := f.forge[h]; ok {
			out[i] = b
		} else {
			out[i] = f.bodies[h]
		}
	}
	return out
}

func (f *fakeTxs) askedCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.asked
}

func bodies(n, size int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		b := make([]byte, size)
		copy(b, fmt.Sprintf("tx %d", i))
		out[i] = b
	}
	return out
}

func hashesOf(bs ...[]byte) []types.Hash {
	out := make([]types.Hash, len(bs))
	for i, b := range bs {
		out[i] = types.Keccak(b)
	}
	return out
}

func TestFetchTxs(t *testing.T) {
	held := bodies(10, 100)
	src := newFakeTxs(held...)
	server, client := syncPair(t, nil)
	server.SetTxSource(src)
	ctx := ctxTimeout(t)
	unknown := types.Keccak([]byte("nobody has this"))

	t.Run("held bodies come back in order, unknown ones empty", func(t *testing.T) {
		ask := append(hashesOf(held[3], held[0]), unknown, types.Keccak(held[9]))
		got, err := client.FetchTxs(ctx, server.Address(), ask)
		if err != nil {
			t.Fatal(err)
		}
		want := [][]byte{held[3], held[0], nil, held[9]}
		if len(got) != len(want) {
			t.Fatalf("%d entries, want %d", len(got), len(want))
		}
		for i := range want {
			if !bytes.Equal(got[i], want[i]) {
				t.Fatalf("entry %d = %q, want %q", i, got[i], want[i])
			}
		}
	})
	t.Run("too many hashes are refused before sending", func(t *testing.T) {
		before := src.askedCount()
		if _, err := client.FetchTxs(ctx, server.Address(), make([]types.Hash, MaxTxFetchHashes+1)); !errors.Is(err, ErrBadRequest) {
			t.Fatalf("err = %v, want ErrBadRequest", err)
		}
		if _, err := client.FetchTxs(ctx, server.Address(), nil); !errors.Is(err, ErrBadRequest) {
			t.Fatalf("no hashes: err = %v, want ErrBadRequest", err)
		}
		if src.askedCount() != before {
			t.Fatal("an over-long request reached the server")
		}
	})
	t.Run("a peer without a source says unavailable", func(t *testing.T) {
		if _, err := server.FetchTxs(ctx, client.Address(), hashesOf(held[0])); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("err = %v, want ErrUnavailable", err)
		}
	})
	t.Run("a wrong body is refused and its server penalized", func(t *testing.T) {
		src.mu.Lock()
		src.forge[types.Keccak(held[5])] = held[6]
		src.mu.Unlock()
		_, err := client.FetchTxs(ctx, server.Address(), hashesOf(held[4], held[5]))
		if !errors.Is(err, ErrMalformed) {
			t.Fatalf("err = %v, want ErrMalformed", err)
		}
		if !client.TxFetchPenalized(server.Address()) {
			t.Fatal("server not penalized")
		}
		before := src.askedCount()
		if _, err := client.FetchTxs(ctx, server.Address(), hashesOf(held[4])); !errors.Is(err, ErrPenalized) {
			t.Fatalf("penalized peer: err = %v, want ErrPenalized", err)
		}
		if src.askedCount() != before {
			t.Fatal("a penalized peer was asked again")
		}
		if st := client.Stats(); st.TxsForged != 1 {
			t.Fatalf("TxsForged = %d, want 1", st.TxsForged)
		}
	})
}

func TestServeTxsCutsAtTheByteBudget(t *testing.T) {
	// Each body is 60 KiB; the budget fits 136 of them.
	held := bodies(200, 60<<10)
	server, client := syncPair(t, nil)
	server.SetTxSource(newFakeTxs(held...))
	got, err := client.FetchTxs(ctxTimeout(t), server.Address(), hashesOf(held...))
	if err != nil {
		t.Fatal(err)
	}
	want := MaxTxFetchBytes / (60 << 10)
	if len(got) != want {
		t.Fatalf("%d entries, want the %d that fit %d bytes", len(got), want, MaxTxFetchBytes)
	}
	for i, b := range got {
		if !bytes.Equal(b, held[i]) {
			t.Fatalf("entry %d differs", i)
		}
	}
}

func TestReadTxsRefusesBadResponses(t *testing.T) {
	a, b := []byte("tx a"), []byte("tx b")
	hs := hashesOf(a, b)
	entry := func(body []byte) []byte {
		var out []byte
		out = append(out, byte(len(body)>>24), byte(len(body)>>16), byte(len(body)>>8), byte(len(body)))
		return append(out, body...)
	}
	frame := func(kind byte, body []byte) []byte {
		var w bytes.Buffer
		if err := writeFrame(&w, kind, body); err != nil {
			t.Fatal(err)
		}
		return w.Bytes()
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	cases := []struct {
		name string
		raw  []byte
		want error
	}{
		{"more entries than hashes", frame(kindTxs, cat(entry(a), entry(b), entry(nil))), ErrMalformed},
		{"wrong body", frame(kindTxs, cat(entry(b))), errWrongBody},
		{"truncated entry", frame(kindTxs, cat(entry(a), []byte{0, 0})), ErrMalformed},
		{"entry longer than the frame", frame(kindTxs, cat([]byte{0, 0, 1, 0}, a)), ErrMalformed},
		{"entry above the transaction size limit", frame(kindTxs, cat([]byte{0, 1, 0, 1}, make([]byte, 65537))), ErrMalformed},
		{"empty response", frame(kindTxs, nil), ErrMalformed},
		{"wrong frame kind", frame(kindBlock, entry(a)), ErrMalformed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := readTxs(bytes.NewReader(tc.raw), hs); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	got, err := readTxs(bytes.NewReader(frame(kindTxs, cat(entry(a), entry(nil)))), hs)
	if err != nil || len(got) != 2 || !bytes.Equal(got[0], a) || got[1] != nil {
		t.Fatalf("good response: %q, %v", got, err)
	}
}
