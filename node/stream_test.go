package node

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/types"
)

// The node feeds the subscription hub from its commit path: a transfer's
// event reaches a live subscriber, a subscriber resuming from an earlier
// cursor gets the same notes replayed from the ledger, and a newBlocks note
// carries the block as accord_getBlockByHeight returns it.
func TestSubscriptionsFollowCommittedBlocks(t *testing.T) {
	// A short read timeout: the WebSocket must outlive the HTTP request
	// deadlines it was upgraded from.
	s := newSingleNode(t, Home(filepath.Join(t.TempDir(), "home")), nil, -1, func(c *Config) { c.RPCReadTimeoutMs = 300 })
	s.start()
	start := time.Now()
	cl := client.New("http://" + s.n.RPCAddr())
	ctx := t.Context()
	live, err := cl.Subscribe(ctx, views.Subscribe{Topic: views.TopicEvents, Type: bank.EventTransfer}, client.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	blocks, err := cl.Subscribe(ctx, views.Subscribe{Topic: views.TopicNewBlocks}, client.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer blocks.Close()

	var hashes []types.Hash
	for range 3 {
		h, err := s.transfer()
		if err != nil {
			t.Fatal(err)
		}
		hashes = append(hashes, h)
	}
	var notes []client.Note
	for i, h := range hashes {
		n := recv(t, live)
		ev, err := n.Event()
		if err != nil {
			t.Fatal(err)
		}
		if ev.TxHash != h.Hex() || ev.Type != bank.EventTransfer || ev.Module != "bank" {
			t.Fatalf("note %d: %+v, want the transfer %s", i, ev, h.Hex())
		}
		loc, _, err := s.n.Ledger().TxLocation(h)
		if err != nil || ev.Cursor.Height != loc {
			t.Fatalf("note %d at height %d, transaction committed at %d (%v)", i, ev.Cursor.Height, loc, err)
		}
		notes = append(notes, n)
	}

	// Replay from before the first: the same notes, byte for byte.
	from := views.Cursor{Height: notes[0].Cursor.Height, Index: -1}
	replay, err := cl.Subscribe(ctx, views.Subscribe{Topic: views.TopicEvents, Type: bank.EventTransfer, From: &from}, client.SubscribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer replay.Close()
	for i, want := range notes {
		got := recv(t, replay)
		if got.Cursor != want.Cursor || !bytes.Equal(got.Result, want.Result) {
			t.Fatalf("replayed note %d: %s, live was %s", i, got.Result, want.Result)
		}
	}

	b, err := recv(t, blocks).Block()
	if err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(b.Block)
	var view views.Block
	if err := cl.Call(ctx, "accord_getBlockByHeight", &view, b.Block.Height); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(view)
	if !bytes.Equal(got, want) {
		t.Fatalf("newBlocks note %s, accord_getBlockByHeight %s", got, want)
	}
	// Blocks keep coming on the same connection well past the read timeout.
	next := b.Block.Height + 1
	for time.Since(start) < 2*time.Second {
		b, err := recv(t, blocks).Block()
		if err != nil || b.Block.Height != next {
			t.Fatalf("block %d (%v), want %d", b.Block.Height, err, next)
		}
		next++
	}
}

func recv(t *testing.T, s *client.Subscription) client.Note {
	t.Helper()
	select {
	case n, ok := <-s.Notes():
		if !ok {
			t.Fatalf("stream ended: %v", s.Err())
		}
		return n
	case <-time.After(30 * time.Second):
		t.Fatal("no notification in 30 s")
	}
	return client.Note{}
}
