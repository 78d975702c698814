package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/contracts/risk"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/types"
)

// memStore is a chain of blocks in memory: block h has time 1000*h ms,
// timer events and receipts.
type memStore struct {
	timers   map[uint64][]types.Event
	receipts map[uint64][]*types.Receipt
	top      uint64
	base     uint64 // lowest kept height (0: nothing pruned)
	reads    int    // Block calls, to see the range search stays logarithmic
}

func (m *memStore) Last() ledger.Meta  { return ledger.Meta{Height: m.top} }
func (m *memStore) PrunedBase() uint64 { return max(m.base, 1) }
func (m *memStore) BlockRaw(h uint64) ([]byte, error) {
	if h == 0 || h > m.top || h < m.base {
		return nil, fmt.Errorf("no block %d", h)
	}
	m.reads++
	b := &types.Block{Header: types.Header{Height: h, Time: 1000 * h, TxCount: uint32(len(m.receipts[h]))}}
	return b.Encode(), nil
}
func (m *memStore) Receipts(h uint64) ([]*types.Receipt, error) { return m.receipts[h], nil }
func (m *memStore) BlockEvents(h uint64) ([]types.Event, error) { return m.timers[h], nil }

func ev(typ string, kv ...string) types.Event {
	e := types.Event{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		e.Attrs = append(e.Attrs, types.Attr{Key: kv[i], Value: kv[i+1]})
	}
	return e
}

func tx(b byte) types.Hash { return types.Hash{b} }

// sample has every reported type and some that no report reads, in
// timers and in receipts (one failed, with its fee event kept).
func sample() *memStore {
	m := &memStore{timers: map[uint64][]types.Event{}, receipts: map[uint64][]*types.Receipt{}, top: 6}
	m.receipts[1] = []*types.Receipt{
		{TxHash: tx(1), Events: []types.Event{ev(bank.EventTransfer, "from", "0xa", "to", "0xb", "amount", "5000000")}},
		{TxHash: tx(2), Events: []types.Event{ev(kyc.EventAttested, "account", "0xc", "provider", "0xd", "level", "2")}},
	}
	m.timers[2] = []types.Event{ev(order.EventExpired, "id", "0x01", "state", "EXPIRED", "merchant", "0xm", "amount", "7")}
	m.receipts[2] = []*types.Receipt{
		{TxHash: tx(3), Events: []types.Event{ev(order.EventCreated, "id", "0x02", "state", "CREATED", "amount", "9"),
			ev(order.EventLocked, "id", "0x02", "state", "LOCKED", "acceptor", "0xq")}},
		{TxHash: tx(4), Status: types.StatusFailed, Events: []types.Event{ev(bank.EventTransfer, "from", "0xa", "to", "0xfee", "amount", "10000")}},
	}
	m.receipts[3] = []*types.Receipt{
		{TxHash: tx(5), Events: []types.Event{ev(risk.EventHit, "account", "0xe", "rule", "velocity"), ev(risk.EventFrozen, "account", "0xe", "rule", "velocity", "seq", "1")}},
		{TxHash: tx(6), Events: []types.Event{ev(arbitration.EventOpened, "id", "0x03", "kind", "order", "escrow", "100")}},
	}
	m.timers[4] = []types.Event{ev(arbitration.EventCommittee, "id", "0x03", "panel", "0x1,0x2"), ev(arbitration.EventEscalated, "id", "0x03", "reason", "deadline")}
	m.receipts[5] = []*types.Receipt{
		{TxHash: tx(7), Events: []types.Event{ev(risk.EventUnfrozen, "account", "0xe", "officer", "0xo", "seq", "2"),
			ev(arbitration.EventVoted, "id", "0x03"), ev(arbitration.EventResolved, "id", "0x03", "winner", "a", "by", "gov")}},
		{TxHash: tx(8), Events: []types.Event{ev(kyc.EventRevoked, "account", "0xc", "by", "0xo", "reason", "fraud"),
			ev(bank.EventTransfer, "from", "0xb", "to", "0xa", "amount", "4999999")}},
	}
	m.receipts[6] = []*types.Receipt{{TxHash: tx(9), Events: []types.Event{ev(bank.EventTransfer, "from", "0xb", "to", "0xa", "amount", "99000000")}}}
	return m
}

