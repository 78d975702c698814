package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/channel"
	"github.com/accordnet/accord/types"
)

// voucherView is what `channel voucher` and `channel verify` print.
type voucherView struct {
	Voucher string        `json:"voucher"` // 0x hex, for `tx channel redeem`
	Channel types.Hash    `json:"channel"`
	Amount  uint64        `json:"amount"` // cumulative micro-USDT
	Nonce   uint64        `json:"nonce"`
	Signer  types.Address `json:"signer"`
	ChainID string        `json:"chain_id"`
	// Redeemable (verify only): what redeeming it now would pay the payee.
	Redeemable *uint64 `json:"redeemable,omitempty"`
}

// newChannelCmd is `channel voucher|verify`: the payer's off-chain side
// of a payment channel. Vouchers are signed here, never sent: the payer
// hands them to the payee, who redeems the latest with `tx channel redeem`.
func newChannelCmd(g *globals) *cobra.Command {
	root := &cobra.Command{Use: "channel", Short: "Sign and check payment-channel vouchers (off-chain)"}
	var id, amount, from, pwFile, chainID string
	var nonce optNonce
	voucher := &cobra.Command{Use: "voucher", Short: "Sign a voucher for a cumulative --amount of --channel with the payer's key", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ch, err := types.ParseHash(id)
			if err != nil {
				return fmt.Errorf("--channel: %w", err)
			}
			amt, err := types.ParseUSDT(amount)
			if err != nil {
				return fmt.Errorf("--amount: %w", err)
			}
			if pwFile == "" {
				return errors.New("--password-file is required to decrypt the payer's key")
			}
			pw, err := client.ReadPassword(pwFile)
			if err != nil {
				return err
			}
			key, err := g.keyring().Load(from, pw)
			if err != nil {
				return err
			}
			ctx, cancel := g.ctx()
			defer cancel()
			c := g.client()
			if chainID == "" {
				st, err := c.Status(ctx)
				if err != nil {
					return fmt.Errorf("chain ID (or pass --chain-id): %w", err)
				}
				chainID = st.ChainID
			}
			n := nonce.v
			if !nonce.set {
				// The next nonce after the last redeemed one: the node knows it.
				var cv channel.View
				if err := c.Call(ctx, channel.QueryMethod, &cv, ch.Hex()); err != nil {
					return fmt.Errorf("channel's nonce (or pass --nonce): %w", err)
				}
				if cv.Payer != types.PubkeyAddress(key) {
					return fmt.Errorf("key %s is not the channel's payer %s", from, cv.Payer.Hex())
				}
				n = cv.Nonce + 1
			}
			v, err := channel.SignVoucher(chainID, ch, amt, n, key)
			if err != nil {
				return err
			}
			return printJSON(voucherView{Voucher: v.String(), Channel: ch, Amount: amt, Nonce: n,
				Signer: types.PubkeyAddress(key), ChainID: chainID})
		}}
	voucher.Flags().StringVar(&id, "channel", "", "channel ID (0x hash)")
	voucher.Flags().StringVar(&amount, "amount", "", "cumulative USDT the payee may take")
	voucher.Flags().StringVar(&from, "from", "", "name of the payer's key (required)")
	voucher.Flags().StringVar(&pwFile, "password-file", "", passwordFileHelp("the key's password (required)"))
	voucher.Flags().StringVar(&chainID, "chain-id", "", "chain ID to sign for (default: the node's)")
	voucher.Flags().Var(&nonce, "nonce", "voucher nonce (default: one past the channel's last redeemed)")
	_ = voucher.MarkFlagRequired("from")

	var vChainID string
	verify := &cobra.Command{Use: "verify VOUCHER", Short: "Check a voucher against its channel on the node: signer, amount, nonce", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			v, err := channel.ParseVoucher(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := g.ctx()
			defer cancel()
			c := g.client()
			if vChainID == "" {
				st, err := c.Status(ctx)
				if err != nil {
					return fmt.Errorf("chain ID (or pass --chain-id): %w", err)
				}
				vChainID = st.ChainID
			}
			var cv channel.View
			if err := c.Call(ctx, channel.QueryMethod, &cv, v.Channel.Hex()); err != nil {
				return err
			}
			if err := v.Verify(vChainID, cv.Payer); err != nil {
				return err
			}
			switch {
			case v.Nonce <= cv.Nonce:
				return fmt.Errorf("voucher nonce %d is not past the last redeemed %d", v.Nonce, cv.Nonce)
			case v.Amount <= cv.Redeemed:
				return fmt.Errorf("voucher amount %s is not past the redeemed %s", types.FormatUSDT(v.Amount), types.FormatUSDT(cv.Redeemed))
			case v.Amount > cv.Deposit:
				return fmt.Errorf("voucher amount %s exceeds the deposit %s", types.FormatUSDT(v.Amount), types.FormatUSDT(cv.Deposit))
			}
			r := v.Amount - cv.Redeemed
			return printJSON(voucherView{Voucher: v.String(), Channel: v.Channel, Amount: v.Amount, Nonce: v.Nonce,
				Signer: cv.Payer, ChainID: vChainID, Redeemable: &r})
		}}
	verify.Flags().StringVar(&vChainID, "chain-id", "", "chain ID the voucher is for (default: the node's)")
	root.AddCommand(voucher, verify)
	return root
}
