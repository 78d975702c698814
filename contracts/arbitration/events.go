package arbitration

// Event types emitted by the arbitration module, each carrying the dispute
// "id", then the attributes listed. Amounts are micro-USDT, times
// block-time ms, address lists comma-separated.
const (
	EventOpened    = "arbitration.opened"    // kind, subject, party_a, party_b, escrow, panel, threshold, deadline, evidence_until
	EventEvidence  = "arbitration.evidence"  // party, hash
	EventVoted     = "arbitration.voted"     // arbitrator, round, winner, reason, to_a, to_b
	EventCommittee = "arbitration.committee" // panel, threshold, deadline (the panel missed its deadline)
	EventEscalated = "arbitration.escalated" // reason (second deadline missed, or no arbitrator): governance decides
	EventResolved  = "arbitration.resolved"  // kind, subject, winner, reason, to_a, to_b, by (panel|committee|gov), duration_ms
)