type want struct {
	height uint64
	tx     byte // 0: a timer's event
	index  int
	typ    string
}

func TestRunSelectsEachKindsEvents(t *testing.T) {
	all := uint64(1 << 40)
	cases := []struct {
		name string
		q    Query
		want []want
	}{
		{"large-tx without threshold is every transfer, the failed tx's fee too", Query{Kind: LargeTx, To: all},
			[]want{{1, 1, 0, bank.EventTransfer}, {2, 4, 3, bank.EventTransfer}, {5, 8, 4, bank.EventTransfer}, {6, 9, 0, bank.EventTransfer}}},
		{"large-tx keeps amounts at or above the threshold", Query{Kind: LargeTx, To: all, Threshold: 5_000_000},
			[]want{{1, 1, 0, bank.EventTransfer}, {6, 9, 0, bank.EventTransfer}}},
		{"freezes are frozen and unfrozen, not hits", Query{Kind: Freezes, To: all},
			[]want{{3, 5, 1, risk.EventFrozen}, {5, 7, 0, risk.EventUnfrozen}}},
		{"disputes skip votes and evidence; timers have no tx", Query{Kind: Disputes, To: all},
			[]want{{3, 6, 2, arbitration.EventOpened}, {4, 0, 0, arbitration.EventCommittee}, {4, 0, 1, arbitration.EventEscalated}, {5, 7, 2, arbitration.EventResolved}}},
		{"kyc", Query{Kind: KYC, To: all}, []want{{1, 2, 1, kyc.EventAttested}, {5, 8, 3, kyc.EventRevoked}}},
		{"orders, a timer's expiry first in its block", Query{Kind: Orders, To: all},
			[]want{{2, 0, 0, order.EventExpired}, {2, 3, 1, order.EventCreated}, {2, 3, 2, order.EventLocked}}},
		{"from is inclusive, to exclusive", Query{Kind: LargeTx, From: 2000, To: 6000},
			[]want{{2, 4, 3, bank.EventTransfer}, {5, 8, 4, bank.EventTransfer}}},
		{"a range between blocks is empty", Query{Kind: LargeTx, From: 1001, To: 1999}, nil},
		{"a range after the head is empty", Query{Kind: LargeTx, From: 7000, To: all}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []want
			st, err := Run(context.Background(), sample(), tc.q, func(r Row) error {
				var b byte
				if r.Tx != (types.Hash{}) {
					b = r.Tx[0]
				}
				if r.Time != 1000*r.Height {
					t.Errorf("row at height %d has time %d", r.Height, r.Time)
				}
				got = append(got, want{r.Height, b, r.Index, r.Event.Type})
				return nil
			}, nil, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("rows\n got %v\nwant %v", got, tc.want)
			}
			if st.Rows != int64(len(tc.want)) {
				t.Fatalf("stats count %d rows, emitted %d", st.Rows, len(tc.want))
			}
		})
	}
}

func TestRunRefusesBadQueries(t *testing.T) {
	cases := []struct {
		name string
		q    Query
		err  error
	}{
		{"unknown kind", Query{Kind: "payroll", To: 10}, ErrUnknownKind},
		{"empty range", Query{Kind: KYC, From: 10, To: 10}, ErrBadRange},
		{"reversed range", Query{Kind: KYC, From: 10, To: 5}, ErrBadRange},
		{"threshold on another kind", Query{Kind: Orders, To: 10, Threshold: 1}, ErrThreshold},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			called := false
			_, err := Run(context.Background(), sample(), tc.q, func(Row) error { called = true; return nil }, nil, 0)
			if !errors.Is(err, tc.err) {
				t.Fatalf("err = %v, want %v", err, tc.err)
			}
			if called {
				t.Fatal("a refused query emitted rows")
			}
		})
	}
	if _, err := ParseKind("large-tx"); err != nil {
		t.Fatal(err)
	}
	if _, err := ParseKind("large"); !errors.Is(err, ErrUnknownKind) || !strings.Contains(err.Error(), "freezes") {
		t.Fatalf("ParseKind(large) = %v: want ErrUnknownKind listing the kinds", err)
	}
}

