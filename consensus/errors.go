package consensus

import "errors"

// Reasons a message, a proposal or a synced block is refused. Step, Propose
// and Synced wrap one of these with context, so a driver can log the line and
// count by errors.Is. Most are benign in a lossy, asynchronous network
// (ErrDuplicate, ErrOldHeight, ErrOldView, ErrFutureHeight); the others point
// at a faulty or malicious sender.
var (
	ErrMalformed        = errors.New("malformed consensus message")
	ErrBadSignature     = errors.New("bad message signature")
	ErrNotValidator     = errors.New("sender is not a validator at this height")
	ErrOldHeight        = errors.New("message for a past height")
	ErrFutureHeight     = errors.New("message for a future height")
	ErrOldView          = errors.New("message for a past view")
	ErrFutureView       = errors.New("message for a view too far ahead")
	ErrWrongProposer    = errors.New("proposal not from the primary of its view")
	ErrDuplicate        = errors.New("duplicate message")
	ErrEquivocation     = errors.New("conflicting message from the same validator")
	ErrConflict         = errors.New("proposal conflicts with this node's own vote")
	ErrInvalidBlock     = errors.New("invalid block")
	ErrBadJustification = errors.New("invalid new-view justification")
	ErrBadCert          = errors.New("invalid certificate")
	ErrNotRequested     = errors.New("no proposal was requested for the current height and view")
	ErrHalted           = errors.New("consensus engine halted")
	// ErrIncomplete: a compact proposal reached the engine before the
	// driver rebuilt its block (Message.WithBlock).
	ErrIncomplete = errors.New("compact proposal without its transactions")
)
