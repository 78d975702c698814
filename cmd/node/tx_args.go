package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/accordnet/accord/types"
)

// Argument parsers shared by the module tx commands (tx_acceptor.go,
// tx_order.go, tx_oracle.go, tx_gov.go, tx_kyc.go). Each command signs one
// message with --from through txFlags.send (or submit, for commands that
// report what the receipt says).

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
