package acceptor

import (
	"math/bits"
	"math/rand/v2"
	"testing"
)

func TestIsqrt(t *testing.T) {
	check := func(n uint64) {
		x := isqrt(n)
		hi, lo := bits.Mul64(x, x)
		if hi != 0 || lo > n {
			t.Fatalf("isqrt(%d) = %d is too large", n, x)
		}
		hi, lo = bits.Mul64(x+1, x+1)
		if hi == 0 && lo <= n {
			t.Fatalf("isqrt(%d) = %d is too small", n, x)
		}
	}
	for n := uint64(0); n < 100_000; n++ {
		check(n)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 100_000; i++ {
		check(r.Uint64() >> (r.Uint64() % 64))
	}
	for _, n := range []uint64{^uint64(0), ^uint64(0) - 1, 1 << 62, 1<<32 - 1, 1 << 32, (1<<32 - 1) * (1<<32 - 1)} {
		check(n)
	}
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []uint64
		want uint64
	}{
		{[]uint64{5}, 5}, {[]uint64{3, 1, 2}, 2}, {[]uint64{4, 1}, 2}, {[]uint64{1, 2}, 1},
		{[]uint64{^uint64(0), ^uint64(0) - 2}, ^uint64(0) - 1},
	} {
		in := append([]uint64(nil), tc.in...)
		if got := median(in); got != tc.want {
			t.Errorf("median(%v) = %d, want %d", tc.in, got, tc.want)
		}
		for i := range in {
			if in[i] != tc.in[i] {
				t.Fatal("median modified its input")
			}
		}
	}
}

// TestVolumeBuckets: at most 24 hourly buckets are kept and the window
// slides by whole hours of block time.
func TestVolumeBuckets(t *testing.T) {
	a := &Acceptor{}
	for h := uint64(0); h < 100; h++ {
		if err := a.addVolume(h*hour+h, 10); err != nil {
			t.Fatal(err)
		}
		if len(a.Volume) > 24 {
			t.Fatalf("hour %d: %d buckets", h, len(a.Volume))
		}
		want := min(h+1, 24) * 10
		if got := a.Volume24h(h*hour + h); got != want {
			t.Fatalf("hour %d: volume %d, want %d", h, got, want)
		}
	}
	if err := a.addVolume(99*hour+5, 7); err != nil || a.Volume[len(a.Volume)-1].Volume != 17 {
		t.Fatal("same-hour volume not added to the bucket")
	}
	if a.addVolume(99*hour, ^uint64(0)) == nil {
		t.Fatal("bucket overflow not reported")
	}
}
