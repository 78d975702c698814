// Package gov is the consortium's governance: an admin multisig (k of n
// admin addresses from the genesis) that grants and revokes roles, changes
// its own membership and threshold, and sets module parameters — all
// through proposals that collect admin approvals.
//
// # Proposals
//
// An admin opens a proposal with MsgPropose (TypePropose); that counts as
// its first approval. Other admins approve with MsgApprove (TypeApprove).
// When the approvals reach the threshold k, the proposal's actions execute
// at once, in order and atomically, inside the approving transaction; if one
// action fails (e.g. revoking a role the address does not hold) that
// transaction fails and the proposal stays open. An admin cannot approve
// twice; non-admins are refused. A proposal expires proposal_ttl_ms of block
// time after it was made (default 7 days): approvals from then on are
// refused and BeginBlock deletes it. Its proposer may withdraw it with
// MsgCancel (TypeCancel). Each admin may have at most max_open_proposals
// (default 16) open at a time. When a proposal changes the admin set or the
// threshold, every other open proposal is cancelled: its approvals were
// given under other rules.
//
// Actions: GrantRole, RevokeRole, SetParam, AddAdmin, RemoveAdmin,
// SetThreshold, SetValidators, ResolveDispute. After a proposal, 1 <= k <=
// n <= MaxAdmins must hold.
//
// ResolveDispute is the last word on a dispute that arbitration escalated
// (its panel and its committee both missed their deadlines): gov calls
// Module.Disputes (a DisputeResolver, expected.go; the app assembly sets the
// arbitration keeper, which gov cannot import: arbitration imports gov for
// its roles). A dispute that is not escalated, or payouts that do not sum
// to the escrow, fail the executing transaction and the proposal stays
// open.
//
// # Roles
//
// kyc_provider, compliance, oracle, arbitrator and bridge_signer (the Role
// constants). Other modules ask Keeper.HasRole and Keeper.Members (sorted by
// address).
//
// # Parameters
//
// Gov keeps every module's governable parameters: (module, key) -> bytes.
// Modules read them with Keeper.Param or Keeper.ParamUint64(st, module, key,
// default), where the default applies until genesis or a proposal sets the
// key. Uint64 values are canonical decimal strings. A module declares its
// parameters as ParamSpecs (wired into Module.Specs) so that malformed values
// and misspelt keys are refused; a module with no specs accepts any key.
//
// # Genesis
//
// Gov must be registered before modules whose genesis reads roles or
// parameters (kyc, oracle, ...). Its section:
//
//	"gov": {
//	  "admins": ["0x1111111111111111111111111111111111111111",
//	             "0x2222222222222222222222222222222222222222",
//	             "0x3333333333333333333333333333333333333333"],
//	  "threshold": 2,
//	  "roles": [
//	    {"address": "0x4444444444444444444444444444444444444444", "role": "kyc_provider"},
//	    {"address": "0x5555555555555555555555555555555555555555", "role": "compliance"},
//	    {"address": "0x6666666666666666666666666666666666666666", "role": "oracle"},
//	    {"address": "0x7777777777777777777777777777777777777777", "role": "arbitrator"},
//	    {"address": "0x8888888888888888888888888888888888888888", "role": "bridge_signer"}
//	  ],
//	  "params": {
//	    "gov":    {"proposal_ttl_ms": "604800000", "max_open_proposals": "16"},
//	    "kyc":    {"max_level": "4", "level_limit.4": "1000000000000"},
//	    "order":  {"payment_window_ms": "900000"}
//	  }
//	}
//
// Every change after genesis is an event (see events.go).
package gov
