// Package oracle holds fiat exchange rates for the 23 supported ISO 4217
// currencies (Currencies). Accounts with gov's oracle role post rates with
// MsgPostRates (TypePostRates); each oracle's latest post per currency is
// kept, stamped with the block time.
//
// The rate in force (Keeper.Rate) is the median of the posts younger than
// max_rate_age_ms (default 10 min of block time) by accounts that still hold
// the oracle role, taken over the posts in oracle-address order and sorted by
// value; with an even count it is the mean of the two middle rates rounded
// down (lo + (hi−lo)/2). Fewer than min_posts (default 1) fresh posts give
// ErrStaleRate; no post at all gives ErrNoRate.
//
// Units: a rate is RateE8, fiat units × 10^8 per 1 USDT. A fiat amount is an
// integer in the currency's minor unit: 2 decimals for most currencies
// (USD 12.34 = 1234), 0 for JPY, KRW, VND and IDR (JPY 1234 = 1234). USDT
// amounts are micro-USDT. FiatToMicroUSDT computes
// minor × 10^(14 − decimals) / rate on 128 bits with types.MulDiv, rounding
// down; no floats anywhere.
//
// Register the module after gov. Genesis section (all optional; parameters
// set here must not also be set in gov's "params"):
//
//	"oracle": {
//	  "max_rate_age_ms": 600000,
//	  "min_posts": 1,
//	  "rates": [
//	    {"oracle": "0x6666666666666666666666666666666666666666", "currency": "USD", "rate": "1"},
//	    {"oracle": "0x6666666666666666666666666666666666666666", "currency": "CNY", "rate": "7.1234"}
//	  ]
//	}
//
// Initial rates are stamped with the genesis time, so they go stale
// max_rate_age_ms later like any post.
package oracle
