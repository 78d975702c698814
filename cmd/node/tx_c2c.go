package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/acceptor"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

// The C2C transaction commands: `tx acceptor`, `tx order`, `tx oracle`,
// `tx gov` and `tx kyc`. Each signs one message with --from through
// txFlags.send (or submit, for commands that report what the receipt says).

// parseUSDTFlag parses a positive USDT amount flag.
func parseUSDTFlag(name, v string) (uint64, error) {
	amt, err := types.ParseUSDT(v)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	if amt == 0 {
		return 0, fmt.Errorf("--%s must be positive", name)
	}
	return amt, nil
}

// hashArg turns a 0x-prefixed 32-byte hex string into that hash and any
// other text into its Keccak-256 (so a payment reference or an evidence
// note can be given as text; only its hash goes on chain).
func hashArg(s string) (types.Hash, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return types.ParseHash(s)
	}
	if s == "" {
		return types.Hash{}, errors.New("empty")
	}
	return types.Keccak([]byte(s)), nil
}

// hashFileOrHex returns the hash given as hex, or the Keccak-256 of a
// file's contents (exactly one of the two must be set).
func hashFileOrHex(hexFlag, hexVal, fileFlag, file string) (types.Hash, error) {
	switch {
	case hexVal != "" && file != "":
		return types.Hash{}, fmt.Errorf("give --%s or --%s, not both", hexFlag, fileFlag)
	case hexVal != "":
		h, err := types.ParseHash(hexVal)
		if err != nil {
			return h, fmt.Errorf("--%s: %w", hexFlag, err)
		}
		return h, nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return types.Hash{}, fmt.Errorf("--%s: %w", fileFlag, err)
		}
		return types.Keccak(b), nil
	}
	return types.Hash{}, fmt.Errorf("--%s or --%s is required", hexFlag, fileFlag)
}

func orderIDArg(s string) (types.Hash, error) {
	id, err := types.ParseHash(s)
	if err != nil {
		return id, fmt.Errorf("order ID: %w", err)
	}
	return id, nil
}

func fmtTime(ms uint64) string {
	if ms == 0 {
		return "-"
	}
	return time.UnixMilli(int64(ms)).UTC().Format(time.RFC3339)
}

// eventAttr returns attribute key of the first event of type typ.
func eventAttr(r *views.Receipt, typ, key string) (string, bool) {
	if r == nil {
		return "", false
	}
	for _, e := range r.Events {
		if e.Type == typ {
			v, ok := e.Attrs[key]
			return v, ok
		}
	}
	return "", false
}

// --- acceptor ---

// parseMethods parses --method CUR:KIND:DETAILS values, DETAILS being a
// 0x 32-byte hash of the salted account details or @FILE (hashed), and
// derives the sorted currency list.
func parseMethods(specs []string) ([]string, []acceptor.PaymentMethod, error) {
	if len(specs) == 0 {
		return nil, nil, errors.New("--method is required (CUR:KIND:0xHASH or CUR:KIND:@FILE)")
	}
	seen := map[string]bool{}
	var curs []string
	var ms []acceptor.PaymentMethod
	for _, s := range specs {
		parts := strings.SplitN(s, ":", 3)
		if len(parts) != 3 {
			return nil, nil, fmt.Errorf("--method %q: want CUR:KIND:0xHASH or CUR:KIND:@FILE", s)
		}
		cur, kind, det := strings.ToUpper(parts[0]), parts[1], parts[2]
		var h types.Hash
		var err error
		if f, ok := strings.CutPrefix(det, "@"); ok {
			h, err = hashFileOrHex("", "", "method file", f)
		} else {
			h, err = types.ParseHash(det)
		}
		if err != nil {
			return nil, nil, fmt.Errorf("--method %q: %w", s, err)
		}
		ms = append(ms, acceptor.PaymentMethod{Currency: cur, Kind: kind, DetailsHash: h})
		if !seen[cur] {
			seen[cur] = true
			curs = append(curs, cur)
		}
	}
	sort.Strings(curs)
	return curs, ms, nil
}

func newAcceptorTxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "acceptor", Short: "Acceptor transactions: register, update, float and margin, pause and resume"}
	profile := func(use, short string, register bool) *cobra.Command {
		var f txFlags
		var methods []string
		var minOrder, maxOrder string
		c := &cobra.Command{
			Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				curs, ms, err := parseMethods(methods)
				if err != nil {
					return err
				}
				var lo, hi uint64
				if minOrder != "" {
					if lo, err = types.ParseUSDT(minOrder); err != nil {
						return fmt.Errorf("--min-order: %w", err)
					}
				}
				if maxOrder != "" {
					if hi, err = types.ParseUSDT(maxOrder); err != nil {
						return fmt.Errorf("--max-order: %w", err)
					}
				}
				var msg acceptor.Msg = &acceptor.MsgUpdate{Currencies: curs, Methods: ms, MinOrder: lo, MaxOrder: hi}
				if register {
					msg = &acceptor.MsgRegister{Currencies: curs, Methods: ms, MinOrder: lo, MaxOrder: hi}
				}
				if err := msg.ValidateBasic(); err != nil {
					return err
				}
				return f.send(g, msg.TxType(), msg)
			},
		}
		f.register(c)
		c.Flags().StringArrayVar(&methods, "method", nil, "payment method CUR:KIND:0xHASH or CUR:KIND:@FILE (Keccak-256 of the file holding the salted account details), repeatable; the currencies are those of the methods")
		c.Flags().StringVar(&minOrder, "min-order", "", "smallest order to take, USDT")
		c.Flags().StringVar(&maxOrder, "max-order", "", "largest order to take, USDT (default: only the chain's limits)")
		return c
	}
	amount := func(use, short string, mk func(uint64) acceptor.Msg) *cobra.Command {
		var f txFlags
		var amt string
		c := &cobra.Command{
			Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error {
				a, err := parseUSDTFlag("amount", amt)
				if err != nil {
					return err
				}
				m := mk(a)
				return f.send(g, m.TxType(), m)
			},
		}
		f.register(c)
		c.Flags().StringVar(&amt, "amount", "", "amount in USDT (required)")
		_ = c.MarkFlagRequired("amount")
		return c
	}
	bare := func(use, short string, m acceptor.Msg) *cobra.Command {
		var f txFlags
		c := &cobra.Command{Use: use, Short: short, Args: cobra.NoArgs,
			RunE: func(cmd *cobra.Command, args []string) error { return f.send(g, m.TxType(), m) }}
		f.register(c)
		return c
	}
	cmd.AddCommand(
		profile("register", "Register --from as an acceptor (needs a valid KYC attestation)", true),
		profile("update", "Replace the acceptor's currencies, payment methods and order bounds", false),
		amount("deposit", "Move USDT from the balance into free float", func(a uint64) acceptor.Msg { return &acceptor.MsgDepositFloat{Amount: a} }),
		amount("withdraw", "Move free float back to the balance", func(a uint64) acceptor.Msg { return &acceptor.MsgWithdrawFloat{Amount: a} }),
		amount("deposit-margin", "Move USDT from the balance into margin", func(a uint64) acceptor.Msg { return &acceptor.MsgDepositMargin{Amount: a} }),
		amount("withdraw-margin", "Move margin back to the balance (down to what the trailing-24h volume requires)", func(a uint64) acceptor.Msg { return &acceptor.MsgWithdrawMargin{Amount: a} }),
		bare("pause", "Take no new orders (open orders continue)", &acceptor.MsgPause{}),
		bare("resume", "Take orders again", &acceptor.MsgResume{}),
	)
	return cmd
}

// --- order ---

// orderCreated is what `tx order create` reports.
type orderCreated struct {
	OrderID       string         `json:"order_id"`
	MerchantRef   string         `json:"merchant_ref"`
	TxHash        string         `json:"tx_hash"`
	State         string         `json:"state,omitempty"` // LOCKED or REJECTED, with --wait
	Acceptor      string         `json:"acceptor,omitempty"`
	Amount        string         `json:"amount,omitempty"`
	AmountMicro   uint64         `json:"amount_micro,omitempty"`
	Method        string         `json:"method,omitempty"`
	PayDeadlineMs uint64         `json:"pay_deadline_ms,omitempty"`
	Reason        string         `json:"reason,omitempty"`
	Receipt       *views.Receipt `json:"receipt,omitempty"`
}

