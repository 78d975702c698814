package bank

// Event types emitted by the bank.
const (
	EventTransfer = "bank.transfer"
)
