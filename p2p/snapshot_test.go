package p2p

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/accordnet/accord/types"
)

// fakeSnapshots serves one snapshot of a few chunks.
type fakeSnapshots struct {
	height uint64
	chunks [][]byte
}

func (f *fakeSnapshots) LatestSnapshot() ([]byte, []byte, bool) {
	if f.height == 0 {
		return nil, nil, false
	}
	return []byte(fmt.Sprintf("manifest@%d", f.height)), []byte("signature"), true
}

func (f *fakeSnapshots) SnapshotChunk(h uint64, i uint32) ([]byte, error) {
	if h != f.height || int(i) >= len(f.chunks) {
		return nil, errors.New("no such chunk")
	}
	return f.chunks[i], nil
}

func TestSnapshotOfferAndChunks(t *testing.T) {
	nodes := startNet(t, 3, netOpts{})
	for _, n := range nodes {
		if err := n.WaitPeers(ctxTimeout(t), 2); err != nil {
			t.Fatal(err)
		}
	}
	server, empty, client := nodes[0], nodes[1], nodes[2]
	big := bytes.Repeat([]byte{7}, 3<<20) // several stream buffers
	server.SetSnapshotSource(&fakeSnapshots{height: 40, chunks: [][]byte{[]byte("c0"), big}})
	empty.SetSnapshotSource(&fakeSnapshots{})
	ctx := ctxTimeout(t)

	m, sig, err := client.SnapshotOffer(ctx, server.Address())
	if err != nil || string(m) != "manifest@40" || string(sig) != "signature" {
		t.Fatalf("offer: %q %q %v", m, sig, err)
	}
	for i, want := range [][]byte{[]byte("c0"), big} {
		got, err := client.SnapshotChunk(ctx, server.Address(), 40, uint32(i))
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("chunk %d: %d bytes, %v", i, len(got), err)
		}
	}
	cases := []struct {
		name string
		call func() error
	}{
		{"a chunk it has not got", func() error { _, err := client.SnapshotChunk(ctx, server.Address(), 40, 2); return err }},
		{"another height", func() error { _, err := client.SnapshotChunk(ctx, server.Address(), 39, 0); return err }},
		{"a peer with no snapshot yet", func() error { _, _, err := client.SnapshotOffer(ctx, empty.Address()); return err }},
	}
	for _, tc := range cases {
		if err := tc.call(); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("%s: %v, want ErrUnavailable", tc.name, err)
		}
	}
	// A peer that never set a source does not speak the protocol.
	if _, _, err := server.SnapshotOffer(ctx, client.Address()); err == nil {
		t.Fatal("offer from a host without a snapshot source succeeded")
	}
	if _, _, err := client.SnapshotOffer(ctx, types.Address{1}); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("offer from a stranger: %v", err)
	}
}