// NewOrderCreated reads an order's outcome from its creating receipt.
func newOrderCreated(id types.Hash, ref string, s *sent) orderCreated {
	out := orderCreated{OrderID: id.Hex(), MerchantRef: ref, TxHash: s.Hash.Hex(), Receipt: s.Receipt}
	if s.Receipt == nil || s.Receipt.Status != "ok" {
		return out
	}
	if a, ok := eventAttr(s.Receipt, order.EventLocked, "acceptor"); ok {
		out.State, out.Acceptor = order.StateLocked.String(), a
		out.Method, _ = eventAttr(s.Receipt, order.EventLocked, "method")
		amt, _ := eventAttr(s.Receipt, order.EventLocked, "amount")
		out.AmountMicro, _ = strconv.ParseUint(amt, 10, 64)
		out.Amount = types.FormatUSDT(out.AmountMicro)
		dl, _ := eventAttr(s.Receipt, order.EventLocked, "pay_deadline")
		out.PayDeadlineMs, _ = strconv.ParseUint(dl, 10, 64)
	} else if reason, ok := eventAttr(s.Receipt, order.EventRejected, "reason"); ok {
		out.State, out.Reason = order.StateRejected.String(), reason
		amt, _ := eventAttr(s.Receipt, order.EventCreated, "amount")
		out.AmountMicro, _ = strconv.ParseUint(amt, 10, 64)
		out.Amount = types.FormatUSDT(out.AmountMicro)
	}
	return out
}

func randomRef() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "cli-" + hex.EncodeToString(b)
}

func newOrderTxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "order", Short: "C2C order transactions: create, mark-paid, confirm, cancel, extend, dispute"}
	var cf txFlags
	var currency, amount, ref string
	var printID bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create an order as merchant --from: the chain converts the fiat amount, assigns an acceptor and locks its USDT",
		Long: "Create an order as merchant --from. The order ID is Keccak-256(\"accord/order/v1\" ‖ merchant ‖ ref), known\n" +
			"before sending; with --wait the assigned acceptor, the USDT amount and the payment deadline are printed.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cur, err := oracle.LookupCurrency(strings.ToUpper(currency))
			if err != nil {
				return fmt.Errorf("--currency: %w", err)
			}
			minor, err := client.ParseFiat(amount, cur.Decimals)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			if ref == "" {
				ref = randomRef()
			}
			msg := &order.MsgCreate{Currency: cur.Code, FiatAmount: minor, MerchantRef: ref}
			if err := msg.ValidateBasic(); err != nil {
				return err
			}
			s, err := cf.submit(g, order.TypeCreate, msg)
			if err != nil {
				return err
			}
			out := newOrderCreated(order.OrderID(s.From, ref), ref, s)
			if printID {
				if err := s.failed(); err != nil {
					return err
				}
				if out.State == "REJECTED" {
					return fmt.Errorf("order %s rejected: %s (retry with --ref %s)", out.OrderID, out.Reason, ref)
				}
				fmt.Println(out.OrderID)
				return nil
			}
			if g.jsonOut {
				if err := printJSON(out); err != nil {
					return err
				}
				return s.failed()
			}
			fmt.Printf("order     %s\nref       %s\ntx        %s\n", out.OrderID, out.MerchantRef, out.TxHash)
			if s.Receipt != nil {
				fmt.Printf("block     %d\n", s.Receipt.Height)
			}
			switch out.State {
			case "LOCKED":
				fmt.Printf("state     LOCKED\nacceptor  %s\namount    %s USDT\nmethod    %s\npay by    %s\n",
					out.Acceptor, out.Amount, out.Method, fmtTime(out.PayDeadlineMs))
			case "REJECTED":
				fmt.Printf("state     REJECTED (%s; retry with --ref %s)\namount    %s USDT\n", out.Reason, ref, out.Amount)
			}
			return s.failed()
		},
	}
	cf.register(create)
	create.Flags().StringVar(&currency, "currency", "", "fiat currency, ISO 4217 (required)")
	create.Flags().StringVar(&amount, "amount", "", "fiat amount in the currency, e.g. 100.50 (required)")
	create.Flags().StringVar(&ref, "ref", "", "merchant order reference, 1-64 printable ASCII without spaces (default: random)")
	create.Flags().BoolVar(&printID, "print-id", false, "print only the order ID, for scripts: ORDER=$(accord tx order create ... --wait --print-id); a rejected order is an error")
	_ = create.MarkFlagRequired("currency")
	_ = create.MarkFlagRequired("amount")

	byID := func(use, short string, mk func(id types.Hash) order.Msg) *cobra.Command {
		var f txFlags
		c := &cobra.Command{Use: use + " ORDER_ID", Short: short, Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				id, err := orderIDArg(args[0])
				if err != nil {
					return err
				}
				m := mk(id)
				if err := m.ValidateBasic(); err != nil {
					return err
				}
				return f.send(g, m.TxType(), m)
			}}
		f.register(c)
		return c
	}
	var pf txFlags
	var payRef string
	markPaid := &cobra.Command{
		Use: "mark-paid ORDER_ID", Short: "Say the merchant paid the fiat (LOCKED → PAID)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := orderIDArg(args[0])
			if err != nil {
				return err
			}
			h, err := hashArg(payRef)
			if err != nil {
				return fmt.Errorf("--payment-ref: %w", err)
			}
			return pf.send(g, order.TypeMarkPaid, &order.MsgMarkPaid{ID: id, PaymentRef: h})
		},
	}
	pf.register(markPaid)
	markPaid.Flags().StringVar(&payRef, "payment-ref", "", "off-chain payment reference (bank transfer ID...): a 0x 32-byte hash, or text that is hashed (required)")
	_ = markPaid.MarkFlagRequired("payment-ref")

	var df txFlags
	var evidence string
	dispute := &cobra.Command{
		Use: "dispute ORDER_ID", Short: "Contest a paid order (PAID → DISPUTED), as its merchant or acceptor", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := orderIDArg(args[0])
			if err != nil {
				return err
			}
			var h types.Hash
			if evidence != "" {
				if h, err = hashArg(evidence); err != nil {
					return fmt.Errorf("--evidence: %w", err)
				}
			}
			return df.send(g, order.TypeDispute, &order.MsgDispute{ID: id, Evidence: h})
		},
	}
	df.register(dispute)
	dispute.Flags().StringVar(&evidence, "evidence", "", "hash of an off-chain statement (0x 32-byte hash, or text that is hashed)")

	cmd.AddCommand(create, markPaid,
		byID("confirm", "Confirm the fiat arrived (acceptor; PAID → COMPLETED, escrow released)", func(id types.Hash) order.Msg { return &order.MsgConfirm{ID: id} }),
		byID("cancel", "Cancel a locked, unpaid order (merchant; escrow back to the acceptor)", func(id types.Hash) order.Msg { return &order.MsgCancel{ID: id} }),
		byID("extend", "Extend the payment window once, near its end (acceptor)", func(id types.Hash) order.Msg { return &order.MsgExtend{ID: id} }),
		dispute)
	return cmd
}

// --- oracle ---

func newOracleTxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "oracle", Short: "Oracle transactions"}
	var f txFlags
	var currencies, rates []string
	post := &cobra.Command{
		Use:   "post-rate",
		Short: "Post fiat rates (fiat per USDT) as an oracle: --currency CNY --rate 7.12 [--currency USD --rate 1 ...]",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(currencies) == 0 || len(currencies) != len(rates) {
				return fmt.Errorf("give --currency and --rate in pairs (%d currencies, %d rates)", len(currencies), len(rates))
			}
			msg := &oracle.MsgPostRates{}
			for i, c := range currencies {
				r, err := oracle.ParseRateE8(rates[i])
				if err != nil {
					return fmt.Errorf("--rate %s: %w", c, err)
				}
				msg.Rates = append(msg.Rates, oracle.RatePost{Currency: strings.ToUpper(c), Rate: r})
			}
			if err := msg.ValidateBasic(); err != nil {
				return err
			}
			return f.send(g, oracle.TypePostRates, msg)
		},
	}
	f.register(post)
	post.Flags().StringArrayVar(&currencies, "currency", nil, "ISO 4217 currency, repeatable, paired with --rate")
	post.Flags().StringArrayVar(&rates, "rate", nil, "fiat units per USDT (up to 8 decimals), repeatable, paired with --currency")
	cmd.AddCommand(post)
	return cmd
}

