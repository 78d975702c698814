package views

// Shapes of the subscription stream (accord_subscribe over /ws).

// Cursor is a position in the chain's event stream: a block height and an
// event index within the block. A block's events are numbered from 0: first
// those of its timer processing (BeginBlock), then each transaction's in
// block order. A block itself (topic newBlocks) sits at index 0. Index -1
// names the point before a block's first event, so from
// {"height": H, "index": -1} includes block H.
type Cursor struct {
	Height uint64 `json:"height"`
	Index  int    `json:"index"`
}

// After reports whether c comes strictly after o.
func (c Cursor) After(o Cursor) bool {
	return c.Height > o.Height || (c.Height == o.Height && c.Index > o.Index)
}

// Subscription topics.
const (
	TopicNewBlocks   = "newBlocks"
	TopicOrders      = "orders"
	TopicAssignments = "assignments"
	TopicDisputes    = "disputes"
	TopicRisk        = "risk"
	TopicEvents      = "events"
)

// Topics lists the subscription topics.
var Topics = []string{TopicNewBlocks, TopicOrders, TopicAssignments, TopicDisputes, TopicRisk, TopicEvents}

// Subscribe is accord_subscribe's parameter: a topic, the topic's filters
// and, to resume, the last cursor received (delivery restarts strictly
// after it; without it, with the next committed block).
type Subscribe struct {
	Topic    string  `json:"topic"`
	Merchant string  `json:"merchant,omitempty"` // orders: one merchant's
	Acceptor string  `json:"acceptor,omitempty"` // assignments: one acceptor's
	Account  string  `json:"account,omitempty"`  // risk: one account's
	Module   string  `json:"module,omitempty"`   // events: one module's (the event type's prefix)
	Type     string  `json:"type,omitempty"`     // events: one event type ("order.locked")
	From     *Cursor `json:"from,omitempty"`
}

// BlockNote is a newBlocks notification's result: the block as
// accord_getBlockByHeight returns it.
type BlockNote struct {
	Cursor Cursor `json:"cursor"`
	Block  Block  `json:"block"`
}

// EventNote is the result of a notification of every other topic: one
// committed event, with where it happened.
type EventNote struct {
	Cursor Cursor            `json:"cursor"`
	TimeMs uint64            `json:"time_ms"`           // block time
	TxHash string            `json:"tx_hash,omitempty"` // empty for the block's timer events
	Module string            `json:"module"`
	Type   string            `json:"type"`
	Attrs  map[string]string `json:"attrs"`
}
