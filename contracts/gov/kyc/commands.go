package kyc

// The module's CLI commands (core.Commander): `tx kyc attest|revoke` and
// `query kyc ADDR`.

import (
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
	return "KYC attestations (KYC providers and compliance officers)"
}

// Commands implements core.Commander.
func (Module) Commands() []core.Command {
	return []core.Command{
		{Use: "attest ADDR", Args: 1,
			Short: "Attest an account's KYC as a KYC provider (replaces its previous attestation)",
			Long: "Attest an account's KYC. Only the hash of the off-chain record is on chain: give it with --record-hash,\n" +
				"or --record FILE to hash a file. Salt the record with a per-subject secret so the hash cannot be guessed,\n" +
				"and use one record for all accounts of one person or company (the hash links them).",
			Flags: []core.Flag{
				{Name: "level", Kind: core.FlagUint, Default: "0", Required: true, Usage: "KYC level, 1 to the chain's max_level (required)"},
				{Name: "country", Required: true, Usage: "ISO 3166-1 alpha-2 country, e.g. SG (required)"},
				{Name: "expires", Required: true, Usage: "expiry: YYYY-MM-DD (00:00 UTC) or RFC 3339 (required)"},
				{Name: "record-hash", Usage: "0x 32-byte hash of the salted off-chain KYC record"},
				{Name: "record", Usage: "file holding the salted off-chain record; its Keccak-256 is attested"}},
			Msg: attestMsg},
		{Use: "revoke ADDR", Args: 1, Short: "Revoke an account's attestation (its provider or a compliance officer)",
			Flags: []core.Flag{{Name: "reason", Usage: "short public reason code, never personal data (e.g. \"documents expired\")"}},
			Msg: func(in core.CommandInput) (core.Msg, error) {
				a, err := types.ParseAddress(in.Args[0])
				if err != nil {
					return nil, err
				}
				msg := &MsgRevoke{Account: a, Reason: in.Flags["reason"]}
				if err := msg.ValidateBasic(); err != nil {
					return nil, err
				}
				return msg, nil
			}},
		{Use: "kyc ADDR", Args: 1, Top: true, Short: "An account's KYC attestation and whether it is valid now",
			Query: func(in core.CommandInput) (string, []any, error) {
				a, err := types.ParseAddress(in.Args[0])
				if err != nil {
					return "", nil, err
				}
				return QueryMethod, []any{a.Hex()}, nil
			},
			Print: cmdkit.Print(printView)},
	}
}

func attestMsg(in core.CommandInput) (core.Msg, error) {
	a, err := types.ParseAddress(in.Args[0])
	if err != nil {
		return nil, err
	}
	level, err := strconv.ParseUint(in.Flags["level"], 10, 8)
	if err != nil {
		return nil, fmt.Errorf("--level: %w", err)
	}
	exp, err := cmdkit.Expiry(in.Flags["expires"])
	if err != nil {
		return nil, fmt.Errorf("--expires: %w", err)
	}
	rh, err := cmdkit.HashFileOrHex(in, "record-hash", in.Flags["record-hash"], "record", in.Flags["record"])
	if err != nil {
		return nil, err
	}
	msg := &MsgAttest{Account: a, Level: uint8(level), ExpiresAt: exp, Country: strings.ToUpper(in.Flags["country"]), RecordHash: rh}
	if err := msg.ValidateBasic(); err != nil {
		return nil, err
	}
	return msg, nil
}

func printView(w io.Writer, _ core.CommandInput, v *View) {
	cmdkit.KV(w, "account", v.Account, "status", v.Status, "level", strconv.Itoa(int(v.Level)),
		"order limit", v.OrderLimit+" USDT", "country", v.Country, "expires", cmdkit.Time(v.ExpiresAtMs),
		"provider", v.Provider, "attested", cmdkit.Time(v.AttestedAtMs), "record hash", v.RecordHash)
	if v.RevokedBy != "" {
		cmdkit.KV(w, "revoked by", v.RevokedBy, "revoked", cmdkit.Time(v.RevokedAtMs), "reason", cmdkit.OrDash(v.Reason))
	}
}
