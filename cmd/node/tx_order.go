package main

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/oracle"
	"github.com/accordnet/accord/contracts/order"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

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
	var locked order.LockedEvent
	var rejected order.RejectedEvent
	var created order.CreatedEvent
	if ok, _ := s.Receipt.FindEvent(&locked); ok {
		out.State, out.Acceptor, out.Method = order.StateLocked.String(), locked.Acceptor.Hex(), locked.Method.Hex()
		out.AmountMicro, out.Amount = locked.Amount, types.FormatUSDT(locked.Amount)
		out.PayDeadlineMs = locked.PayDeadline
	} else if ok, _ := s.Receipt.FindEvent(&rejected); ok {
		out.State, out.Reason = order.StateRejected.String(), rejected.Reason
		if ok, _ := s.Receipt.FindEvent(&created); ok {
			out.AmountMicro, out.Amount = created.Amount, types.FormatUSDT(created.Amount)
		}
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
