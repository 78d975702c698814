package bank

// The module's CLI command (core.Commander): `tx transfer`.

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/internal/cmdkit"
	"github.com/accordnet/accord/types"
)

var _ core.Commander = Module{}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{{Use: "transfer", Short: "Transfer USDT", Top: true,
		Flags: []core.Flag{{Name: "to", Required: true, Usage: "recipient address (required)"},
			{Name: "amount", Required: true, Usage: "amount in USDT, e.g. 1.5 (required)"}},
		Msg: func(in core.CommandInput) (core.Msg, error) {
			to, err := types.ParseAddress(in.Flags["to"])
			if err != nil {
				return nil, fmt.Errorf("--to: %w", err)
			}
			amt, err := cmdkit.USDT("amount", in.Flags["amount"])
			if err != nil {
				return nil, err
			}
			return &MsgTransfer{To: to, Amount: amt}, nil
		}}}
}
