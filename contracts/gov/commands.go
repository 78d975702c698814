package gov

// The module's CLI commands (core.Commander): `tx gov propose|approve|cancel`
// and `query roles ADDR`, `query proposal ID`, `query proposals`.

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/cmdkit"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander      = Module{}
	_ core.CommandGrouper = Module{}
)

// CommandGroup implements core.CommandGrouper.
func (Module) CommandGroup() string {
	return "Governance: admin multisig proposals (roles, parameters, admins, validators)"
}

// ParseParam parses MODULE.KEY=VALUE (the key may contain dots:
// kyc.level_limit.2=5000000000).
func ParseParam(s string) (module, key string, value []byte, err error) {
	name, val, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", nil, fmt.Errorf("%q: want MODULE.KEY=VALUE", s)
	}
	module, key, ok = strings.Cut(name, ".")
	if !ok {
		return "", "", nil, fmt.Errorf("%q: want MODULE.KEY=VALUE", s)
	}
	if err := CheckParamName(module, key); err != nil {
		return "", "", nil, fmt.Errorf("%q: %w", s, err)
	}
	return module, key, []byte(val), nil
}

func parseAddrRole(s string) (types.Address, Role, error) {
	addr, role, ok := strings.Cut(s, "=")
	if !ok {
		return types.Address{}, 0, fmt.Errorf("%q: want ADDR=ROLE", s)
	}
	a, err := types.ParseAddress(addr)
	if err != nil {
		return a, 0, err
	}
	r, err := ParseRole(role)
	return a, r, err
}

// sentView is what `tx gov propose|approve` report with --json.
type sentView struct {
	Proposal  uint64          `json:"proposal,omitempty"`
	Executed  bool            `json:"executed"`
	Approvals string          `json:"approvals,omitempty"` // "1/2"
	TxHash    string          `json:"tx_hash"`
	Receipt   json.RawMessage `json:"receipt,omitempty"`
}

// report reads a proposal's state from the receipt of a propose or an
// approve.
func report(_ core.CommandInput, s core.Sent) (core.Report, error) {
	out := sentView{TxHash: s.Hash.Hex()}
	if s.Receipt != nil {
		out.Receipt = s.Receipt.JSON
	}
	var approved ApprovedEvent
	if ok, _ := s.FindEvent(&approved); ok {
		out.Proposal, out.Approvals = approved.ID, fmt.Sprintf("%d/%d", approved.Approvals, approved.Threshold)
	}
	out.Executed, _ = s.FindEvent(&ExecutedEvent{})
	r := core.Report{JSON: out}
	if s.Receipt != nil && out.Proposal != 0 {
		state := "open"
		if out.Executed {
			state = "executed"
		}
		r.Text = fmt.Sprintf("proposal  %d %s (approvals %s)\n", out.Proposal, state, out.Approvals)
	}
	return r, nil
}

