package kyc

import (
	"errors"
	"fmt"
)

// Sentinel errors; callers test with errors.Is.
var (
	ErrNoKYC      = errors.New("account has no KYC attestation")
	ErrKYCExpired = errors.New("KYC attestation expired")
	ErrKYCRevoked = errors.New("KYC attestation revoked")
	// ErrKYCProviderRevoked wraps ErrKYCRevoked: the provider that attested
	// the account no longer holds the KYC provider role, so its
	// attestations no longer count.
	ErrKYCProviderRevoked = fmt.Errorf("%w: its provider no longer holds the kyc_provider role", ErrKYCRevoked)
	ErrNotKYCProvider     = errors.New("sender is not a KYC provider")
	ErrNotAuthorized      = errors.New("sender may not revoke this attestation (its provider or a compliance officer may)")
	ErrSelfAttest         = errors.New("a KYC provider cannot attest its own account")
	ErrBadLevel           = errors.New("invalid KYC level")
	ErrBadExpiry          = errors.New("invalid KYC expiry")
	ErrBadCountry         = errors.New("country must be an ISO 3166-1 alpha-2 code (two capital letters)")
	ErrBadRecordHash      = errors.New("record hash must be set")
	ErrZeroAddress        = errors.New("zero address")
	ErrReasonTooLong      = errors.New("revocation reason too long")
	ErrBadGenesis         = errors.New("invalid kyc genesis")
)
