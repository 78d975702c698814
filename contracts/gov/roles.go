package gov

import (
	"fmt"
	"strconv"
)

// Role is a permission the admin multisig grants to an account. An account
// may hold several roles. The zero Role is invalid.
type Role uint8

// Roles of the C2C flow and the bridge.
const (
	RoleKYCProvider  Role = 1 // attests accounts' KYC (contracts/gov/kyc)
	RoleCompliance   Role = 2 // revokes KYC, unfreezes accounts (risk)
	RoleOracle       Role = 3 // posts fiat rates (contracts/oracle)
	RoleArbitrator   Role = 4 // sits on dispute panels (arbitration)
	RoleBridgeSigner Role = 5 // attests external deposits (bridge)
)

var roleNames = [...]string{
	RoleKYCProvider:  "kyc_provider",
	RoleCompliance:   "compliance",
	RoleOracle:       "oracle",
	RoleArbitrator:   "arbitrator",
	RoleBridgeSigner: "bridge_signer",
}

// AllRoles lists every valid role in ascending order.
func AllRoles() []Role {
	return []Role{RoleKYCProvider, RoleCompliance, RoleOracle, RoleArbitrator, RoleBridgeSigner}
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r >= RoleKYCProvider && r <= RoleBridgeSigner }

// String is the role's name as used in genesis, events and the CLI.
func (r Role) String() string {
	if r.Valid() {
		return roleNames[r]
	}
	return "role(" + strconv.Itoa(int(r)) + ")"
}

// ParseRole parses a role name ("kyc_provider", "compliance", "oracle",
// "arbitrator", "bridge_signer").
func ParseRole(s string) (Role, error) {
	for _, r := range AllRoles() {
		if roleNames[r] == s {
			return r, nil
		}
	}
	return 0, fmt.Errorf("%w %q", ErrUnknownRole, s)
}

// CheckRole returns ErrUnknownRole for an invalid role.
func CheckRole(r Role) error {
	if !r.Valid() {
		return fmt.Errorf("%w %d", ErrUnknownRole, r)
	}
	return nil
}
