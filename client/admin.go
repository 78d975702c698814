package client

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// Admin talks to a node's admin API (package api/admin): a loopback-only
// listener whose every call carries the node's admin token. It registers
// webhook endpoints and reads their delivery log.
type Admin struct {
	c *Client
}

// NewAdmin returns an admin client for url (the admin address in the
// node's listen file) and token (the node's admin token file's content).
func NewAdmin(url, token string) *Admin {
	c := New(url)
	c.HTTP = &http.Client{Timeout: 30 * time.Second, Transport: bearer{token: token, next: transport}}
	return &Admin{c: c}
}

// ReadAdminToken reads a token file, trimming the trailing newline.
func ReadAdminToken(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("admin token: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

type bearer struct {
	token string
	next  http.RoundTripper
}

func (b bearer) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("Authorization", "Bearer "+b.token)
	return b.next.RoundTrip(r)
}

// WebhookSpec registers an endpoint: deliveries go to URL, signed with
// Secret (at least 16 bytes; empty: the node generates one and returns it
// once). Types (exact event types, e.g. "order.paid") and Merchants
// (addresses) filter the events; empty means all.
type WebhookSpec struct {
	URL       string   `json:"url"`
	Secret    string   `json:"secret,omitempty"`
	Types     []string `json:"types,omitempty"`
	Merchants []string `json:"merchants,omitempty"`
}

// WebhookEndpoint is a registered endpoint; Secret is set only in
// AddWebhook's answer.
type WebhookEndpoint struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"`
	Types     []string  `json:"types,omitempty"`
	Merchants []string  `json:"merchants,omitempty"`
	Created   time.Time `json:"created"`
}

// WebhookAttempt is one HTTP attempt of a delivery.
type WebhookAttempt struct {
	N        int           `json:"n"`
	At       time.Time     `json:"at"`
	Status   int           `json:"status,omitempty"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration"`
}

// WebhookDelivery is one event's record for one endpoint. State is
// pending, delivered, failed (retry window over) or dropped (the queue was
// full at the time).
type WebhookDelivery struct {
	EndpointID  string           `json:"endpoint"`
	EventID     string           `json:"event"`
	EventType   string           `json:"type"`
	Seq         uint64           `json:"seq"`
	State       string           `json:"state"`
	Created     time.Time        `json:"created"`
	WindowStart time.Time        `json:"window_start"`
	NextAt      time.Time        `json:"next_at,omitzero"`
	DeliveredAt time.Time        `json:"delivered_at,omitzero"`
	Attempts    int              `json:"attempts"`
	Recent      []WebhookAttempt `json:"recent,omitempty"`
	Body        []byte           `json:"body,omitempty"`
}

// WebhookPage is a page of the delivery log, newest first; Next is the
// cursor of the following page ("" on the last).
type WebhookPage struct {
	Deliveries []WebhookDelivery `json:"deliveries"`
	Next       string            `json:"next,omitempty"`
}

// AddWebhook registers an endpoint and returns it with its secret.
func (a *Admin) AddWebhook(ctx context.Context, spec WebhookSpec) (*WebhookEndpoint, error) {
	var ep WebhookEndpoint
	return &ep, a.c.Call(ctx, "admin_addWebhook", &ep, spec)
}

// Webhooks lists the registered endpoints (without secrets).
func (a *Admin) Webhooks(ctx context.Context) ([]WebhookEndpoint, error) {
	var eps []WebhookEndpoint
	return eps, a.c.Call(ctx, "admin_webhooks", &eps)
}

// RemoveWebhook unregisters an endpoint and forgets its deliveries.
func (a *Admin) RemoveWebhook(ctx context.Context, id string) error {
	return a.c.Call(ctx, "admin_removeWebhook", nil, id)
}

// Deliveries returns a page of an endpoint's delivery log from cursor (""
// for the newest), limit records (0: 50; at most 500).
func (a *Admin) Deliveries(ctx context.Context, id, cursor string, limit int) (*WebhookPage, error) {
	var p WebhookPage
	return &p, a.c.Call(ctx, "admin_webhookDeliveries", &p, id, cursor, limit)
}

// Delivery returns one event's record for an endpoint, body included.
func (a *Admin) Delivery(ctx context.Context, id, eventID string) (*WebhookDelivery, error) {
	var d WebhookDelivery
	return &d, a.c.Call(ctx, "admin_webhookDelivery", &d, id, eventID)
}

// Redeliver queues an event for an endpoint again, due now.
func (a *Admin) Redeliver(ctx context.Context, id, eventID string) error {
	return a.c.Call(ctx, "admin_redeliver", nil, id, eventID)
}