func TestPrunedHistoryIsRefusedNotSkipped(t *testing.T) {
	m := sample()
	m.base = 3
	if _, err := Run(context.Background(), m, Query{Kind: KYC, To: 1 << 40}, func(Row) error { return nil }, nil, 0); !errors.Is(err, ErrPruned) {
		t.Fatalf("a report reaching into pruned blocks: %v, want ErrPruned", err)
	}
	var rows int
	if _, err := Run(context.Background(), m, Query{Kind: KYC, From: 3000, To: 1 << 40}, func(Row) error { rows++; return nil }, nil, 0); err != nil || rows != 1 {
		t.Fatalf("a report over kept blocks: %d rows, %v; want the revocation at 5", rows, err)
	}
}

func TestHeightsSearchesLogarithmically(t *testing.T) {
	m := &memStore{top: 1 << 20}
	lo, hi, ok, err := Heights(m, 5_000_500, 9_000_000)
	if err != nil || !ok || lo != 5001 || hi != 8999 {
		t.Fatalf("Heights = %d, %d, %v, %v; want 5001, 8999", lo, hi, ok, err)
	}
	if m.reads > 2*21+2 {
		t.Fatalf("%d block reads to find a range in 2^20 blocks", m.reads)
	}
}

func TestWritersRenderColumnsInOrder(t *testing.T) {
	r := Row{Height: 7, Time: 1764633600123, Tx: tx(0xab), Index: 2,
		Event: ev(kyc.EventRevoked, "account", "0xc", "by", "0xo", "reason", `said "no", twice`)}
	timer := Row{Height: 8, Time: 1764633601000, Event: ev(kyc.EventAttested, "account", "0xd", "level", "3")}

	var c bytes.Buffer
	w, err := NewWriter(&c, CSV, KYC)
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []Row{r, timer} {
		if err := w.Write(row); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&c).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := []string{"height", "time", "tx", "index", "event", "account", "provider", "level", "expires_at", "country", "record_hash", "by", "reason"}
	if !slices.Equal(recs[0], wantHeader) {
		t.Fatalf("header %q", recs[0])
	}
	want1 := []string{"7", "2025-12-02T00:00:00.123Z", tx(0xab).Hex(), "2", kyc.EventRevoked, "0xc", "", "", "", "", "", "0xo", `said "no", twice`}
	if !slices.Equal(recs[1], want1) {
		t.Fatalf("row\n got %q\nwant %q", recs[1], want1)
	}
	if recs[2][2] != "" || recs[2][7] != "3" {
		t.Fatalf("timer row %q: want no tx and level 3", recs[2])
	}

	var j bytes.Buffer
	if w, err = NewWriter(&j, JSON, KYC); err != nil {
		t.Fatal(err)
	}
	w.Write(r)
	w.Write(timer)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	var objs []map[string]string
	if err := json.Unmarshal(j.Bytes(), &objs); err != nil {
		t.Fatalf("json report does not parse: %v\n%s", err, j.String())
	}
	if len(objs) != 2 || objs[0]["reason"] != `said "no", twice` || objs[0]["tx"] != tx(0xab).Hex() || objs[1]["level"] != "3" {
		t.Fatalf("json rows %v", objs)
	}
	if strings.Index(j.String(), `"height"`) > strings.Index(j.String(), `"account"`) {
		t.Fatal("json keys are not in column order")
	}
	var empty bytes.Buffer
	w, _ = NewWriter(&empty, JSON, Orders)
	w.Close()
	if err := json.Unmarshal(empty.Bytes(), &objs); err != nil || len(objs) != 0 {
		t.Fatalf("an empty json report %q: %v", empty.String(), err)
	}
	if _, err := NewWriter(&empty, "xml", Orders); !errors.Is(err, ErrUnknownFormat) {
		t.Fatalf("xml: %v", err)
	}
}
