package consensus

import (
	"fmt"

	"github.com/accordnet/accord/types"
)

// Action is an effect the driver must carry out, in the order returned,
// before it calls the engine again. The concrete types are below.
type Action interface{ isAction() }

// Broadcast sends Msg to every validator (gossip). The engine has already
// persisted any vote it contains.
type Broadcast struct{ Msg *Message }

// SendTo sends Msg to one validator (best effort).
type SendTo struct {
	To  types.Address
	Msg *Message
}

// RequestProposal asks the driver for a block to propose at (Height, View):
// header Height, ParentHash = Parent, LastCertHash/LastCert = LastCert
// (nil at height 1), Proposer = this validator, ValidatorsHash =
// ValidatorsHash, Time > ParentTime, executed on top of the parent. The
// driver answers with Engine.Propose when it has one (it may wait for
// transactions up to its block interval); a late answer is refused with
// ErrNotRequested and can be dropped.
type RequestProposal struct {
	Height, View   uint64
	Parent         types.Hash
	ParentTime     uint64
	LastCert       *types.CommitCert
	ValidatorsHash types.Hash
}

// Commit reports Block final with Cert. The driver applies it to the ledger
// (executing it if it was not validated locally: a block learnt from a
// certificate never went through App.ValidateBlock) before calling the engine
// again. The engine is already at the next height.
type Commit struct {
	Block *types.Block
	Cert  *types.CommitCert
}

// RequestSync asks the driver to fetch, verify and apply the finalized
// blocks FromHeight..ToHeight (ToHeight is a lower bound: more is fine) from
// peers, preferably Hint, and to report each with Engine.Synced.
type RequestSync struct {
	FromHeight, ToHeight uint64
	Hint                 types.Address
}

// Evidence reports two validly signed, conflicting messages of the same
// kind from Validator at (Height, View), to be recorded on chain.
type Evidence struct {
	Validator     types.Address
	Height, View  uint64
	Kind          MsgType
	First, Second *Message
}

// ViewChanged reports that the engine entered a height (View 0) or a view;
// for logs and metrics only.
type ViewChanged struct{ Height, View uint64 }

// Halted reports that the engine stopped because it cannot keep its safety
// promises (the WAL refused a write, or the validator set is unknown). Every
// later call returns it again; the node should stop and be restarted.
type Halted struct{ Err error }

func (Broadcast) isAction()       {}
func (SendTo) isAction()          {}
func (RequestProposal) isAction() {}
func (Commit) isAction()          {}
func (RequestSync) isAction()     {}
func (Evidence) isAction()        {}
func (ViewChanged) isAction()     {}
func (Halted) isAction()          {}

func (a Broadcast) String() string {
	return fmt.Sprintf("broadcast %s %d/%d", a.Msg.Type, a.Msg.Height, a.Msg.View)
}
func (a Commit) String() string {
	return fmt.Sprintf("commit %d %s", a.Block.Height(), a.Block.Hash().Hex())
}
