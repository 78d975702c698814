package kyc

// Event types emitted by kyc.
const (
	EventAttested = "kyc.attested" // account, provider, level, expires_at, country, record_hash
	EventRevoked  = "kyc.revoked"  // account, by, reason
)
