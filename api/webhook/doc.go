// Package webhook delivers a node's committed events to merchant endpoints
// over signed HTTP POSTs, at least once.
//
// An Engine keeps everything in a kv.DB (the node's own store, under a key
// prefix): the registered endpoints, one delivery record per (endpoint,
// event), and the retry queue. Every state change is one atomic batch, so a
// node that stops at any moment loses no pending delivery: on Open the
// deliveries that are due are sent, the others wait for their time.
//
// The node feeds events with Publish; each one is matched against every
// endpoint's filter (event types, merchant addresses) and queued for the
// endpoints that want it. Publishing the same event ID again is a no-op, so
// the node may re-feed a block it is unsure it fed.
//
// A delivery is a POST of the JSON envelope (client.WebhookEvent) with the
// headers Accord-Event-Id, Accord-Event-Type, Accord-Timestamp and
// Accord-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">, the
// timestamp being the attempt's. Receivers check it with
// client.VerifyWebhook. A 2xx answer acknowledges the event; anything else
// (a refused connection, a timeout, a redirect, any other status) is retried
// after Retry.Delays (10 s, 1 min, 5 min, ... by default) until Retry.MaxAge
// (3 days) has passed since the event was queued; then the delivery is
// marked failed and can be re-sent with Redeliver. Deliveries are not
// ordered: a receiver that cares orders by the envelope's height.
//
// Bounds: at most Config.Workers deliveries run at once and
// Config.MaxInflightPerEndpoint per endpoint, so one slow receiver cannot
// starve the others; at most Config.MaxPendingPerEndpoint deliveries wait
// per endpoint. An event over that bound is not queued: it is recorded as
// "dropped" (visible in the delivery log, counted in
// accord_webhook_deliveries_total{result="dropped"}) and can be re-sent
// with Redeliver once the receiver catches up. The log keeps the last
// Config.MaxLogPerEndpoint records per endpoint; older finished records are
// pruned, and an event whose record was pruned is no longer de-duplicated.
//
// Time and HTTP come in through Config.Clock and Config.HTTP, so tests run
// the schedule on a fake clock with no sleeps.
//
// Wiring in a node: open a kv.DB of its own (e.g. <home>/data/webhook, so
// nothing here mixes with the ledger's keyspace), Open an Engine on it with
// the node's Prometheus registry, call PublishBlock(height, events) once per
// committed block, after the block is durable, with that block's order
// events (ID from EventID(height, txIndex, eventIndex)); at start-up, feed
// every block from FedHeight()+1 to the tip (a re-fed event is skipped). Expose AddEndpoint, Endpoints, RemoveEndpoint,
// Deliveries, Delivery and Redeliver on an admin RPC bound to localhost.
// Close the engine before the store.
package webhook
