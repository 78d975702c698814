package p2p

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"github.com/accordnet/accord/types"
)

// fakeSource serves blocks 1..height; block h is blockSize bytes starting
// with "block h", its certificate is "cert h". Heights in gaps fail.
type fakeSource struct {
	height    uint64
	blockSize int
	gaps      map[uint64]bool
}

func (f *fakeSource) Height() uint64 { return f.height }

func (f *fakeSource) BlockWithCert(h uint64) ([]byte, []byte, error) {
	if h == 0 || h > f.height || f.gaps[h] {
		return nil, nil, fmt.Errorf("no block %d", h)
	}
	b := make([]byte, max(f.blockSize, 32))
	copy(b, fmt.Sprintf("block %d", h))
	return b, []byte(fmt.Sprintf("cert %d", h)), nil
}

// syncPair starts a server and a client connected to each other.
func syncPair(t *testing.T, src BlockSource) (server, client *testNode) {
	t.Helper()
	return syncPairWith(t, src, nil)
}

// syncPairWith is syncPair with a config tweak applied to both hosts.
func syncPairWith(t *testing.T, src BlockSource, tweak func(*Config)) (server, client *testNode) {
	t.Helper()
	nodes := startNet(t, 2, netOpts{cfg: func(i int, c *Config) {
		if i == 0 && src != nil {
			c.BlockSource = src
		}
		if tweak != nil {
			tweak(c)
		}
	}})
	if err := nodes[1].WaitPeers(ctxTimeout(t), 1); err != nil {
		t.Fatal(err)
	}
	return nodes[0], nodes[1]
}

func TestFetchBlocks(t *testing.T) {
	src := &fakeSource{height: 1000, gaps: map[uint64]bool{500: true}}
	server, client := syncPair(t, src)
	ctx := ctxTimeout(t)

	h, err := client.PeerHeight(ctx, server.Address())
	if err != nil || h != 1000 {
		t.Fatalf("PeerHeight = %d, %v; want 1000", h, err)
	}
	heights := client.PeerHeights(ctx)
	if len(heights) != 1 || heights[server.Address()] != 1000 {
		t.Fatalf("PeerHeights = %v", heights)
	}

	cases := []struct {
		name     string
		from, to uint64
		want     int   // blocks returned
		err      error // or this error
	}{
		{"a short range comes back whole", 1, 10, 10, nil},
		{"a single block", 7, 7, 1, nil},
		{"a long range is cut at MaxSyncBlocks", 1, 1000, MaxSyncBlocks, nil},
		{"a range past the tip is cut at the peer's height", 995, 2000, 6, nil},
		{"a gap in the store ends the batch early", 490, 510, 10, nil},
		{"the whole uint64 range does not overflow", 990, ^uint64(0), 11, nil},
		{"a range above the peer's height is unavailable", 1001, 1005, 0, ErrUnavailable},
		{"a missing first block is unavailable", 500, 510, 0, ErrUnavailable},
		{"from > to is a bad request", 10, 9, 0, ErrBadRequest},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			blocks, err := client.FetchBlocks(ctx, server.Address(), tc.from, tc.to)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(blocks) != tc.want {
				t.Fatalf("got %d blocks, want %d", len(blocks), tc.want)
			}
			for i, b := range blocks {
				h := tc.from + uint64(i)
				if b.Height != h || !bytes.HasPrefix(b.Block, []byte(fmt.Sprintf("block %d\x00", h))) || string(b.Cert) != fmt.Sprintf("cert %d", h) {
					t.Fatalf("block %d: height %d, %.12q, cert %q", i, b.Height, b.Block, b.Cert)
				}
			}
		})
	}

	if _, err := client.FetchBlocks(ctx, types.Address{1}, 1, 2); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("unknown peer: err = %v, want ErrNotConnected", err)
	}
	if st := server.Stats(); st.SyncBlocksServed == 0 || st.SyncRequests == 0 {
		t.Fatalf("server stats %+v", st)
	}
}

func TestFetchBlocksStopsAtResponseBudget(t *testing.T) {
	// With a 1 MiB budget (32 MiB in production) and 100 KiB blocks, ten
	// fit and the eleventh would not; a lone block above the budget still
	// comes through, so sync never stalls on a large block.
	src := &fakeSource{height: 40, blockSize: 100 << 10}
	srv, cl := syncPairWith(t, src, func(c *Config) { c.syncBudget = 1 << 20 })
	blocks, err := cl.FetchBlocks(ctxTimeout(t), srv.Address(), 1, 40)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 10 {
		t.Fatalf("got %d blocks of 100 KiB, want 10", len(blocks))
	}
	srv.SetBlockSource(&fakeSource{height: 40, blockSize: 2 << 20})
	blocks, err = cl.FetchBlocks(ctxTimeout(t), srv.Address(), 1, 40)
	if err != nil {
		t.Fatal(err)
	}
	if len(blocks) != 1 {
		t.Fatalf("got %d blocks of 2 MiB, want 1", len(blocks))
	}
}

