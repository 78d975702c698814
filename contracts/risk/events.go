package risk

// Event types emitted by the risk module. Amounts are micro-USDT, ratios
// basis points, times block-time ms.
const (
	EventHit      = "risk.hit"      // account, rule, value, threshold, subject, seq, freeze (true|false)
	EventFrozen   = "risk.frozen"   // account, rule, seq
	EventUnfrozen = "risk.unfrozen" // account, officer, reason, seq
	EventMark     = "risk.mark"     // account, rule (dispute_loss), subject (the dispute), seq
)
