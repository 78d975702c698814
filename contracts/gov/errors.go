package gov

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrNotAdmin         = errors.New("sender is not a consortium admin")
	ErrAlreadyAdmin     = errors.New("address is already an admin")
	ErrTooManyAdmins    = errors.New("too many admins")
	ErrBadThreshold     = errors.New("threshold must be between 1 and the number of admins")
	ErrUnknownRole      = errors.New("unknown role")
	ErrRoleAlreadyHeld  = errors.New("role already held")
	ErrRoleNotHeld      = errors.New("role not held")
	ErrZeroAddress      = errors.New("zero address")
	ErrBadAction        = errors.New("malformed proposal action")
	ErrBadValidators    = errors.New("invalid validator set")
	ErrTooManyActions   = errors.New("too many actions in one proposal")
	ErrNoActions        = errors.New("proposal has no actions")
	ErrMemoTooLong      = errors.New("memo too long")
	ErrUnknownProposal  = errors.New("unknown proposal (never made, executed, cancelled or expired)")
	ErrProposalExpired  = errors.New("proposal expired")
	ErrAlreadyApproved  = errors.New("admin already approved this proposal")
	ErrNotProposer      = errors.New("only the proposer may cancel a proposal")
	ErrTooManyProposals = errors.New("too many open proposals for this admin")
	ErrBadParam         = errors.New("invalid parameter value")
	ErrUnknownParam     = errors.New("unknown parameter")
	ErrBadParamName     = errors.New("malformed parameter module or key")
	ErrOverflow         = errors.New("arithmetic overflow")
	ErrBadGenesis       = errors.New("invalid gov genesis")
	ErrCorruptState     = errors.New("corrupt gov state")
	ErrBadDecision      = errors.New("malformed dispute decision")
	ErrNoResolver       = errors.New("no dispute resolver wired (arbitration module missing)")
)
