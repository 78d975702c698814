package order

// The module's CLI commands (core.Commander): `tx order create|mark-paid|
// confirm|cancel|extend|dispute` and `query order ID`, `query orders`.

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/cmdkit"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/types"
)

var (
	_ core.Commander      = Module{}
	_ core.CommandGrouper = Module{}
)

// CommandGroup implements core.CommandGrouper.
func (Module) CommandGroup() string {
	return "C2C order transactions: create, mark-paid, confirm, cancel, extend, dispute"
}

// Created is what `tx order create` reports.
type Created struct {
	OrderID       string          `json:"order_id"`
	MerchantRef   string          `json:"merchant_ref"`
	TxHash        string          `json:"tx_hash"`
	State         string          `json:"state,omitempty"` // LOCKED or REJECTED, with --wait
	Acceptor      string          `json:"acceptor,omitempty"`
	Amount        string          `json:"amount,omitempty"`
	AmountMicro   uint64          `json:"amount_micro,omitempty"`
	Method        string          `json:"method,omitempty"`
	PayDeadlineMs uint64          `json:"pay_deadline_ms,omitempty"`
	Reason        string          `json:"reason,omitempty"`
	Receipt       json.RawMessage `json:"receipt,omitempty"`
}

// NewCreated reads an order's outcome from its creating receipt.
func NewCreated(id types.Hash, ref string, s core.Sent) Created {
	out := Created{OrderID: id.Hex(), MerchantRef: ref, TxHash: s.Hash.Hex()}
	if s.Receipt == nil {
		return out
	}
	out.Receipt = s.Receipt.JSON
	if !s.Receipt.OK {
		return out
	}
	var locked LockedEvent
	var rejected RejectedEvent
	var created CreatedEvent
	if ok, _ := s.FindEvent(&locked); ok {
		out.State, out.Acceptor, out.Method = StateLocked.String(), locked.Acceptor.Hex(), locked.Method.Hex()
		out.AmountMicro, out.Amount = locked.Amount, types.FormatUSDT(locked.Amount)
		out.PayDeadlineMs = locked.PayDeadline
	} else if ok, _ := s.FindEvent(&rejected); ok {
		out.State, out.Reason = StateRejected.String(), rejected.Reason
		if ok, _ := s.FindEvent(&created); ok {
			out.AmountMicro, out.Amount = created.Amount, types.FormatUSDT(created.Amount)
		}
	}
	return out
}

// ref is --ref, or a random one the create command fills in once.
func ref(in core.CommandInput) string {
	if r := in.Flags["ref"]; r != "" {
		return r
	}
	if in.Random == nil {
		return ""
	}
	b := make([]byte, 8)
	in.Random(b)
	r := "cli-" + hex.EncodeToString(b)
	in.Flags["ref"] = r
	return r
}

func createMsg(in core.CommandInput) (core.Msg, error) {
	cur, err := oracle.LookupCurrency(strings.ToUpper(in.Flags["currency"]))
	if err != nil {
		return nil, fmt.Errorf("--currency: %w", err)
	}
	minor, err := oracle.ParseFiat(in.Flags["amount"], cur.Decimals)
	if err != nil {
		return nil, fmt.Errorf("--amount: %w", err)
	}
	msg := &MsgCreate{Currency: cur.Code, FiatAmount: minor, MerchantRef: ref(in)}
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	return msg, nil
}

func createReport(in core.CommandInput, s core.Sent) (core.Report, error) {
	r := in.Flags["ref"]
	out := NewCreated(OrderID(s.From, r), r, s)
	if in.Flags["print-id"] == "true" {
		if err := s.Failed(); err != nil {
			return core.Report{}, err
		}
		if out.State == "REJECTED" {
			return core.Report{}, fmt.Errorf("order %s rejected: %s (retry with --ref %s)", out.OrderID, out.Reason, r)
		}
		return core.Report{Text: out.OrderID + "\n", Replace: true, Always: true}, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "order     %s\nref       %s\ntx        %s\n", out.OrderID, out.MerchantRef, out.TxHash)
	if s.Receipt != nil {
		fmt.Fprintf(&b, "block     %d\n", s.Receipt.Height)
	}
	switch out.State {
	case "LOCKED":
		fmt.Fprintf(&b, "state     LOCKED\nacceptor  %s\namount    %s USDT\nmethod    %s\npay by    %s\n",
			out.Acceptor, out.Amount, out.Method, cmdkit.Time(out.PayDeadlineMs))
	case "REJECTED":
		fmt.Fprintf(&b, "state     REJECTED (%s; retry with --ref %s)\namount    %s USDT\n", out.Reason, r, out.Amount)
	}
	return core.Report{JSON: out, Text: b.String(), Replace: true}, nil
}

