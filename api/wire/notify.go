package wire

import "encoding/json"

// Subscription methods and the notification method (see package api's
// doc.go for the protocol).
const (
	MethodSubscribe    = "accord_subscribe"
	MethodUnsubscribe  = "accord_unsubscribe"
	MethodNotification = "accord_subscription"
)

// CodeSubscriptionDropped ends a subscription whose consumer fell behind
// (or that the node closed): resubscribe from the last cursor received.
const CodeSubscriptionDropped = -32006

// Notification is a JSON-RPC notification (a request without an id); the
// node sends accord_subscription ones.
type Notification[P any] struct {
	JSONRPC string `json:"jsonrpc"`
	Method  string `json:"method"`
	Params  P      `json:"params"`
}

// SubscriptionParams is the params of an accord_subscription
// notification: a result, or (last of a subscription) an error saying why
// the node ended it.
type SubscriptionParams struct {
	Subscription string          `json:"subscription"`
	Result       json.RawMessage `json:"result,omitempty"`
	Error        *Error          `json:"error,omitempty"`
}