// Commands implements core.Commander.
func (m Module) Commands() []core.Command {
	byID := func(use, short string, mk func(id uint64) core.Msg) core.Command {
		return core.Command{Use: use + " PROPOSAL_ID", Short: short, Args: 1, Report: report,
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := strconv.ParseUint(in.Args[0], 10, 64)
				if err != nil || id == 0 {
					return nil, fmt.Errorf("proposal ID %q: want a positive integer", in.Args[0])
				}
				return mk(id), nil
			}}
	}
	return []core.Command{
		{Use: "propose", Short: "Open a proposal as an admin (it counts as the first approval; with threshold 1 it executes at once)",
			Long: "Open a proposal as an admin. Its actions run in this order when it reaches the threshold: every\n" +
				"--grant-role, --revoke-role, --set-param, --add-admin, --remove-admin, --threshold, --set-validators\n" +
				"(the whole new validator set, effective two blocks after the proposal executes), then the remedies:\n" +
				"--bridge-pause or --bridge-unpause (main), every --checkpoint-validators, every --checkpoint-resume\n" +
				"(main: a chain's new checkpoint signers, then lifting the halt a conflicting checkpoint caused) and\n" +
				"--lightclient-unfreeze (side: the client of main that conflicting certificates froze).",
			Flags: []core.Flag{
				{Name: "grant-role", Kind: core.FlagStrings, Usage: "ADDR=ROLE (kyc_provider, compliance, oracle, arbitrator, bridge_signer), repeatable"},
				{Name: "revoke-role", Kind: core.FlagStrings, Usage: "ADDR=ROLE, repeatable"},
				{Name: "set-param", Kind: core.FlagStrings, Usage: "MODULE.KEY=VALUE, repeatable (e.g. order.payment_window_ms=600000)"},
				{Name: "add-admin", Kind: core.FlagStrings, Usage: "address to add to the admin multisig, repeatable"},
				{Name: "remove-admin", Kind: core.FlagStrings, Usage: "admin to remove, repeatable"},
				{Name: "threshold", Kind: core.FlagUint, Default: "0", Usage: "set the approvals a proposal needs"},
				{Name: "set-validators", Kind: core.FlagList, Usage: "the complete new validator set, comma-separated addresses in proposer order"},
				{Name: "bridge-pause", Kind: core.FlagBool, Default: "false", Usage: "pause main's bridge (deposits, withdrawals, locks and releases)"},
				{Name: "bridge-unpause", Kind: core.FlagBool, Default: "false", Usage: "unpause main's bridge"},
				{Name: "checkpoint-validators", Kind: core.FlagStrings, Usage: "SIDE_CHAIN=ADDR,ADDR,...: the set that signs the side chain's next checkpoint, repeatable"},
				{Name: "checkpoint-resume", Kind: core.FlagStrings, Usage: "SIDE_CHAIN whose halted releases resume, repeatable"},
				{Name: "lightclient-unfreeze", Usage: "MAIN_CHAIN: unfreeze the light client of that main chain"},
				{Name: "memo", Usage: "public note for the other admins"}},
			Msg: m.proposeMsg, Report: report},
		byID("approve", "Approve an open proposal as an admin (it executes when approvals reach the threshold)",
			func(id uint64) core.Msg { return &MsgApprove{ProposalID: id} }),
		byID("cancel", "Withdraw your own open proposal", func(id uint64) core.Msg { return &MsgCancel{ProposalID: id} }),

		{Use: "roles ADDR", Args: 1, Top: true, Short: "An account's gov roles and admin membership",
			Query: addrQuery(QueryRoles), Print: cmdkit.Print(func(w io.Writer, _ core.CommandInput, v *RolesView) {
				cmdkit.KV(w, "address", v.Address, "admin", strconv.FormatBool(v.Admin), "roles", cmdkit.OrDash(strings.Join(v.Roles, ",")))
			})},
		{Use: "proposal ID", Args: 1, Top: true, Short: "An open gov proposal",
			Query: func(in core.CommandInput) (string, []any, error) {
				id, err := strconv.ParseUint(in.Args[0], 10, 64)
				if err != nil {
					return "", nil, fmt.Errorf("proposal ID %q: want a positive integer", in.Args[0])
				}
				return QueryProposal, []any{id}, nil
			},
			Print: cmdkit.Print(func(w io.Writer, _ core.CommandInput, v *ProposalView) { printProposal(w, v) })},
		{Use: "proposals", Top: true, Short: "Every open gov proposal",
			Query: func(core.CommandInput) (string, []any, error) { return QueryProposals, nil, nil },
			Print: cmdkit.Print(func(w io.Writer, _ core.CommandInput, v *[]ProposalView) {
				if len(*v) == 0 {
					fmt.Fprintln(w, "no open proposals")
				}
				for i := range *v {
					if i > 0 {
						fmt.Fprintln(w)
					}
					printProposal(w, &(*v)[i])
				}
			})},
	}
}

func addrQuery(method string) func(core.CommandInput) (string, []any, error) {
	return func(in core.CommandInput) (string, []any, error) {
		a, err := types.ParseAddress(in.Args[0])
		if err != nil {
			return "", nil, err
		}
		return method, []any{a.Hex()}, nil
	}
}

