package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

// parseParam parses MODULE.KEY=VALUE (the key may contain dots:
// kyc.level_limit.2=5000000000).
func parseParam(s string) (module, key string, value []byte, err error) {
	name, val, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", nil, fmt.Errorf("%q: want MODULE.KEY=VALUE", s)
	}
	module, key, ok = strings.Cut(name, ".")
	if !ok {
		return "", "", nil, fmt.Errorf("%q: want MODULE.KEY=VALUE", s)
	}
	if err := gov.CheckParamName(module, key); err != nil {
		return "", "", nil, fmt.Errorf("%q: %w", s, err)
	}
	return module, key, []byte(val), nil
}

func parseAddrRole(s string) (types.Address, gov.Role, error) {
	addr, role, ok := strings.Cut(s, "=")
	if !ok {
		return types.Address{}, 0, fmt.Errorf("%q: want ADDR=ROLE", s)
	}
	a, err := types.ParseAddress(addr)
	if err != nil {
		return a, 0, err
	}
	r, err := gov.ParseRole(role)
	return a, r, err
}

// govSent is what `tx gov propose|approve` report with --wait.
type govSent struct {
	Proposal  uint64         `json:"proposal,omitempty"`
	Executed  bool           `json:"executed"`
	Approvals string         `json:"approvals,omitempty"` // "1/2"
	TxHash    string         `json:"tx_hash"`
	Receipt   *views.Receipt `json:"receipt,omitempty"`
}

func reportGov(g *globals, s *sent) error {
	out := govSent{TxHash: s.Hash.Hex(), Receipt: s.Receipt}
	var approved gov.ApprovedEvent
	if ok, _ := s.Receipt.FindEvent(&approved); ok {
		out.Proposal, out.Approvals = approved.ID, fmt.Sprintf("%d/%d", approved.Approvals, approved.Threshold)
	}
	out.Executed, _ = s.Receipt.FindEvent(&gov.ExecutedEvent{})
	if g.jsonOut {
		if err := printJSON(out); err != nil {
			return err
		}
		return s.failed()
	}
	if s.Receipt == nil {
		fmt.Println(out.TxHash)
		return nil
	}
	printReceipt(s.Receipt)
	if out.Proposal != 0 {
		state := "open"
		if out.Executed {
			state = "executed"
		}
		fmt.Printf("proposal  %d %s (approvals %s)\n", out.Proposal, state, out.Approvals)
	}
	return s.failed()
}

func newGovTxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "gov", Short: "Governance: admin multisig proposals (roles, parameters, admins, validators)"}
	var pf txFlags
	var grants, revokes, params, addAdmins, removeAdmins, validators []string
	var threshold uint64
	var memo string
	propose := &cobra.Command{
		Use:   "propose",
		Short: "Open a proposal as an admin (it counts as the first approval; with threshold 1 it executes at once)",
		Long: "Open a proposal as an admin. Its actions run in this order when it reaches the threshold: every\n" +
			"--grant-role, --revoke-role, --set-param, --add-admin, --remove-admin, --threshold, then --set-validators\n" +
			"(the whole new validator set, effective two blocks after the proposal executes).",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			var acts []gov.Action
			for _, s := range grants {
				a, r, err := parseAddrRole(s)
				if err != nil {
					return fmt.Errorf("--grant-role: %w", err)
				}
				acts = append(acts, gov.GrantRoleAction(a, r))
			}
			for _, s := range revokes {
				a, r, err := parseAddrRole(s)
				if err != nil {
					return fmt.Errorf("--revoke-role: %w", err)
				}
				acts = append(acts, gov.RevokeRoleAction(a, r))
			}
			for _, s := range params {
				m, k, v, err := parseParam(s)
				if err != nil {
					return fmt.Errorf("--set-param: %w", err)
				}
				// Checked here too, so a typo costs no fee.
				if err := checkParam(m, k, v); err != nil {
					return fmt.Errorf("--set-param: %w", err)
				}
				acts = append(acts, gov.SetParamAction(m, k, v))
			}
			for _, s := range addAdmins {
				a, err := types.ParseAddress(s)
				if err != nil {
					return fmt.Errorf("--add-admin: %w", err)
				}
				acts = append(acts, gov.AddAdminAction(a))
			}
			for _, s := range removeAdmins {
				a, err := types.ParseAddress(s)
				if err != nil {
					return fmt.Errorf("--remove-admin: %w", err)
				}
				acts = append(acts, gov.RemoveAdminAction(a))
			}
			if threshold != 0 {
				acts = append(acts, gov.SetThresholdAction(threshold))
			}
			if len(validators) > 0 {
				var vals []types.Address
				for _, s := range validators {
					a, err := types.ParseAddress(s)
					if err != nil {
						return fmt.Errorf("--set-validators: %w", err)
					}
					vals = append(vals, a)
				}
				acts = append(acts, gov.SetValidatorsAction(vals...))
			}
			msg := &gov.MsgPropose{Actions: acts, Memo: memo}
			if err := msg.ValidateBasic(); err != nil {
				return err
			}
			s, err := pf.submit(g, gov.TypePropose, msg)
			if err != nil {
				return err
			}
			return reportGov(g, s)
		},
	}
	pf.register(propose)
	fl := propose.Flags()
	fl.StringArrayVar(&grants, "grant-role", nil, "ADDR=ROLE (kyc_provider, compliance, oracle, arbitrator, bridge_signer), repeatable")
	fl.StringArrayVar(&revokes, "revoke-role", nil, "ADDR=ROLE, repeatable")
	fl.StringArrayVar(&params, "set-param", nil, "MODULE.KEY=VALUE, repeatable (e.g. order.payment_window_ms=600000)")
	fl.StringArrayVar(&addAdmins, "add-admin", nil, "address to add to the admin multisig, repeatable")
	fl.StringArrayVar(&removeAdmins, "remove-admin", nil, "admin to remove, repeatable")
	fl.Uint64Var(&threshold, "threshold", 0, "set the approvals a proposal needs")
	fl.StringSliceVar(&validators, "set-validators", nil, "the complete new validator set, comma-separated addresses in proposer order")
	fl.StringVar(&memo, "memo", "", "public note for the other admins")

	idCmd := func(use, short string, t types.TxType, mk func(id uint64) any) *cobra.Command {
		var f txFlags
		c := &cobra.Command{Use: use + " PROPOSAL_ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := strconv.ParseUint(args[0], 10, 64)
				if err != nil || id == 0 {
					return fmt.Errorf("proposal ID %q: want a positive integer", args[0])
				}
				s, err := f.submit(g, t, mk(id))
				if err != nil {
					return err
				}
				return reportGov(g, s)
			}}
		f.register(c)
		return c
	}
	cmd.AddCommand(propose,
		idCmd("approve", "Approve an open proposal as an admin (it executes when approvals reach the threshold)", gov.TypeApprove,
			func(id uint64) any { return &gov.MsgApprove{ProposalID: id} }),
		idCmd("cancel", "Withdraw your own open proposal", gov.TypeCancel,
			func(id uint64) any { return &gov.MsgCancel{ProposalID: id} }))
	return cmd
}
