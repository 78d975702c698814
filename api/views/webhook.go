package views

// WebhookData is the "data" of a webhook delivery (client.WebhookEvent):
// one committed event, where it came from and its attributes, as
// accord_getTransactionReceipt shows them. The envelope carries the type,
// the merchant, the height and the block time.
type WebhookData struct {
	// Tx is the hash of the transaction that emitted the event; empty for
	// an event of the block's timers (e.g. an order expiring).
	Tx    string            `json:"tx,omitempty"`
	Attrs map[string]string `json:"attrs"`
}
