package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/accordnet/accord/contracts/gov/kyc"
	"github.com/accordnet/accord/types"
	"github.com/spf13/cobra"
)

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