// --- gov ---

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
	if id, ok := eventAttr(s.Receipt, gov.EventApproved, "id"); ok {
		out.Proposal, _ = strconv.ParseUint(id, 10, 64)
		n, _ := eventAttr(s.Receipt, gov.EventApproved, "approvals")
		k, _ := eventAttr(s.Receipt, gov.EventApproved, "threshold")
		out.Approvals = n + "/" + k
	}
	_, out.Executed = eventAttr(s.Receipt, gov.EventExecuted, "id")
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
				if err := (gov.Module{Specs: node.ParamSpecs()}).CheckParam(m, k, v); err != nil {
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

// --- kyc ---

// parseExpiry parses a date (00:00 UTC that day) or an RFC 3339 time into
// unix milliseconds.
func parseExpiry(s string) (uint64, error) {
	for _, layout := range []string{"2006-01-02", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			if t.UnixMilli() <= 0 {
				break
			}
			return uint64(t.UnixMilli()), nil
		}
	}
	return 0, fmt.Errorf("%q: want YYYY-MM-DD or an RFC 3339 time", s)
}

func newKYCTxCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "kyc", Short: "KYC attestations (KYC providers and compliance officers)"}
	var af txFlags
	var level uint8
	var country, expires, recordHash, recordFile string
	attest := &cobra.Command{
		Use:   "attest ADDR",
		Short: "Attest an account's KYC as a KYC provider (replaces its previous attestation)",
		Long: "Attest an account's KYC. Only the hash of the off-chain record is on chain: give it with --record-hash,\n" +
			"or --record FILE to hash a file. Salt the record with a per-subject secret so the hash cannot be guessed,\n" +
			"and use one record for all accounts of one person or company (the hash links them).",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := types.ParseAddress(args[0])
			if err != nil {
				return err
			}
			exp, err := parseExpiry(expires)
			if err != nil {
				return fmt.Errorf("--expires: %w", err)
			}
			rh, err := hashFileOrHex("record-hash", recordHash, "record", recordFile)
			if err != nil {
				return err
			}
			msg := &kyc.MsgAttest{Account: a, Level: level, ExpiresAt: exp, Country: strings.ToUpper(country), RecordHash: rh}
			if err := msg.ValidateBasic(); err != nil {
				return err
			}
			return af.send(g, kyc.TypeAttest, msg)
		},
	}
	af.register(attest)
	attest.Flags().Uint8Var(&level, "level", 0, "KYC level, 1 to the chain's max_level (required)")
	attest.Flags().StringVar(&country, "country", "", "ISO 3166-1 alpha-2 country, e.g. SG (required)")
	attest.Flags().StringVar(&expires, "expires", "", "expiry: YYYY-MM-DD (00:00 UTC) or RFC 3339 (required)")
	attest.Flags().StringVar(&recordHash, "record-hash", "", "0x 32-byte hash of the salted off-chain KYC record")
	attest.Flags().StringVar(&recordFile, "record", "", "file holding the salted off-chain record; its Keccak-256 is attested")
	for _, n := range []string{"level", "country", "expires"} {
		_ = attest.MarkFlagRequired(n)
	}

	var rf txFlags
	var reason string
	revoke := &cobra.Command{
		Use: "revoke ADDR", Short: "Revoke an account's attestation (its provider or a compliance officer)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := types.ParseAddress(args[0])
			if err != nil {
				return err
			}
			msg := &kyc.MsgRevoke{Account: a, Reason: reason}
			if err := msg.ValidateBasic(); err != nil {
				return err
			}
			return rf.send(g, kyc.TypeRevoke, msg)
		},
	}
	rf.register(revoke)
	revoke.Flags().StringVar(&reason, "reason", "", "short public reason code, never personal data (e.g. \"documents expired\")")
	cmd.AddCommand(attest, revoke)
	return cmd
}