func TestSyncWithoutBlockSourceIsUnavailable(t *testing.T) {
	server, client := syncPair(t, nil)
	ctx := ctxTimeout(t)
	if _, err := client.FetchBlocks(ctx, server.Address(), 1, 1); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("FetchBlocks: err = %v, want ErrUnavailable", err)
	}
	if _, err := client.PeerHeight(ctx, server.Address()); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("PeerHeight: err = %v, want ErrUnavailable", err)
	}
	server.SetBlockSource(&fakeSource{height: 3})
	if h, err := client.PeerHeight(ctx, server.Address()); err != nil || h != 3 {
		t.Fatalf("after SetBlockSource: %d, %v", h, err)
	}
}

// TestMalformedResponsesAreErrors replaces the server's sync handler with
// ones that break the protocol in different ways.
func TestMalformedResponsesAreErrors(t *testing.T) {
	server, client := syncPairWith(t, nil, func(c *Config) { c.syncBudget = 1 << 20 })
	block := func(h uint64) []byte {
		var b bytes.Buffer
		_ = writeFrame(&b, kindBlock, blockHeader(h, []byte("blk")), []byte("blk"), []byte("cert"))
		return b.Bytes()
	}
	frame := func(kind byte, body []byte) []byte {
		var b bytes.Buffer
		_ = writeFrame(&b, kind, body)
		return b.Bytes()
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	oversized := binary.BigEndian.AppendUint32(nil, MaxSyncFrame+1)

	cases := []struct {
		name  string
		reply []byte
		err   []error
	}{
		{"an oversized frame header", oversized, []error{ErrMalformed, ErrFrameTooLarge}},
		{"a truncated frame", block(1)[:10], []error{ErrMalformed}},
		{"no end frame", cat(block(1), block(2)), []error{ErrMalformed}},
		{"heights out of order", cat(block(1), block(3), frame(kindEnd, nil)), []error{ErrMalformed}},
		{"more blocks than asked", cat(block(1), block(2), block(3), frame(kindEnd, nil)), []error{ErrMalformed}},
		{"an unknown frame kind", frame(0x77, []byte("??")), []error{ErrMalformed}},
		{"an empty frame", []byte{0, 0, 0, 0}, []error{ErrMalformed}},
		{"an end without blocks", frame(kindEnd, nil), []error{ErrMalformed}},
		{"a remote error", frame(kindError, encodeError(codeBusy, "later")), []error{ErrBusy}},
		{"nothing at all", nil, []error{ErrMalformed}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			server.host.SetStreamHandler(server.syncProtocol(), func(s network.Stream) {
				defer s.Close()
				_, _, _, _ = readFrame(s, maxRequestFrame)
				_, _ = s.Write(tc.reply)
			})
			_, err := client.FetchBlocks(ctxTimeout(t), server.Address(), 1, 2)
			for _, want := range tc.err {
				if !errors.Is(err, want) {
					t.Fatalf("err = %v, want %v", err, want)
				}
			}
		})
	}

	t.Run("a response above the byte budget", func(t *testing.T) {
		big := make([]byte, client.syncBudget()/2+1)
		server.host.SetStreamHandler(server.syncProtocol(), func(s network.Stream) {
			defer s.Close()
			_, _, _, _ = readFrame(s, maxRequestFrame)
			w := bufio.NewWriter(s)
			for h := uint64(1); h <= 2; h++ {
				_ = writeFrame(w, kindBlock, blockHeader(h, big), big)
			}
			_ = writeFrame(w, kindEnd)
			_ = w.Flush()
		})
		_, err := client.FetchBlocks(ctxTimeout(t), server.Address(), 1, 2)
		if !errors.Is(err, ErrMalformed) || !errors.Is(err, ErrFrameTooLarge) {
			t.Fatalf("err = %v, want ErrMalformed and ErrFrameTooLarge", err)
		}
	})

	t.Run("a silent server hits the caller's deadline", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		server.host.SetStreamHandler(server.syncProtocol(), func(s network.Stream) {
			defer s.Close()
			<-release
		})
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := client.FetchBlocks(ctx, server.Address(), 1, 2)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err = %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("FetchBlocks returned after %v", d)
		}
	})
}

func TestServerRefusesMalformedRequests(t *testing.T) {
	server, client := syncPair(t, &fakeSource{height: 5})
	ask := func(t *testing.T, req []byte) error {
		id, ok := client.peerID(server.Address())
		if !ok {
			t.Fatal("not connected")
		}
		s, err := client.host.NewStream(ctxTimeout(t), id, client.syncProtocol())
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		_ = s.SetDeadline(time.Now().Add(waitTimeout))
		_, _ = s.Write(req)
		_ = s.CloseWrite()
		_, err = readStatus(s)
		return err
	}
	var b bytes.Buffer
	_ = writeFrame(&b, kindBlocksReq, []byte("short"))
	if err := ask(t, b.Bytes()); !errors.Is(err, ErrBadRequest) {
		t.Errorf("short range: err = %v, want ErrBadRequest", err)
	}
	b.Reset()
	_ = writeFrame(&b, 0x55)
	if err := ask(t, b.Bytes()); !errors.Is(err, ErrBadRequest) {
		t.Errorf("unknown kind: err = %v, want ErrBadRequest", err)
	}
	// An oversized request header gets the stream reset, not an allocation.
	if err := ask(t, binary.BigEndian.AppendUint32(nil, 1<<30)); err == nil {
		t.Error("oversized request answered")
	}
}