func idArg(s string) (types.Hash, error) {
	id, err := types.ParseHash(s)
	if err != nil {
		return id, fmt.Errorf("order ID: %w", err)
	}
	return id, nil
}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	byID := func(use, short string, mk func(id types.Hash) Msg) core.Command {
		return core.Command{Use: use + " ORDER_ID", Short: short, Args: 1,
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := idArg(in.Args[0])
				if err != nil {
					return nil, err
				}
				m := mk(id)
				if err := m.ValidateBasic(); err != nil {
					return nil, err
				}
				return m, nil
			}}
	}
	return []core.Command{
		{Use: "create",
			Short: "Create an order as merchant --from: the chain converts the fiat amount, assigns an acceptor and locks its USDT",
			Long: "Create an order as merchant --from. The order ID is Keccak-256(\"accord/order/v1\" ‖ merchant ‖ ref), known\n" +
				"before sending; with --wait the assigned acceptor, the USDT amount and the payment deadline are printed.",
			Flags: []core.Flag{
				{Name: "currency", Required: true, Usage: "fiat currency, ISO 4217 (required)"},
				{Name: "amount", Required: true, Usage: "fiat amount in the currency, e.g. 100.50 (required)"},
				{Name: "ref", Usage: "merchant order reference, 1-64 printable ASCII without spaces (default: random)"},
				{Name: "print-id", Kind: core.FlagBool, Default: "false", Usage: "print only the order ID, for scripts: ORDER=$(accord tx order create ... --wait --print-id); a rejected order is an error"}},
			Msg: createMsg, Report: createReport},
		{Use: "mark-paid ORDER_ID", Short: "Say the merchant paid the fiat (LOCKED → PAID)", Args: 1,
			Flags: []core.Flag{{Name: "payment-ref", Required: true, Usage: "off-chain payment reference (bank transfer ID...): a 0x 32-byte hash, or text that is hashed (required)"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := idArg(in.Args[0])
				if err != nil {
					return nil, err
				}
				h, err := cmdkit.HashArg(in.Flags["payment-ref"])
				if err != nil {
					return nil, fmt.Errorf("--payment-ref: %w", err)
				}
				return &MsgMarkPaid{ID: id, PaymentRef: h}, nil
			}},
		byID("confirm", "Confirm the fiat arrived (acceptor; PAID → COMPLETED, escrow released)", func(id types.Hash) Msg { return &MsgConfirm{ID: id} }),
		byID("cancel", "Cancel a locked, unpaid order (merchant; escrow back to the acceptor)", func(id types.Hash) Msg { return &MsgCancel{ID: id} }),
		byID("extend", "Extend the payment window once, near its end (acceptor)", func(id types.Hash) Msg { return &MsgExtend{ID: id} }),
		{Use: "dispute ORDER_ID", Short: "Contest a paid order (PAID → DISPUTED), as its merchant or acceptor", Args: 1,
			Flags: []core.Flag{{Name: "evidence", Usage: "hash of an off-chain statement (0x 32-byte hash, or text that is hashed)"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				id, err := idArg(in.Args[0])
				if err != nil {
					return nil, err
				}
				var h types.Hash
				if e := in.Flags["evidence"]; e != "" {
					if h, err = cmdkit.HashArg(e); err != nil {
						return nil, fmt.Errorf("--evidence: %w", err)
					}
				}
				return &MsgDispute{ID: id, Evidence: h}, nil
			}},

		{Use: "order ID", Args: 1, Top: true, Short: "An order by ID",
			Query: func(in core.CommandInput) (string, []any, error) {
				id, err := idArg(in.Args[0])
				if err != nil {
					return "", nil, err
				}
				return QueryOrder, []any{id.Hex()}, nil
			},
			Print: cmdkit.Print(func(w io.Writer, _ core.CommandInput, o *View) { printView(w, o) })},
		{Use: "orders", Top: true, Short: "A merchant's or an acceptor's orders in creation order (--merchant or --acceptor)",
			Flags: []core.Flag{
				{Name: "merchant", Usage: "merchant address"},
				{Name: "acceptor", Usage: "acceptor address"},
				{Name: "state", Usage: "only orders in this state (LOCKED, PAID, COMPLETED, EXPIRED, CANCELLED, REJECTED, DISPUTED, ...)"},
				{Name: "after", Kind: core.FlagUint, Default: "0", Usage: "list orders created after this sequence number (paging)"},
				{Name: "limit", Kind: core.FlagInt, Default: "0", Usage: "at most this many (default 100, max 1000)"}},
			Query: ordersQuery, Print: cmdkit.Print(printList)},
	}
}

func ordersQuery(in core.CommandInput) (string, []any, error) {
	f := Filter{Merchant: in.Flags["merchant"], Acceptor: in.Flags["acceptor"], State: in.Flags["state"]}
	if (f.Merchant == "") == (f.Acceptor == "") {
		return "", nil, fmt.Errorf("give exactly one of --merchant or --acceptor")
	}
	var err error
	if f.After, err = strconv.ParseUint(in.Flags["after"], 10, 64); err != nil {
		return "", nil, fmt.Errorf("--after: %w", err)
	}
	if f.Limit, err = strconv.Atoi(in.Flags["limit"]); err != nil {
		return "", nil, fmt.Errorf("--limit: %w", err)
	}
	return QueryOrders, []any{f}, nil
}

func printView(w io.Writer, o *View) {
	deadline := "-"
	switch o.State {
	case "LOCKED":
		deadline = "pay by " + cmdkit.Time(o.DeadlineMs)
	case "PAID":
		deadline = "confirm by " + cmdkit.Time(o.DeadlineMs)
	}
	cmdkit.KV(w, "order", o.ID, "state", o.State, "merchant", o.Merchant, "ref", o.MerchantRef, "acceptor", cmdkit.OrDash(o.Acceptor),
		"fiat", o.FiatAmount+" "+o.Currency, "amount", o.Amount+" USDT",
		"fees", fmt.Sprintf("commission %d bps, platform fee %d bps", o.CommissionBps, o.FeeBps),
		"method", cmdkit.OrDash(o.Method), "created", fmt.Sprintf("%s (block %d)", cmdkit.Time(o.CreatedAtMs), o.CreatedHeight),
		"deadline", deadline, "extended", strconv.FormatBool(o.Extended), "paid", cmdkit.Time(o.PaidAtMs),
		"payment ref", cmdkit.OrDash(o.PaymentRef), "closed", cmdkit.Time(o.ClosedAtMs))
}

func printList(w io.Writer, in core.CommandInput, v *ListView) {
	byAcceptor := in.Flags["acceptor"] != ""
	t := cmdkit.Table(w)
	other := "ACCEPTOR"
	if byAcceptor {
		other = "MERCHANT"
	}
	fmt.Fprintf(t, "ID\tSTATE\tFIAT\tUSDT\t%s\tCREATED\n", other)
	for _, o := range v.Orders {
		party := o.Acceptor
		if byAcceptor {
			party = o.Merchant
		}
		fmt.Fprintf(t, "%s\t%s\t%s %s\t%s\t%s\t%s\n", o.ID, o.State, o.FiatAmount, o.Currency, o.Amount, cmdkit.OrDash(party), cmdkit.Time(o.CreatedAtMs))
	}
	t.Flush()
	if v.Next != 0 {
		fmt.Fprintf(w, "more: --after %d\n", v.Next)
	}
}
