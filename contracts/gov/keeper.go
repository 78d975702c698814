package gov

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
)

// Store layout. Addresses and ids are fixed-width, so iterating a prefix
// walks members in address order and proposals in id order.
var (
	keyThreshold   = []byte("gov/threshold")     // 8-byte k
	keyNextID      = []byte("gov/next_proposal") // 8-byte next proposal id (absent: 1)
	prefixAdmin    = []byte("gov/admin/")        // + addr -> {1}
	prefixRole     = []byte("gov/role/")         // + role byte + addr -> {1}
	prefixParam    = []byte("gov/param/")        // + module "/" key -> value
	prefixProposal = []byte("gov/prop/")         // + id -> RLP Proposal (open proposals only)
	prefixExpiry   = []byte("gov/exp/")          // + expires_at + id -> {} (index of open proposals)
	prefixOpen     = []byte("gov/open/")         // + proposer addr -> 8-byte count of open proposals
)

// Proposal is an open proposal. Executed, cancelled and expired proposals
// are deleted; their history is in the events.
type Proposal struct {
	ID        uint64
	Proposer  types.Address
	Actions   []Action
	Memo      string
	CreatedAt uint64          // block time, ms
	ExpiresAt uint64          // block time, ms: approvals at or after it are refused
	Approvals []types.Address // in approval order; the proposer's first
}

// Approved reports whether a has approved p.
func (p *Proposal) Approved(a types.Address) bool {
	for _, x := range p.Approvals {
		if x == a {
			return true
		}
	}
	return false
}

// Keeper reads and writes gov state. It holds no state of its own; the zero
// value is ready to use.
type Keeper struct{}

func be64(v uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, v)
	return b
}

