package arbitration_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/accordnet/accord/contracts/arbitration"
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
