package main

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

// txFlags are shared by every `tx` subcommand.
type txFlags struct {
	from    string
	pwFile  string
	fee     string
	wait    bool
	chainID string
	nonce   optNonce
}

// optNonce is the --nonce flag: unset means "the account's next pending
// nonce". An int flag with a -1 default would print "(default -1)" in the
// help, and would accept other negative numbers.
type optNonce struct {
	set bool
	v   uint64
}

func (n *optNonce) String() string {
	if !n.set {
		return ""
	}
	return strconv.FormatUint(n.v, 10)
}

func (n *optNonce) Set(s string) error {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return fmt.Errorf("%q: want a non-negative integer", s)
	}
	n.set, n.v = true, v
	return nil
}

func (n *optNonce) Type() string { return "uint" }

// passwordFileHelp is the help of every --password-file flag. One trailing
// newline (\n or \r\n) is dropped so that `echo secret > pw` works; other
// tools (geth, ethers.js) read the file as is, so a key made from such a
// file has the password without the newline there.
func passwordFileHelp(what string) string {
	return "file holding " + what + "; one trailing newline is dropped (echo secret > pw gives the password \"secret\")"
}

func (f *txFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.from, "from", "", "name of the signing key (required)")
	cmd.Flags().StringVar(&f.pwFile, "password-file", "", passwordFileHelp("the key's password (required)"))
	cmd.Flags().StringVar(&f.fee, "fee", "", "fee in USDT (default: the chain's minimum fee)")
	cmd.Flags().BoolVar(&f.wait, "wait", false, "wait until the transaction is in a committed block and print its receipt")
	cmd.Flags().StringVar(&f.chainID, "chain-id", "", "chain ID to sign for (default: the node's)")
	cmd.Flags().Var(&f.nonce, "nonce", "nonce to use (default: the account's next pending nonce)")
	_ = cmd.MarkFlagRequired("from")
}

// sent is a submitted transaction: its sender, hash and, with --wait, its
// receipt.
type sent struct {
	From    types.Address
	Hash    types.Hash
	Receipt *views.Receipt
}

// failed is the error of a committed transaction whose message failed.
func (s *sent) failed() error {
	if r := s.Receipt; r != nil && r.Status != "ok" {
		return fmt.Errorf("transaction %s failed in block %d: %s", r.TxHash, r.Height, r.Error)
	}
	return nil
}

// send signs payload as a transaction of type t from --from, submits it
// and prints its hash or, with --wait, its receipt.
func (f *txFlags) send(g *globals, t types.TxType, payload any) error {
	s, err := f.submit(g, t, payload)
	if err != nil {
		return err
	}
	if s.Receipt == nil {
		if g.jsonOut {
			return printJSON(views.SendResult{Hash: s.Hash.Hex()})
		}
		fmt.Println(s.Hash.Hex())
		return nil
	}
	if g.jsonOut {
		if err := printJSON(s.Receipt); err != nil {
			return err
		}
	} else {
		printReceipt(s.Receipt)
	}
	return s.failed()
}

// submit signs payload as a transaction of type t from --from and submits
// it; with --wait it also waits for the receipt. It prints nothing.
func (f *txFlags) submit(g *globals, t types.TxType, payload any) (*sent, error) {
	if f.pwFile == "" {
		return nil, errors.New("--password-file is required to decrypt the signing key")
	}
	pw, err := client.ReadPassword(f.pwFile)
	if err != nil {
		return nil, err
	}
	key, err := g.keyring().Load(f.from, pw)
	if err != nil {
		return nil, err
	}
	c := g.client()
	ctx, cancel := g.ctx()
	defer cancel()
	st, err := c.Status(ctx)
	if err != nil {
		return nil, err
	}
	chainID := st.ChainID
	if f.chainID != "" {
		chainID = f.chainID
	}
	fee := st.MinFeeMicro
	if f.fee != "" {
		if fee, err = types.ParseUSDT(f.fee); err != nil {
			return nil, fmt.Errorf("--fee: %w", err)
		}
	}
	s := client.NewSigner(key, chainID, fee)
	if f.nonce.set {
		s.SetNonce(f.nonce.v)
	}
	tx, err := s.Sign(ctx, c, t, payload)
	if err != nil {
		return nil, err
	}
	h, err := c.SendTx(ctx, tx)
	if err != nil {
		return nil, fmt.Errorf("transaction rejected: %w", err)
	}
	out := &sent{From: s.Address(), Hash: h}
	if !f.wait {
		return out, nil
	}
	if out.Receipt, err = c.WaitReceipt(ctx, h); err != nil {
		return nil, err
	}
	return out, nil
}

func printReceipt(r *views.Receipt) {
	fmt.Printf("tx      %s\nstatus  %s\nblock   %d (%s)\nfrom    %s\nnonce   %d\ntype    %s\nfee     %s USDT\n",
		r.TxHash, r.Status, r.Height, r.BlockHash, r.From, r.Nonce, r.Type, r.Fee)
	if r.Error != "" {
		fmt.Printf("error   %s\n", r.Error)
	}
	if r.Codespace != "" {
		fmt.Printf("code    %s/%d\n", r.Codespace, r.Code)
	}
	for _, e := range r.Events {
		fmt.Printf("event   %s", e.Type)
		for _, k := range sortedKeys(e.Attrs) {
			fmt.Printf(" %s=%s", k, e.Attrs[k])
		}
		fmt.Println()
	}
}

func newTxCmd(g *globals) *cobra.Command {
	return &cobra.Command{Use: "tx", Short: "Sign and send transactions"}
}
