package arbitration_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/arbitration"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/order"
)

// TestViewJSONNamesSidesAndReasons: a dispute's votes and decision read as
// names in the API and decode back to the same values.
func TestViewJSONNamesSidesAndReasons(t *testing.T) {
	d := &arbitration.Dispute{Phase: arbitration.PhaseResolved,
		Votes:    []arbitration.Vote{{Winner: arbitration.SideB, Reason: arbitration.ReasonBankProblem, ToB: 5}},
		Decision: arbitration.Decision{Winner: arbitration.SideA, Reason: arbitration.ReasonNoReply, ToA: 3, ToB: 2, By: "panel"}}
	b, err := json.Marshal(arbitration.NewView(d))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"winner":"b"`, `"reason":"bank_problem"`, `"winner":"a"`, `"reason":"no_reply"`, `"to_a":3`, `"by":"panel"`} {
		if !strings.Contains(string(b), want) {
			t.Fatalf("%s lacks %s", b, want)
		}
	}
	var back arbitration.View
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Decision == nil || *back.Decision != d.Decision || back.Votes[0] != d.Votes[0] {
		t.Fatalf("round trip %+v", back)
	}
	if err := json.Unmarshal([]byte(`{"votes":[{"winner":"c"}]}`), &back); !errors.Is(err, arbitration.ErrBadWinner) {
		t.Fatalf("bad winner: %v", err)
	}
}

// query calls one of the module's query handlers as the API would.
func query(t *testing.T, e *env, method, params string) (any, error) {
	t.Helper()
	for _, q := range arbitration.NewModule(e.K).Queries() {
		if q.Method == method {
			return q.Handle(core.QueryState{Store: e.St, Height: e.Block.Height, Time: e.Block.Time}, json.RawMessage(params))
		}
	}
	t.Fatalf("no query %s", method)
	return nil, nil
}

// TestListAndArbitratorQueries: open disputes and escalated ones are
// listed (bounded by a limit), and an arbitrator's record reads its votes,
// agreement and response time.
func TestListAndArbitratorQueries(t *testing.T) {
	f := newFx(t, 3)
	second := f.paid(t)
	if _, err := f.e.Exec(f.mer, &order.MsgDispute{ID: second}); err != nil {
		t.Fatal(err)
	}
	d := f.dispute(t)
	open, err := query(t, f.e, arbitration.OpenMethod, "")
	if err != nil || len(open.([]arbitration.View)) != 2 {
		t.Fatalf("open disputes %v %v", open, err)
	}
	if one, err := query(t, f.e, arbitration.OpenMethod, "[1]"); err != nil || len(one.([]arbitration.View)) != 1 {
		t.Fatalf("open disputes, limit 1: %v %v", one, err)
	}
	for _, bad := range []string{"[-1]", "[1001]", `["x"]`, "[1,2]"} {
		if _, err := query(t, f.e, arbitration.OpenMethod, bad); !errors.Is(err, core.ErrInvalidQuery) {
			t.Fatalf("params %s: %v", bad, err)
		}
	}
	f.e.Advance(30 * 60 * 1000)
	for _, a := range d.Panel[:2] {
		ok(t)(f.vote(a, arbitration.SideB, 0, d.Escrow))
	}
	open, _ = query(t, f.e, arbitration.OpenMethod, "[]")
	if vs := open.([]arbitration.View); len(vs) != 1 || vs[0].ID == f.id {
		t.Fatalf("open after resolving one: %+v", vs)
	}
	v, err := query(t, f.e, arbitration.ArbitratorMethod, `["`+d.Panel[0].Hex()+`"]`)
	if err != nil {
		t.Fatal(err)
	}
	if av := v.(arbitration.ArbitratorView); av.Votes != 1 || av.Decided != 1 || av.Agreed != 1 || av.AccuracyBps != 10_000 || av.MeanResponseMs != 30*60*1000 {
		t.Fatalf("arbitrator %+v", av)
	}
	if v, err := query(t, f.e, arbitration.ArbitratorMethod, `["`+d.Panel[2].Hex()+`"]`); err != nil || v.(arbitration.ArbitratorView).Votes != 0 {
		t.Fatalf("silent arbitrator %+v %v", v, err)
	}
	// The second dispute's panel and then the committee miss their
	// deadlines: it waits for governance.
	f.e.Advance(4 * hour)
	f.e.Advance(4 * hour)
	esc, err := query(t, f.e, arbitration.EscalatedMethod, "")
	if vs := esc.([]arbitration.View); err != nil || len(vs) != 1 || vs[0].Subject != second || vs[0].Phase != "ESCALATED" {
		t.Fatalf("escalated %+v %v", esc, err)
	}
	if _, err := query(t, f.e, arbitration.ArbitratorMethod, `["0x12"]`); !errors.Is(err, core.ErrInvalidQuery) {
		t.Fatalf("bad address: %v", err)
	}
}
