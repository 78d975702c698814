package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/types"
)

var requestSeeds = []string{
	`{"jsonrpc":"2.0","id":1,"method":"accord_sendRawTransactions","params":[["0x01","0xab"]]}`,
	` { "jsonrpc" : "2.0" , "id" : "x" , "method" : "m" , "params" : [ 1 , -2.5e+3 , true , false , null , {"a":[{}]} ] } `,
	`{"jsonrpc":"2.0","id":null,"method":"m"}`,
	`{"jsonrpc":"2.0","method":"m","params":null}`,
	`{"id":1}`,
	`{}`,
	`{"jsonrpc":"2.0","id":1,"method":"m","params":[]}`,
	`{"jsonrpc":"2.0","id":1,"method":"m","id":2}`,
	`{"JSONRPC":"2.0","Id":1,"method":"m"}`,
	`{"jsonrpc":"2.0","id":1,"method":"m","extra":1}`,
	`{"jsonrpc":2,"id":1,"method":"m"}`,
	`{"jsonrpc":"2.0","id":01,"method":"m"}`,
	`{"jsonrpc":"2.0","id":1.,"method":"m"}`,
	`{"jsonrpc":"2.0","id":-,"method":"m"}`,
	`{"jsonrpc":"2.0","id":1e,"method":"m"}`,
	`{"jsonrpc":"2.0","id":1,"method":"a\u0062"}`,
	`{"jsonrpc":"2.0","id":1,"method":"é"}`,
	"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"\x01\"}",
	`{"jsonrpc":"2.0","id":1,"method":"m",}`,
	`{"jsonrpc":"2.0","id":1,"method":"m"} x`,
	`{"jsonrpc":"2.0","id":1,"method":"m"}{}`,
	`{"jsonrpc":"2.0","id":1,"method":"m","params":[1,]}`,
	`{"jsonrpc":"2.0","id":1,"method":"m","params":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}`,
	`{"jsonrpc":"2.0","id":tru,"method":"m"}`,
	`[{"jsonrpc":"2.0"}]`,
	`"x"`,
	``,
}

// FuzzFastRequest holds fastRequest to encoding/json: whatever it accepts,
// encoding/json accepts and decodes to the same request.
func FuzzFastRequest(f *testing.F) {
	for _, s := range requestSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		got, ok := fastRequest(raw)
		if !ok {
			return
		}
		var want request
		if err := json.Unmarshal(raw, &want); err != nil {
			t.Fatalf("fast path accepted %q, encoding/json refuses it: %v", raw, err)
		}
		if got.JSONRPC != want.JSONRPC || got.Method != want.Method ||
			!sameRaw(got.ID, want.ID) || !sameRaw(got.Params, want.Params) {
			t.Fatalf("%q: fast path decoded %+v, encoding/json %+v", raw, got, want)
		}
	})
}

func sameRaw(a, b json.RawMessage) bool { return (a == nil) == (b == nil) && bytes.Equal(a, b) }

func TestFastRequestTakesTheClientsShape(t *testing.T) {
	for _, s := range requestSeeds[:7] {
		if _, ok := fastRequest([]byte(s)); !ok {
			t.Errorf("fast path refused %s", s)
		}
	}
}

var batchSeeds = []string{
	`[["0x01","0xab"]]`,
	` [ [ "0x01" , " 0X0xAB " ] ] `,
	`[[]]`,
	`[["", "0x", "0xabc", "0xzz", "0xabz", "0x0x01", "abc"]]`,
	`[["0x01"],["0x02"]]`,
	`[[ "0x01" ]`,
	`[["0x01",]]`,
	`[["0x\u0030\u0031"]]`,
	`[["0xé"]]`,
	"[[\"0x\xff\"]]",
	`[[null, "0x01"]]`,
	`[["0x01"]] x`,
	`[[1]]`,
	`["0x01"]`,
	`[]`,
	`null`,
	``,
	`{}`,
}

// FuzzBatchHexes holds the fast decoding of accord_sendRawTransactions'
// params to encoding/json's: the same refusal (code and text), the same
// transactions, the same per-transaction errors.
func FuzzBatchHexes(f *testing.F) {
	for _, s := range batchSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, p []byte) { checkBatchEquivalence(t, p) })
}

