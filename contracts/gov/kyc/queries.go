package kyc

// The module's API query (core.Querier): accord_getKYC(addr) View, an
// account's attestation and whether it is valid at the last block's time.

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

var _ core.Querier = Module{}

// QueryMethod reads one account's attestation.
const QueryMethod = "accord_getKYC"

// View is an account's attestation and whether it is valid now.
type View struct {
	Account string `json:"account"`
	// Status is "valid", "revoked", "provider_revoked" (the attesting
	// provider lost its role) or "expired".
	Status          string `json:"status"`
	Valid           bool   `json:"valid"`
	Level           uint8  `json:"level"`
	Country         string `json:"country"`
	RecordHash      string `json:"record_hash"`
	Provider        string `json:"provider"`
	AttestedAtMs    uint64 `json:"attested_at_ms"`
	ExpiresAtMs     uint64 `json:"expires_at_ms"`
	OrderLimit      string `json:"order_limit"` // largest order at this level
	OrderLimitMicro uint64 `json:"order_limit_micro"`
	RevokedBy       string `json:"revoked_by,omitempty"`
	RevokedAtMs     uint64 `json:"revoked_at_ms,omitempty"`
	Reason          string `json:"reason,omitempty"`
}

// NewView is att's view; err is KYCValid's verdict now, limit the order
// limit of its level.
func NewView(att Attestation, err error, limit uint64) View {
	v := View{Account: att.Account.Hex(), Status: "valid", Valid: err == nil, Level: att.Level, Country: att.Country,
		RecordHash: att.RecordHash.Hex(), Provider: att.Provider.Hex(), AttestedAtMs: att.AttestedAt, ExpiresAtMs: att.ExpiresAt,
		OrderLimit: types.FormatUSDT(limit), OrderLimitMicro: limit, Reason: att.Reason}
	switch {
	case errors.Is(err, ErrKYCProviderRevoked):
		v.Status = "provider_revoked"
	case errors.Is(err, ErrKYCRevoked):
		v.Status = "revoked"
	case errors.Is(err, ErrKYCExpired):
		v.Status = "expired"
	case err != nil:
		v.Status = "invalid"
	}
	if att.Revoked {
		v.RevokedBy, v.RevokedAtMs = att.RevokedBy.Hex(), att.RevokedAt
	}
	return v
}

// Queries implements core.Querier.
func (m Module) Queries() []core.Query {
	return []core.Query{{Method: QueryMethod, Doc: "(addr) View: an account's KYC attestation and whether it is valid now", Handle: m.queryKYC}}
}

func (m Module) queryKYC(q core.QueryState, p json.RawMessage) (any, error) {
	var s string
	if err := core.DecodeParams(QueryMethod, p, 1, &s); err != nil {
		return nil, err
	}
	a, err := types.ParseAddress(s)
	if err != nil {
		return nil, core.Invalid(err)
	}
	att, ok := m.KYC(q.Store, a)
	if !ok {
		return nil, core.NotFound(fmt.Errorf("%s: %w", a.Hex(), ErrNoKYC))
	}
	_, verr := m.KYCValid(q.Store, a, q.Time)
	return NewView(att, verr, m.LevelLimit(q.Store, att.Level)), nil
}