func (m Module) proposeMsg(in core.CommandInput) (core.Msg, error) {
	var acts []Action
	for _, s := range in.Lists["grant-role"] {
		a, r, err := parseAddrRole(s)
		if err != nil {
			return nil, fmt.Errorf("--grant-role: %w", err)
		}
		acts = append(acts, GrantRoleAction(a, r))
	}
	for _, s := range in.Lists["revoke-role"] {
		a, r, err := parseAddrRole(s)
		if err != nil {
			return nil, fmt.Errorf("--revoke-role: %w", err)
		}
		acts = append(acts, RevokeRoleAction(a, r))
	}
	for _, s := range in.Lists["set-param"] {
		mod, k, v, err := ParseParam(s)
		if err != nil {
			return nil, fmt.Errorf("--set-param: %w", err)
		}
		// Checked here too, against every module's specs, so a typo
		// costs no fee.
		if err := m.CheckParam(mod, k, v); err != nil {
			return nil, fmt.Errorf("--set-param: %w", err)
		}
		acts = append(acts, SetParamAction(mod, k, v))
	}
	for _, s := range in.Lists["add-admin"] {
		a, err := types.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("--add-admin: %w", err)
		}
		acts = append(acts, AddAdminAction(a))
	}
	for _, s := range in.Lists["remove-admin"] {
		a, err := types.ParseAddress(s)
		if err != nil {
			return nil, fmt.Errorf("--remove-admin: %w", err)
		}
		acts = append(acts, RemoveAdminAction(a))
	}
	if t := in.Flags["threshold"]; t != "" && t != "0" {
		n, err := strconv.ParseUint(t, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("--threshold: %w", err)
		}
		acts = append(acts, SetThresholdAction(n))
	}
	if vs := in.Lists["set-validators"]; len(vs) > 0 {
		vals, err := types.ParseAddresses(vs)
		if err != nil {
			return nil, fmt.Errorf("--set-validators: %w", err)
		}
		acts = append(acts, SetValidatorsAction(vals...))
	}
	acts, err := remedyActions(in, acts)
	if err != nil {
		return nil, err
	}
	msg := &MsgPropose{Actions: acts, Memo: in.Flags["memo"]}
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	return msg, nil
}

// remedyActions appends the bridge, checkpoint and light-client actions
// of `tx gov propose`'s flags to acts.
func remedyActions(in core.CommandInput, acts []Action) ([]Action, error) {
	pause, unpause := in.Flags["bridge-pause"] == "true", in.Flags["bridge-unpause"] == "true"
	switch {
	case pause && unpause:
		return nil, fmt.Errorf("--bridge-pause and --bridge-unpause: choose one")
	case pause || unpause:
		acts = append(acts, SetBridgePausedAction(pause))
	}
	for _, s := range in.Lists["checkpoint-validators"] {
		chain, list, ok := strings.Cut(s, "=")
		if !ok || list == "" {
			return nil, fmt.Errorf("--checkpoint-validators %q: want SIDE_CHAIN=ADDR,ADDR,...", s)
		}
		var vals []types.Address
		for _, v := range strings.Split(list, ",") {
			a, err := types.ParseAddress(strings.TrimSpace(v))
			if err != nil {
				return nil, fmt.Errorf("--checkpoint-validators: %w", err)
			}
			vals = append(vals, a)
		}
		acts = append(acts, ReplaceCheckpointSetAction(chain, vals...))
	}
	for _, chain := range in.Lists["checkpoint-resume"] {
		acts = append(acts, ResumeCheckpointsAction(chain))
	}
	if chain := in.Flags["lightclient-unfreeze"]; chain != "" {
		acts = append(acts, UnfreezeLightClientAction(chain))
	}
	return acts, nil
}

func printProposal(w io.Writer, p *ProposalView) {
	cmdkit.KV(w, "proposal", strconv.FormatUint(p.ID, 10), "proposer", p.Proposer, "memo", cmdkit.OrDash(p.Memo),
		"created", cmdkit.Time(p.CreatedAtMs), "expires", cmdkit.Time(p.ExpiresAtMs),
		"approvals", fmt.Sprintf("%d of %d: %s", len(p.Approvals), p.Threshold, strings.Join(p.Approvals, ",")))
	for i, a := range p.Actions {
		var d string
		switch a.Kind {
		case "grant_role", "revoke_role":
			d = a.Address + " " + a.Role
		case "set_param":
			d = a.Module + "." + a.Key + "=" + a.Value
		case "add_admin", "remove_admin":
			d = a.Address
		case "set_threshold":
			d = strconv.FormatUint(a.Threshold, 10)
		case "set_validators":
			d = strings.Join(a.Validators, ",")
		case "checkpoint_validators":
			d = a.Chain + "=" + strings.Join(a.Validators, ",")
		case "checkpoint_resume", "lightclient_unfreeze":
			d = a.Chain
		}
		fmt.Fprintf(w, "action %d  %s %s\n", i, a.Kind, d)
	}
}
