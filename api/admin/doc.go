// Package admin is a node's operator API: JSON-RPC 2.0 over HTTP, on a
// listener of its own that the node binds to loopback only, and every
// request must carry the node's admin token (Authorization: Bearer
// <token>, the token read from a file in the node's home that only its
// owner can read).
//
// It holds what a merchant configures on its own node and must never be
// reachable from the public RPC port: webhook endpoints (their secrets)
// and the delivery log. Methods:
//
//	admin_addWebhook(spec)                       webhook.Endpoint (with its secret, the only time)
//	admin_webhooks()                             []webhook.Endpoint (no secrets)
//	admin_removeWebhook(id)                      true
//	admin_webhookDeliveries(id, [cursor], [limit]) webhook.Page, newest first
//	admin_webhookDelivery(id, event)             webhook.Delivery (with the body)
//	admin_redeliver(id, event)                   true
//
// The client package's Admin speaks it; `accord webhook` drives it.
package admin
