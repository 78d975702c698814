package oracle

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
)

// RateView is one currency's rate as accord_getRates reports it.
type RateView struct {
	Currency string `json:"currency"`
	Decimals uint8  `json:"decimals"` // of the currency's minor unit
	// Status is "ok" (Rate is the median of fresh posts), "stale" (fewer
	// than min_posts fresh posts: orders in this currency are refused) or
	// "none" (no current oracle ever posted).
	Status      string `json:"status"`
	Rate        string `json:"rate,omitempty"` // fiat per USDT, decimal
	RateE8      uint64 `json:"rate_e8,omitempty"`
	Posts       int    `json:"posts"`       // by accounts that hold the oracle role
	FreshPosts  int    `json:"fresh_posts"` // of them, younger than max_rate_age_ms
	UpdatedAtMs uint64 `json:"updated_at_ms,omitempty"`
	AgeMs       uint64 `json:"age_ms,omitempty"` // block time minus the newest post
}

// RatesView is every supported currency's rate (accord_getRates).
type RatesView struct {
	BlockTimeMs  uint64     `json:"block_time_ms"`
	MaxRateAgeMs uint64     `json:"max_rate_age_ms"`
	MinPosts     uint64     `json:"min_posts"`
	Rates        []RateView `json:"rates"`
}

var _ core.Querier = Module{}

// Queries implements core.Querier: accord_getRates() RatesView, read at
// the last block's time.
func (m Module) Queries() []core.Query {
	return []core.Query{{Method: "accord_getRates", Doc: "() RatesView: every currency's rate in force", Handle: m.queryRates}}
}

func (m Module) queryRates(q core.QueryState, params json.RawMessage) (any, error) {
	var args []json.RawMessage
	if len(params) > 0 && string(params) != "null" {
		if err := json.Unmarshal(params, &args); err != nil || len(args) > 0 {
			return nil, fmt.Errorf("%w: accord_getRates takes no params", core.ErrInvalidQuery)
		}
	}
	st, now := q.Store, q.Time
	maxAge := m.MaxRateAge(st)
	out := RatesView{BlockTimeMs: now, MaxRateAgeMs: maxAge, MinPosts: m.MinPosts(st)}
	for _, c := range Currencies() {
		r := RateView{Currency: c.Code, Decimals: c.Decimals, Status: "none"}
		for _, post := range m.Posts(st, c.Code) {
			if !m.gov().HasRole(st, post.Oracle, gov.RoleOracle) {
				continue
			}
			r.Posts++
			if post.PostedAt >= now || now-post.PostedAt < maxAge {
				r.FreshPosts++
			}
			r.UpdatedAtMs = max(r.UpdatedAtMs, post.PostedAt)
		}
		if r.Posts > 0 {
			if now > r.UpdatedAtMs {
				r.AgeMs = now - r.UpdatedAtMs
			}
			rate, err := m.Rate(st, c.Code, now)
			switch {
			case err == nil:
				r.Status, r.Rate, r.RateE8 = "ok", rate.String(), uint64(rate)
			case errors.Is(err, ErrStaleRate):
				r.Status = "stale"
			}
		}
		out.Rates = append(out.Rates, r)
	}
	return out, nil
}
