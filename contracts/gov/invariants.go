package gov

import (
	"encoding/binary"
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Invariants runs every gov invariant; it returns the first broken one's
// message and true, or "" and false.
func (k Keeper) Invariants(st state.Store) (string, bool) {
	for _, inv := range []func(state.Store) (string, bool){k.AdminInvariant, k.RoleInvariant, k.ProposalInvariant} {
		if msg, broken := inv(st); broken {
			return msg, true
		}
	}
	return "", false
}

// AdminInvariant: 1 <= threshold <= admins <= MaxAdmins.
func (k Keeper) AdminInvariant(st state.Store) (string, bool) {
	if err := k.checkAdminSet(st); err != nil {
		return "gov admins: " + err.Error(), true
	}
	return "", false
}

// RoleInvariant: every role record names a valid role and a full address.
func (k Keeper) RoleInvariant(st state.Store) (string, bool) {
	var msg string
	st.Iterate(prefixRole, state.PrefixEnd(prefixRole), false, func(key, _ []byte) bool {
		rest := key[len(prefixRole):]
		if len(rest) != 1+20 || !Role(rest[0]).Valid() {
			msg = fmt.Sprintf("gov roles: malformed key %x", key)
			return false
		}
		return true
	})
	return msg, msg != ""
}

// ProposalInvariant: every open proposal decodes, has an id below the next
// id, 1 <= approvals < threshold (it would have executed otherwise), all
// approvals distinct and by current admins with the proposer's first, and
// an expiry index entry; the index names only open proposals; each
// proposer's open count matches.
func (k Keeper) ProposalInvariant(st state.Store) (string, bool) {
	var msg string
	fail := func(format string, args ...any) bool {
		msg = "gov proposals: " + fmt.Sprintf(format, args...)
		return false
	}
	thr, next := k.Threshold(st), k.nextID(st)
	counts := map[types.Address]uint64{} // looked up only, never iterated
	var proposers []types.Address
	var props []uint64
	st.Iterate(prefixProposal, state.PrefixEnd(prefixProposal), false, func(key, v []byte) bool {
		var p Proposal
		if err := core.Decode(v, &p); err != nil {
			return fail("%x: %v", key, err)
		}
		if len(key) != len(prefixProposal)+8 || binary.BigEndian.Uint64(key[len(prefixProposal):]) != p.ID {
			return fail("proposal %d stored under %x", p.ID, key)
		}
		if p.ID == 0 || p.ID >= next {
			return fail("proposal %d, next id %d", p.ID, next)
		}
		n := uint64(len(p.Approvals))
		if n == 0 || n >= thr {
			return fail("proposal %d has %d approvals, threshold %d", p.ID, n, thr)
		}
		if p.Approvals[0] != p.Proposer {
			return fail("proposal %d: first approval is not the proposer's", p.ID)
		}
		for i, a := range p.Approvals {
			if !k.IsAdmin(st, a) {
				return fail("proposal %d approved by non-admin %s", p.ID, a.Hex())
			}
			for _, b := range p.Approvals[:i] {
				if a == b {
					return fail("proposal %d approved twice by %s", p.ID, a.Hex())
				}
			}
		}
		if !st.Has(expiryKey(p.ExpiresAt, p.ID)) {
			return fail("proposal %d missing from the expiry index", p.ID)
		}
		if _, seen := counts[p.Proposer]; !seen {
			proposers = append(proposers, p.Proposer)
		}
		counts[p.Proposer]++
		props = append(props, p.ID)
		return true
	})
	if msg != "" {
		return msg, true
	}
	indexed := 0
	st.Iterate(prefixExpiry, state.PrefixEnd(prefixExpiry), false, func(key, _ []byte) bool {
		if len(key) != len(prefixExpiry)+16 {
			return fail("malformed expiry key %x", key)
		}
		at, id := binary.BigEndian.Uint64(key[len(prefixExpiry):]), binary.BigEndian.Uint64(key[len(prefixExpiry)+8:])
		p, ok := k.Proposal(st, id)
		if !ok || p.ExpiresAt != at {
			return fail("expiry index entry (%d, %d) names no open proposal", at, id)
		}
		indexed++
		return true
	})
	if msg != "" {
		return msg, true
	}
	if indexed != len(props) {
		return fmt.Sprintf("gov proposals: %d open, %d indexed", len(props), indexed), true
	}
	stored := 0
	st.Iterate(prefixOpen, state.PrefixEnd(prefixOpen), false, func(key, v []byte) bool {
		var a types.Address
		if len(key) != len(prefixOpen)+len(a) || len(v) != 8 {
			return fail("malformed open count %x", key)
		}
		copy(a[:], key[len(prefixOpen):])
		if got, want := binary.BigEndian.Uint64(v), counts[a]; got != want {
			return fail("%s open count %d, has %d open", a.Hex(), got, want)
		}
		stored++
		return true
	})
	if msg != "" {
		return msg, true
	}
	if stored != len(proposers) {
		return fmt.Sprintf("gov proposals: %d proposers with open proposals, %d counts stored", len(proposers), stored), true
	}
	return "", false
}
