package arbitration

import "errors"

// Sentinel errors; callers test with errors.Is.
var (
	ErrNotFound      = errors.New("no such dispute")
	ErrExists        = errors.New("a dispute for this subject already exists")
	ErrNotDisputed   = errors.New("the subject is not in dispute")
	ErrResolved      = errors.New("the dispute is resolved")
	ErrEscalated     = errors.New("the dispute is escalated to governance")
	ErrNotEscalated  = errors.New("the dispute is not escalated")
	ErrNotParty      = errors.New("only a party to the dispute may do this")
	ErrNotOnPanel    = errors.New("sender is not on the dispute's current panel")
	ErrAlreadyVoted  = errors.New("arbitrator already voted in this round")
	ErrWindowClosed  = errors.New("the window for this action has passed")
	ErrEvidenceLimit = errors.New("evidence limit reached for this party")
	ErrBadPayouts    = errors.New("payouts must sum exactly to the escrow and give the winner a share")
	ErrBadWinner     = errors.New("unknown winner side")
	ErrBadReason     = errors.New("unknown reason code")
	ErrBadKind       = errors.New("unknown dispute kind")
	ErrZeroHash      = errors.New("hash must be set")
	ErrNoSubjects    = errors.New("no keeper wired for this dispute kind")
	ErrBadParam      = errors.New("invalid arbitration parameter")
	ErrCorrupt       = errors.New("corrupt arbitration state")
)
