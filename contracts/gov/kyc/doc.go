// Package kyc holds KYC attestations: a KYC provider (gov role
// kyc_provider) attests an account with a level, an expiry in block time, a
// country (ISO 3166-1 alpha-2) and the hash of the off-chain record; the
// attesting provider or a compliance officer revokes it.
//
// Other modules call Keeper.KYCValid(st, account, ctx.Block.Time), which
// fails with ErrNoKYC, ErrKYCRevoked (also when the attesting provider has
// since lost its role: ErrKYCProviderRevoked wraps ErrKYCRevoked) or
// ErrKYCExpired, and Keeper.LevelLimit(st, level), the largest order in
// micro-USDT at that level (level 0 = no KYC = 0).
//
// RecordHash is the hash of the provider's off-chain record of the subject
// (the person or company), not of the account: a provider attesting several
// accounts of one subject from one record gives them the same RecordHash,
// and the acceptor module uses that to recognise linked accounts. Providers
// must salt the hash with a per-subject secret so it cannot be brute-forced
// from guessable personal data.
//
// A new attestation of an account replaces the previous one, revoked or
// not. A provider cannot attest itself. Levels run from 1 to max_level.
//
// Parameters (module "kyc" in gov's parameter store): max_level (default
// 3), max_validity_ms (default two years), level_limit.N in micro-USDT
// (defaults: level 1 1 000 USDT, 2 10 000 USDT, 3 100 000 USDT).
//
// Register the module after gov. Genesis section (all optional; parameters
// set here must not also be set in gov's "params"):
//
//	"kyc": {
//	  "max_level": 3,
//	  "max_validity_ms": 63072000000,
//	  "level_limits": [{"level": 1, "limit": "1000"}, {"level": 2, "limit": "10000"},
//	                   {"level": 3, "limit": "100000"}],
//	  "attestations": [{
//	    "account": "0x9999999999999999999999999999999999999999",
//	    "provider": "0x4444444444444444444444444444444444444444",
//	    "level": 2, "expires_at": 1767225600000, "country": "SG",
//	    "record_hash": "0x0101010101010101010101010101010101010101010101010101010101010101"
//	  }]
//	}
//
// Level limits in the genesis are USDT decimals; stored parameters are
// micro-USDT integers.
package kyc
