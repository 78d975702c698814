package node

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/accordnet/accord/consensus"
	"github.com/accordnet/accord/types"
)

// fakeNetwork records what the driver asks of its Network.
type fakeNetwork struct {
	published [][]byte
	sent      map[types.Address][][]byte
}

func (f *fakeNetwork) PublishConsensus(data []byte) error {
	f.published = append(f.published, data)
	return nil
}

func (f *fakeNetwork) SendConsensus(_ context.Context, to types.Address, data []byte) {
	if f.sent == nil {
		f.sent = make(map[types.Address][][]byte)
	}
	f.sent[to] = append(f.sent[to], data)
}

func (f *fakeNetwork) Committed(uint64) {}

func (f *fakeNetwork) FetchBlocks(context.Context, types.Address, uint64, uint64) ([]SyncedBlock, error) {
	return nil, nil
}

func (f *fakeNetwork) SyncPeers() []types.Address { return nil }

// The engine's SendTo goes to its one validator and Broadcast to all,
// through the Network interface alone.
func TestDriverSendsToOneValidatorAndBroadcastsToAll(t *testing.T) {
	net := &fakeNetwork{}
	d := &driver{n: &Node{log: slog.New(slog.NewTextHandler(io.Discard, nil))}, net: net}
	to := types.Address{7}
	direct := &consensus.Message{Type: consensus.MsgPrepare, Height: 3, From: types.Address{1}}
	vote := &consensus.Message{Type: consensus.MsgPrepare, Height: 4, From: types.Address{1}}
	if err := d.do(context.Background(), []consensus.Action{
		consensus.SendTo{To: to, Msg: direct},
		consensus.Broadcast{Msg: vote},
	}); err != nil {
		t.Fatal(err)
	}
	if len(net.sent) != 1 || len(net.sent[to]) != 1 || !bytes.Equal(net.sent[to][0], direct.Encode()) {
		t.Fatalf("sent %v, want the one message to %s", net.sent, to.Hex())
	}
	if len(net.published) != 1 || !bytes.Equal(net.published[0], vote.Encode()) {
		t.Fatalf("published %d messages, want the broadcast alone", len(net.published))
	}
}
