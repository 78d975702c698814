package oracle

// Event types emitted by oracle.
const (
	EventRatePosted = "oracle.rate_posted" // oracle, currency, rate (decimal, fiat per USDT), rate_e8
)
