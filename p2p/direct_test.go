package p2p

import (
	"context"
	"errors"
	"testing"

	"github.com/accordnet/accord/types"
)

// A direct message reaches the one peer it is sent to, through the topic's
// decoder and direct handler, with the sender as its author; nobody else
// gets it, by gossip or otherwise.
func TestSendToReachesOnlyThatPeer(t *testing.T) {
	nodes := startNet(t, 3, netOpts{})
	waitMesh(t, 2, nodes...)
	direct := make([]*inbox, len(nodes))
	decoded := make([]chan any, len(nodes))
	for i, n := range nodes {
		direct[i], decoded[i] = newInbox(), make(chan any, 8)
		if err := n.SetDecoder(TopicConsensus, func(_ types.Address, data []byte) (any, bool) {
			return "decoded " + string(data), string(data) != "forged"
		}); err != nil {
			t.Fatal(err)
		}
		in, dec := direct[i], decoded[i]
		if err := n.HandleDirect(TopicConsensus, func(from types.Address, data []byte, v any) {
			dec <- v
			in.handle(from, data)
		}); err != nil {
			t.Fatal(err)
		}
	}
	ctx := ctxTimeout(t)
	if err := nodes[0].SendTo(ctx, nodes[1].Address(), TopicConsensus, []byte("decision for 1")); err != nil {
		t.Fatal(err)
	}
	if m := direct[1].wait(t, "decision for 1"); m.from != nodes[0].Address() {
		t.Fatalf("author %s, want %s", m.from, nodes[0].Address())
	}
	if v := waitErr(t, decoded[1]); v != "decoded decision for 1" {
		t.Fatalf("handler got decoded value %v", v)
	}
	// A gossiped message published after the direct one reaches node 2
	// only after the direct one would have: node 2 never got the latter.
	if err := nodes[0].Publish(TopicConsensus, []byte("marker")); err != nil {
		t.Fatal(err)
	}
	nodes[2].inbox[TopicConsensus].wait(t, "marker")
	nodes[1].inbox[TopicConsensus].wait(t, "marker")
	if direct[2].has("decision for 1") || nodes[2].inbox[TopicConsensus].has("decision for 1") || nodes[1].inbox[TopicConsensus].has("decision for 1") {
		t.Fatal("direct message delivered beyond its one recipient, or by gossip")
	}
	if st := nodes[0].Stats().Topics[TopicConsensus]; st.DirectSent != 1 {
		t.Fatalf("sender stats %+v", st)
	}
	if st := nodes[1].Stats().Topics[TopicConsensus]; st.DirectReceived != 1 {
		t.Fatalf("recipient stats %+v", st)
	}

	// The topic's decoder guards direct messages as it guards gossip.
	rejected := make(chan types.Address, 1)
	hook := func(_ Topic, from types.Address, ok bool) {
		if !ok {
			rejected <- from
		}
	}
	nodes[1].onValidated.Store(&hook)
	if err := nodes[0].SendTo(ctx, nodes[1].Address(), TopicConsensus, []byte("forged")); err != nil {
		t.Fatal(err)
	}
	if from := waitErr(t, rejected); from != nodes[0].Address() {
		t.Fatalf("rejected message from %s, want %s", from, nodes[0].Address())
	}
	if direct[1].has("forged") || nodes[1].Stats().Topics[TopicConsensus].Rejected != 1 {
		t.Fatal("message the decoder refused was delivered, or not counted")
	}
}

func TestSendToRefusals(t *testing.T) {
	nodes := startNet(t, 2, netOpts{})
	waitMesh(t, 1, nodes...)
	ctx := ctxTimeout(t)
	stranger := types.PubkeyAddress(newKey(t))
	for _, tc := range []struct {
		name string
		to   types.Address
		t    Topic
		data []byte
		want error
	}{
		{"peer not connected", stranger, TopicConsensus, []byte("x"), ErrNotConnected},
		{"unknown topic", nodes[1].Address(), Topic(9), []byte("x"), ErrUnknownTopic},
		{"too large", nodes[1].Address(), TopicConsensus, make([]byte, nodes[0].MaxPayload()+1), ErrMessageTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := nodes[0].SendTo(ctx, tc.to, tc.t, tc.data); !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
	if err := nodes[0].Close(); err != nil {
		t.Fatal(err)
	}
	if err := nodes[0].SendTo(context.Background(), nodes[1].Address(), TopicConsensus, []byte("x")); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}
