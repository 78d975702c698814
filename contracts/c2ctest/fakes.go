package c2ctest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strconv"

	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// The fakes keep their data in the state store (under "c2ctest/"), so they
// roll back with a failed transaction and survive a ledger commit exactly
// like the real gov, kyc, oracle and risk keepers they stand in for.
var (
	prefixParam  = []byte("c2ctest/param/")
	prefixKYC    = []byte("c2ctest/kyc/")
	prefixRate   = []byte("c2ctest/rate/")
	prefixFrozen = []byte("c2ctest/frozen/")
	keyMaxAge    = []byte("c2ctest/rate_max_age")
)

func cat(parts ...[]byte) []byte {
	var k []byte
	for _, p := range parts {
		k = append(k, p...)
	}
	return k
}

// Params is gov's generic parameter store: module/key → canonical decimal.
type Params struct{}

// ParamUint64 implements acceptor.ParamStore.
func (Params) ParamUint64(st state.Store, module, key string, def uint64) uint64 {
	v, ok := st.Get(cat(prefixParam, []byte(module+"/"+key)))
	if !ok {
		return def
	}
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil {
		return def
	}
	return n
}

// SetParam implements acceptor.ParamStore.
func (Params) SetParam(st state.Store, module, key string, value []byte) error {
	st.Set(cat(prefixParam, []byte(module+"/"+key)), append([]byte(nil), value...))
	return nil
}

// SetUint64 sets one parameter.
func (p Params) SetUint64(st state.Store, module, key string, v uint64) {
	_ = p.SetParam(st, module, key, []byte(strconv.FormatUint(v, 10)))
}

// KYC is a KYC registry: identity, level and expiry per account.
type KYC struct{}

// Attest records an attestation (level 0 revokes).
func (KYC) Attest(st state.Store, a types.Address, identity types.Hash, level uint8, expiresAt uint64) {
	if level == 0 {
		st.Delete(cat(prefixKYC, a[:]))
		return
	}
	v := make([]byte, 0, 41)
	v = append(v, identity[:]...)
	v = append(v, level)
	v = binary.BigEndian.AppendUint64(v, expiresAt)
	st.Set(cat(prefixKYC, a[:]), v)
}

// Revoke removes a's attestation.
func (KYC) Revoke(st state.Store, a types.Address) { st.Delete(cat(prefixKYC, a[:])) }

// KYC implements acceptor.KYCKeeper.
func (KYC) KYC(st state.Store, a types.Address, now uint64) (acceptor.KYCInfo, bool) {
	v, ok := st.Get(cat(prefixKYC, a[:]))
	if !ok || len(v) != 41 {
		return acceptor.KYCInfo{}, false
	}
	if now >= binary.BigEndian.Uint64(v[33:]) {
		return acceptor.KYCInfo{}, false
	}
	return acceptor.KYCInfo{Identity: types.Hash(v[:32]), Level: v[32]}, true
}

// ErrStaleRate is the fake oracle's refusal.
var ErrStaleRate = errors.New("no fresh rate")

// Rates is an oracle: one rate per currency (USDT per major unit × 1e8),
// the currency's minor-unit digits and the time it was posted; a rate is
// fresh for the max age set with SetMaxAge.
type Rates struct{}

// SetMaxAge sets how long a posted rate stays fresh (ms).
func (Rates) SetMaxAge(st state.Store, ms uint64) {
	st.Set(keyMaxAge, binary.BigEndian.AppendUint64(nil, ms))
}

// Post records a rate for currency at block time now.
func (Rates) Post(st state.Store, currency string, rateE8 uint64, digits uint8, now uint64) {
	v := binary.BigEndian.AppendUint64(nil, rateE8)
	v = append(v, digits)
	v = binary.BigEndian.AppendUint64(v, now)
	st.Set(cat(prefixRate, []byte(currency)), v)
}

// IsSupported implements acceptor.CurrencySet: a currency with a posted rate.
func (Rates) IsSupported(st state.Store, code string) bool {
	return st.Has(cat(prefixRate, []byte(code)))
}

var pow10 = [...]uint64{1, 10, 100, 1000, 10000}

// ToMicroUSDT implements order.RateKeeper:
// minor × rateE8 × 10⁶ / (10⁸ × 10^digits), rounded down.
func (Rates) ToMicroUSDT(st state.Store, now uint64, currency string, minor uint64) (uint64, error) {
	v, ok := st.Get(cat(prefixRate, []byte(currency)))
	if !ok || len(v) != 17 {
		return 0, fmt.Errorf("%s: %w (no rate)", currency, ErrStaleRate)
	}
	var maxAge uint64
	if m, ok := st.Get(keyMaxAge); ok && len(m) == 8 {
		maxAge = binary.BigEndian.Uint64(m)
	}
	posted := binary.BigEndian.Uint64(v[9:])
	if now > posted && now-posted > maxAge {
		return 0, fmt.Errorf("%s: posted at %d, now %d: %w", currency, posted, now, ErrStaleRate)
	}
	d := v[8]
	if int(d) >= len(pow10) {
		return 0, fmt.Errorf("%s: %d digits", currency, d)
	}
	return types.MulDiv(minor, binary.BigEndian.Uint64(v[:8]), 100*pow10[d])
}

// Freezer is the risk module's frozen-account set.
type Freezer struct{}

// Freeze marks a frozen (or not).
func (Freezer) Freeze(st state.Store, a types.Address, frozen bool) {
	if frozen {
		st.Set(cat(prefixFrozen, a[:]), []byte{1})
	} else {
		st.Delete(cat(prefixFrozen, a[:]))
	}
}

// IsFrozen implements acceptor.Freezer.
func (Freezer) IsFrozen(st state.Store, a types.Address) bool { return st.Has(cat(prefixFrozen, a[:])) }
