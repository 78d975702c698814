package core_test

import (
	"errors"
	"testing"

	"github.com/accordnet/accord/contracts/core"
)

type msgN struct{ N uint64 }

var errZero = errors.New("zero")

func (m *msgN) ValidateBasic() error {
	if m.N == 0 {
		return errZero
	}
	return nil
}

func TestHandleMsgDecodesChecksThenCalls(t *testing.T) {
	var got []uint64
	h := core.HandleMsg(func(_ *core.Context, m *msgN) error {
		got = append(got, m.N)
		return nil
	})
	for _, c := range []struct {
		name    string
		payload []byte
		want    error
	}{
		{"a valid message reaches the handler", core.Encode(&msgN{N: 7}), nil},
		{"malformed bytes are a bad payload", []byte{0xff, 0x01}, core.ErrBadPayload},
		{"a message failing its stateless checks never reaches the handler", core.Encode(&msgN{}), errZero},
	} {
		t.Run(c.name, func(t *testing.T) {
			got = nil
			err := h(nil, c.payload)
			if !errors.Is(err, c.want) || (c.want == nil) != (len(got) == 1) {
				t.Fatalf("err %v, handler saw %v", err, got)
			}
			if c.want == nil && got[0] != 7 {
				t.Fatalf("handler saw %v", got)
			}
		})
	}
}

func TestHandleDecodedUsesTheModulesDecoder(t *testing.T) {
	errCustom := errors.New("not canonical")
	decode := func(p []byte) (*msgN, error) {
		if len(p) == 0 {
			return nil, errCustom
		}
		return core.DecodeValid[msgN](p)
	}
	called := false
	h := core.HandleDecoded(decode, func(_ *core.Context, m *msgN) error { called = true; return nil })
	if err := h(nil, nil); !errors.Is(err, errCustom) || called {
		t.Fatalf("err %v, called %v", err, called)
	}
	if err := h(nil, core.Encode(&msgN{N: 1})); err != nil || !called {
		t.Fatalf("err %v, called %v", err, called)
	}
}
