package api

import (
	"encoding/json"
	"testing"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/types"
)

// Each topic carries the events it names, and the filters narrow them; an
// order event that does not name both parties is matched through the order.
func TestTopicFilters(t *testing.T) {
	m, a, other := types.Address{1}, types.Address{2}, types.Address{3}
	id := types.Hash{9}
	ev := func(typ string, kv ...string) types.Event {
		e := types.Event{Type: typ}
		for i := 0; i < len(kv); i += 2 {
			e.Attrs = append(e.Attrs, types.Attr{Key: kv[i], Value: kv[i+1]})
		}
		return e
	}
	events := []types.Event{
		ev("order.created", "id", id.Hex(), "merchant", m.Hex()),                                        // 0: acceptor from the order
		ev("order.extended", "id", id.Hex(), "acceptor", a.Hex()),                                       // 1: merchant from the order
		ev("order.disputed", "id", id.Hex(), "merchant", m.Hex(), "acceptor", a.Hex()),                  // 2
		ev("arbitration.opened", "subject", id.Hex()),                                                   // 3
		ev("risk.frozen", "account", other.Hex(), "rule", "velocity"),                                   // 4
		ev("bank.transfer", "from", m.Hex(), "to", other.Hex()),                                         // 5
		ev("order.locked", "id", types.Hash{8}.Hex(), "merchant", other.Hex(), "acceptor", other.Hex()), // 6
	}
	parties := func(h types.Hash) (types.Address, types.Address, bool) {
		if h == id {
			return m, a, true
		}
		return types.Address{}, types.Address{}, false
	}
	c, err := BuildCommitted(&types.Block{Header: types.Header{Height: 7, Time: 7000}}, nil, events[:1],
		[]*types.Receipt{{TxHash: types.Hash{0xaa}, Events: events[1:]}}, parties)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		req  views.Subscribe
		want []int
	}{
		{"all events", views.Subscribe{Topic: views.TopicEvents}, []int{0, 1, 2, 3, 4, 5, 6}},
		{"one module", views.Subscribe{Topic: views.TopicEvents, Module: "order"}, []int{0, 1, 2, 6}},
		{"one type", views.Subscribe{Topic: views.TopicEvents, Type: "bank.transfer"}, []int{5}},
		{"all orders", views.Subscribe{Topic: views.TopicOrders}, []int{0, 1, 2, 6}},
		{"a merchant's orders, parties looked up", views.Subscribe{Topic: views.TopicOrders, Merchant: m.Hex()}, []int{0, 1, 2}},
		{"an acceptor's assignments, parties looked up", views.Subscribe{Topic: views.TopicAssignments, Acceptor: a.Hex()}, []int{0, 1, 2}},
		{"disputes", views.Subscribe{Topic: views.TopicDisputes}, []int{2, 3}},
		{"risk of an account", views.Subscribe{Topic: views.TopicRisk, Account: other.Hex()}, []int{4}},
		{"risk of another account", views.Subscribe{Topic: views.TopicRisk, Account: m.Hex()}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseFilter(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			err = f.each(c, views.Cursor{Height: 6}, func(at views.Cursor, res json.RawMessage) error {
				var n views.EventNote
				if err := json.Unmarshal(res, &n); err != nil {
					t.Fatal(err)
				}
				if n.Cursor != at || n.Type != events[at.Index].Type || (at.Index > 0) != (n.TxHash != "") {
					t.Fatalf("note %+v at %+v", n, at)
				}
				got = append(got, at.Index)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got events %v, want %v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("got events %v, want %v", got, tc.want)
				}
			}
		})
	}
}