func getU64(st state.Store, key []byte) (uint64, bool) {
	v, ok := st.Get(key)
	if !ok || len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

var present = []byte{1}

func adminKey(a types.Address) []byte        { return slices.Concat(prefixAdmin, a[:]) }
func rolePrefix(r Role) []byte               { return slices.Concat(prefixRole, []byte{byte(r)}) }
func roleKey(a types.Address, r Role) []byte { return slices.Concat(rolePrefix(r), a[:]) }
func paramKey(module, key string) []byte     { return slices.Concat(prefixParam, []byte(module+"/"+key)) }
func proposalKey(id uint64) []byte           { return slices.Concat(prefixProposal, be64(id)) }
func expiryKey(at, id uint64) []byte         { return slices.Concat(prefixExpiry, be64(at), be64(id)) }
func openKey(a types.Address) []byte         { return slices.Concat(prefixOpen, a[:]) }

func addrsUnder(st state.Store, prefix []byte) []types.Address {
	var out []types.Address
	st.Iterate(prefix, state.PrefixEnd(prefix), false, func(k, _ []byte) bool {
		var a types.Address
		if len(k) == len(prefix)+len(a) {
			copy(a[:], k[len(prefix):])
			out = append(out, a)
		}
		return true
	})
	return out
}

// IsAdmin reports whether a is a member of the admin multisig.
func (Keeper) IsAdmin(st state.Store, a types.Address) bool { return st.Has(adminKey(a)) }

// Admins returns the admin multisig's members in ascending address order.
func (Keeper) Admins(st state.Store) []types.Address { return addrsUnder(st, prefixAdmin) }

// Threshold returns k, the approvals a proposal needs to execute.
func (Keeper) Threshold(st state.Store) uint64 {
	k, _ := getU64(st, keyThreshold)
	return k
}

// HasRole reports whether a currently holds role r.
func (Keeper) HasRole(st state.Store, a types.Address, r Role) bool {
	return r.Valid() && st.Has(roleKey(a, r))
}

// Members returns the holders of role r in ascending address order (nil for
// an invalid role). The order is the store's key order, never map order.
func (Keeper) Members(st state.Store, r Role) []types.Address {
	if !r.Valid() {
		return nil
	}
	return addrsUnder(st, rolePrefix(r))
}

// RolesOf returns the roles a holds, ascending.
func (k Keeper) RolesOf(st state.Store, a types.Address) []Role {
	var out []Role
	for _, r := range AllRoles() {
		if k.HasRole(st, a, r) {
			out = append(out, r)
		}
	}
	return out
}

// GrantRole gives a the role. Transactions change roles only through
// proposals; this is for genesis (of any module) and tests.
func (k Keeper) GrantRole(st state.Store, a types.Address, r Role) error {
	if err := checkAddrRole(a, r); err != nil {
		return err
	}
	if k.HasRole(st, a, r) {
		return fmt.Errorf("%s %s: %w", a.Hex(), r, ErrRoleAlreadyHeld)
	}
	st.Set(roleKey(a, r), present)
	return nil
}

// RevokeRole takes the role from a (genesis and tests; see GrantRole).
func (k Keeper) RevokeRole(st state.Store, a types.Address, r Role) error {
	if err := CheckRole(r); err != nil {
		return err
	}
	if !k.HasRole(st, a, r) {
		return fmt.Errorf("%s %s: %w", a.Hex(), r, ErrRoleNotHeld)
	}
	st.Delete(roleKey(a, r))
	return nil
}

// Param returns a module parameter as stored, and whether it is set.
func (Keeper) Param(st state.Store, module, key string) ([]byte, bool) {
	return st.Get(paramKey(module, key))
}

// ParamUint64 returns a uint64 parameter, or def if it is unset or not a
// canonical decimal (which a declared ParamSpec prevents).
func (k Keeper) ParamUint64(st state.Store, module, key string, def uint64) uint64 {
	v, ok := k.Param(st, module, key)
	if !ok {
		return def
	}
	n, err := ParseUint64Param(v)
	if err != nil {
		return def
	}
	return n
}

// SetParam writes a parameter after checking its name and size. It is for
// the genesis of the module that owns the parameter; transactions change
// parameters only through proposals (which also check the ParamSpecs).
func (Keeper) SetParam(st state.Store, module, key string, value []byte) error {
	if err := CheckParamName(module, key); err != nil {
		return err
	}
	if len(value) > MaxParamValueLen {
		return fmt.Errorf("%w: %s/%s value of %d bytes", ErrBadParam, module, key, len(value))
	}
	st.Set(paramKey(module, key), append([]byte(nil), value...))
	return nil
}

// Proposal returns an open proposal.
func (Keeper) Proposal(st state.Store, id uint64) (*Proposal, bool) {
	v, ok := st.Get(proposalKey(id))
	if !ok {
		return nil, false
	}
	var p Proposal
	if err := core.Decode(v, &p); err != nil {
		return nil, false
	}
	return &p, true
}

// OpenProposals returns every open proposal in id order.
func (Keeper) OpenProposals(st state.Store) []*Proposal {
	var out []*Proposal
	st.Iterate(prefixProposal, state.PrefixEnd(prefixProposal), false, func(_, v []byte) bool {
		var p Proposal
		if core.Decode(v, &p) == nil {
			out = append(out, &p)
		}
		return true
	})
	return out
}

// OpenCount is the number of open proposals a made.
func (Keeper) OpenCount(st state.Store, a types.Address) uint64 {
	n, _ := getU64(st, openKey(a))
	return n
}

func (k Keeper) setOpenCount(st state.Store, a types.Address, n uint64) {
	if n == 0 {
		st.Delete(openKey(a))
		return
	}
	st.Set(openKey(a), be64(n))
}

func (Keeper) nextID(st state.Store) uint64 {
	if n, ok := getU64(st, keyNextID); ok {
		return n
	}
	return 1
}

func (Keeper) saveProposal(st state.Store, p *Proposal) {
	st.Set(proposalKey(p.ID), core.Encode(p))
	st.Set(expiryKey(p.ExpiresAt, p.ID), []byte{})
}

// removeProposal deletes an open proposal with its index entry and count.
func (k Keeper) removeProposal(st state.Store, p *Proposal) {
	st.Delete(proposalKey(p.ID))
	st.Delete(expiryKey(p.ExpiresAt, p.ID))
	if n := k.OpenCount(st, p.Proposer); n > 0 {
		k.setOpenCount(st, p.Proposer, n-1)
	}
}

func (k Keeper) setThreshold(st state.Store, n uint64) { st.Set(keyThreshold, be64(n)) }

// checkAdminSet is the rule every admin-set change must leave true.
func (k Keeper) checkAdminSet(st state.Store) error {
	n := uint64(len(k.Admins(st)))
	t := k.Threshold(st)
	if n > MaxAdmins {
		return fmt.Errorf("%w: %d (max %d)", ErrTooManyAdmins, n, MaxAdmins)
	}
	if t == 0 || t > n {
		return fmt.Errorf("%w: threshold %d with %d admins", ErrBadThreshold, t, n)
	}
	return nil
}

// ParamValueString renders a parameter value for events and the CLI: as
// text when it is printable UTF-8, else as 0x-hex.
func ParamValueString(v []byte) string {
	if utf8.Valid(v) {
		printable := true
		for _, r := range string(v) {
			if !unicode.IsPrint(r) {
				printable = false
				break
			}
		}
		if printable {
			return string(v)
		}
	}
	return "0x" + hex.EncodeToString(v)
}
