package core_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

type sample struct {
	Who   types.Address `event:"who"`
	ID    types.Hash    `event:"id"`
	N     uint64        `event:"n"`
	Small uint8         `event:"small"`
	OK    bool          `event:"ok"`
	Tags  []string      `event:"tags"`
	Note  string        `event:"note,omitempty"`
	Skip  string        `event:"-"`
}

func (sample) EventType() string { return "test.sample" }

func TestEventsRoundTrip(t *testing.T) {
	in := sample{Who: types.Address{1}, ID: types.Keccak([]byte("x")), N: 1 << 60, Small: 7, OK: true, Tags: []string{"a", "b"}, Skip: "x"}
	e := core.EncodeEvent(in)
	var keys []string
	for _, a := range e.Attrs {
		keys = append(keys, a.Key)
	}
	if e.Type != "test.sample" || strings.Join(keys, ",") != "who,id,n,small,ok,tags" {
		t.Fatalf("encoded %+v", e)
	}
	if e.Get("who") != in.Who.Hex() || e.Get("n") != "1152921504606846976" || e.Get("tags") != "a,b" || e.Get("ok") != "true" {
		t.Fatalf("attribute text %+v", e.Attrs)
	}
	var out sample
	if err := core.DecodeEvent(e, &out); err != nil {
		t.Fatal(err)
	}
	in.Skip = ""
	if !reflect.DeepEqual(in, out) {
		t.Fatalf("decoded %+v, want %+v", out, in)
	}
	in.Note = "hello"
	if e := core.EncodeEvent(in); e.Get("note") != "hello" || len(e.Attrs) != 7 {
		t.Fatalf("omitempty with a value: %+v", e)
	}
}

func TestDecodeEventRefusesMismatches(t *testing.T) {
	var out sample
	if err := core.DecodeEvent(types.Event{Type: "other"}, &out); err == nil {
		t.Fatal("decoded an event of another type")
	}
	bad := types.Event{Type: "test.sample", Attrs: []types.Attr{{Key: "small", Value: "300"}}}
	if err := core.DecodeEvent(bad, &out); err == nil || !strings.Contains(err.Error(), "small") {
		t.Fatalf("out-of-range uint8: %v", err)
	}
	found, err := core.FindEvent([]types.Event{{Type: "x"}, core.EncodeEvent(sample{N: 3})}, &out)
	if !found || err != nil || out.N != 3 {
		t.Fatalf("FindEvent: %v %v %+v", found, err, out)
	}
}
