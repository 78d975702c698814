// Package cmdkit holds what the modules' CLI commands (core.Command)
// share: argument parsers and the plain-text layout of query results. It
// runs in the CLI only, never in a state transition; what I/O it needs
// (reading a named file) comes in through core.CommandInput.
package cmdkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Table is an aligned table on w; Flush it when done.
func Table(w io.Writer) *tabwriter.Writer { return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0) }

// KV prints aligned "key  value" lines.
func KV(w io.Writer, pairs ...string) {
	t := Table(w)
	for i := 0; i+1 < len(pairs); i += 2 {
		fmt.Fprintf(t, "%s\t%s\n", pairs[i], pairs[i+1])
	}
	t.Flush()
}

// OrDash is s, or "-" when empty.
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Time renders a block time (unix ms) as RFC 3339 UTC, or "-" for 0.
func Time(ms uint64) string {
	if ms == 0 {
		return "-"
	}
	return time.UnixMilli(int64(ms)).UTC().Format(time.RFC3339)
}

// Print adapts a printer of a query's result type V to core.Command.Print.
func Print[V any](p func(w io.Writer, in core.CommandInput, v *V)) func(io.Writer, core.CommandInput, json.RawMessage) error {
	return func(w io.Writer, in core.CommandInput, raw json.RawMessage) error {
		var v V
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("decode the node's answer: %w", err)
		}
		p(w, in, &v)
		return nil
	}
}

// USDT parses a positive USDT amount flag.
func USDT(name, v string) (uint64, error) {
	amt, err := types.ParseUSDT(v)
	if err != nil {
		return 0, fmt.Errorf("--%s: %w", name, err)
	}
	if amt == 0 {
		return 0, fmt.Errorf("--%s must be positive", name)
	}
	return amt, nil
}

// HashArg turns a 0x-prefixed 32-byte hex string into that hash and any
// other text into its Keccak-256 (so a payment reference or an evidence
// note can be given as text; only its hash goes on chain).
func HashArg(s string) (types.Hash, error) {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		return types.ParseHash(s)
	}
	if s == "" {
		return types.Hash{}, errors.New("empty")
	}
	return types.Keccak([]byte(s)), nil
}

// HashFileOrHex returns the hash given as hex, or the Keccak-256 of a
// file's contents (exactly one of the two must be set).
func HashFileOrHex(in core.CommandInput, hexFlag, hexVal, fileFlag, file string) (types.Hash, error) {
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
		if in.ReadFile == nil {
			return types.Hash{}, fmt.Errorf("--%s: no files here", fileFlag)
		}
		b, err := in.ReadFile(file)
		if err != nil {
			return types.Hash{}, fmt.Errorf("--%s: %w", fileFlag, err)
		}
		return types.Keccak(b), nil
	}
	return types.Hash{}, fmt.Errorf("--%s or --%s is required", hexFlag, fileFlag)
}

// Expiry parses a date (00:00 UTC that day) or an RFC 3339 time into unix
// milliseconds.
func Expiry(s string) (uint64, error) {
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
