package admin

import (
	"encoding/json"
	"errors"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/api/webhook"
)

// WebhookSpec is admin_addWebhook's parameter.
type WebhookSpec struct {
	URL       string   `json:"url"`
	Secret    string   `json:"secret,omitempty"`
	Types     []string `json:"types,omitempty"`
	Merchants []string `json:"merchants,omitempty"`
}

type webhookMethods struct{ h Webhooks }

func (m webhookMethods) add(p json.RawMessage) (any, error) {
	var spec WebhookSpec
	if err := api.Params(p, 1, &spec); err != nil {
		return nil, err
	}
	return m.h.AddEndpoint(webhook.EndpointSpec{URL: spec.URL, Secret: spec.Secret, Types: spec.Types, Merchants: spec.Merchants})
}

func (m webhookMethods) list(p json.RawMessage) (any, error) {
	if err := api.Params(p, 0); err != nil {
		return nil, err
	}
	eps := m.h.Endpoints()
	for i := range eps {
		eps[i].Secret = "" // shown once, by admin_addWebhook
	}
	if eps == nil {
		eps = []webhook.Endpoint{}
	}
	return eps, nil
}

func (m webhookMethods) remove(p json.RawMessage) (any, error) {
	var id string
	if err := api.Params(p, 1, &id); err != nil {
		return nil, err
	}
	if err := m.h.RemoveEndpoint(id); err != nil {
		return nil, err
	}
	return true, nil
}

func (m webhookMethods) deliveries(p json.RawMessage) (any, error) {
	var (
		id, cursor string
		limit      int
	)
	if err := api.Params(p, 1, &id, &cursor, &limit); err != nil {
		return nil, err
	}
	if limit < 0 || limit > webhook.MaxPageSize {
		return nil, api.InvalidParams(errLimit)
	}
	pg, err := m.h.Deliveries(id, cursor, limit)
	if err == nil && pg.Deliveries == nil {
		pg.Deliveries = []webhook.Delivery{}
	}
	return pg, err
}

func (m webhookMethods) delivery(p json.RawMessage) (any, error) {
	var id, ev string
	if err := api.Params(p, 2, &id, &ev); err != nil {
		return nil, err
	}
	return m.h.Delivery(id, ev)
}

func (m webhookMethods) redeliver(p json.RawMessage) (any, error) {
	var id, ev string
	if err := api.Params(p, 2, &id, &ev); err != nil {
		return nil, err
	}
	if err := m.h.Redeliver(id, ev); err != nil {
		return nil, err
	}
	return true, nil
}

var errLimit = errors.New("limit must be between 0 (the default, 50) and 500")