func checkBatchEquivalence(t *testing.T, p []byte) {
	t.Helper()
	raws, bad, err := decodeBatch(p)
	wraws, wbad, werr := decodeBatchSlow(p)
	if !sameErr(err, werr) {
		t.Fatalf("%q: error %v, encoding/json's %v", p, err, werr)
	}
	if len(raws) != len(wraws) || !reflect.DeepEqual(bad, wbad) {
		t.Fatalf("%q: %d txs, errors %q; encoding/json: %d, %q", p, len(raws), bad, len(wraws), wbad)
	}
	for i := range raws {
		if (raws[i] == nil) != (wraws[i] == nil) || !bytes.Equal(raws[i], wraws[i]) {
			t.Fatalf("%q: tx %d is %x, encoding/json's %x", p, i, raws[i], wraws[i])
		}
	}
}

// The batch cap holds on the fast path with the same refusal (a fuzzer
// seldom grows an input past it).
func TestBatchHexesLimit(t *testing.T) {
	for _, n := range []int{MaxBatchTxs, MaxBatchTxs + 1} {
		p := []byte(`[[` + strings.Repeat(`"0x01",`, n-1) + `"0x02"]]`)
		if _, ok := batchHexes(p); !ok {
			t.Fatalf("%d hexes: fast path refused them", n)
		}
		checkBatchEquivalence(t, p)
		if _, _, err := decodeBatch(p); (err != nil) != (n > MaxBatchTxs) {
			t.Fatalf("%d hexes: error %v", n, err)
		}
	}
}

func sameErr(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	var ea, eb *wire.Error
	if !errors.As(a, &ea) || !errors.As(b, &eb) {
		return a.Error() == b.Error()
	}
	return ea.Code == eb.Code && ea.Message == eb.Message && reflect.DeepEqual(ea.Data, eb.Data)
}

func TestBatchHexesTakesTheClientsShape(t *testing.T) {
	for _, s := range batchSeeds[:4] {
		if _, ok := batchHexes([]byte(s)); !ok {
			t.Errorf("fast path refused %s", s)
		}
	}
}

// FuzzBatchResult holds appendBatchResult to json.Marshal of the
// views.BatchResult it stands for.
func FuzzBatchResult(f *testing.F) {
	for _, e := range []string{"", "nonce too low: 3 < 4", `<a href="x">&amp;</a>`, "é\u2028\u2029\x00\x1f\\\"", "\xff\xfe bad utf-8"} {
		f.Add(true, []byte("0123456789abcdef0123456789abcdef"), e)
		f.Add(false, []byte{}, e)
	}
	f.Fuzz(func(t *testing.T, hasHash bool, hb []byte, errText string) {
		var want views.BatchResult
		var h *types.Hash
		if hasHash {
			h = new(types.Hash)
			copy(h[:], hb)
			want.Hash = h.Hex()
		}
		want.Error = errText
		wantJSON, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendBatchResult(nil, h, errText); !bytes.Equal(got, wantJSON) {
			t.Fatalf("wrote %s, json.Marshal %s", got, wantJSON)
		}
	})
}

// FuzzMarshalResponse holds marshalResponse to json.Marshal for any valid
// id, with an encoded result and without.
func FuzzMarshalResponse(f *testing.F) {
	for _, id := range []string{`1`, `"x"`, `null`, `-1.5e3`, ` 7 `, `[1, 2]`, `{"a":"<b>"}`, `"\u2028"`, "\"\u2028\"", `"é"`, `"a b"`} {
		f.Add([]byte(id), "0xab", "")
		f.Add([]byte(id), "", "no <thanks> & bye")
	}
	f.Fuzz(func(t *testing.T, id []byte, hashHex, errText string) {
		if !json.Valid(id) {
			return
		}
		// handle passes on the ID as decoded: a RawMessage keeps its bytes.
		var req request
		if json.Unmarshal([]byte(`{"id":`+string(id)+`}`), &req) != nil {
			return
		}
		var h *types.Hash
		items := []views.BatchResult{{Error: errText}}
		if hashHex != "" {
			h = new(types.Hash)
			copy(h[:], hashHex)
			items = append(items, views.BatchResult{Hash: h.Hex()})
		}
		enc := append([]byte{'['}, appendBatchResult(nil, nil, errText)...)
		if h != nil {
			enc = appendBatchResult(append(enc, ','), h, "")
		}
		enc = append(enc, ']')
		got, err := marshalResponse(response{JSONRPC: wire.Version, ID: req.ID, Result: encodedResult(enc)})
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(response{JSONRPC: wire.Version, ID: req.ID, Result: items})
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("id %q: wrote %s, json.Marshal %s", id, got, want)
		}
	})
}
