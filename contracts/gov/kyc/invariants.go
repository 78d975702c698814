package kyc

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// AttestationInvariant: every attestation decodes under a full address key
// and is well formed (level >= 1, country shape, record hash set, provider
// set, attested before it expires, revocation fields set iff revoked).
func (Keeper) AttestationInvariant(st state.Store) (string, bool) {
	var msg string
	st.Iterate(prefixAttestation, state.PrefixEnd(prefixAttestation), false, func(key, v []byte) bool {
		var att Attestation
		fail := func(why string) bool {
			msg = fmt.Sprintf("kyc attestation %x: %s", key[len(prefixAttestation):], why)
			return false
		}
		if len(key) != len(prefixAttestation)+len(att.Account) {
			return fail("malformed key")
		}
		if err := core.Decode(v, &att); err != nil {
			return fail(err.Error())
		}
		switch {
		case att.Level == 0:
			return fail("level 0")
		case CheckCountry(att.Country) != nil:
			return fail("bad country " + att.Country)
		case att.RecordHash == (types.Hash{}):
			return fail("no record hash")
		case att.Provider == (types.Address{}):
			return fail("no provider")
		case att.AttestedAt >= att.ExpiresAt:
			return fail("expires before it was attested")
		case att.Revoked != (att.RevokedBy != types.Address{}):
			return fail("revocation fields inconsistent")
		}
		return true
	})
	return msg, msg != ""
}
