package gov

import (
	"fmt"
	"github.com/accordnet/accord/contracts/core"
	"strconv"
)

// Limits on parameter names and values.
const (
	MaxModuleLen     = 32
	MaxKeyLen        = 64
	MaxParamValueLen = 1024
)

// Gov's own parameters (module "gov").
const (
	ParamProposalTTL      = "proposal_ttl_ms"    // block-time ms a proposal stays open
	ParamMaxOpenProposals = "max_open_proposals" // per proposing admin

	DefaultProposalTTL      uint64 = 7 * 24 * 3600 * 1000 // 7 days
	DefaultMaxOpenProposals uint64 = 16
)

// ModuleName is gov's key in the genesis document and its parameter module.
const ModuleName = "gov"

// CheckParamName validates a parameter's module and key: module is 1–32 of
// [a-z0-9_], key is 1–64 of [a-z0-9_.].
func CheckParamName(module, key string) error {
	if !validName(module, MaxModuleLen, false) {
		return fmt.Errorf("%w: module %q", ErrBadParamName, module)
	}
	if !validName(key, MaxKeyLen, true) {
		return fmt.Errorf("%w: key %q", ErrBadParamName, key)
	}
	return nil
}

func validName(s string, max int, dots bool) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_':
		case c == '.' && dots:
		default:
			return false
		}
	}
	return true
}

// ParamSpec declares one parameter a module reads through gov (see
// core.ParamSpec). Modules declare theirs through core.ParamDeclarer; the
// router hands the collected specs to gov.
type ParamSpec = core.ParamSpec

// Uint64Spec declares a uint64 parameter stored as a canonical decimal
// string (no sign, no leading zeros) within [min, max].
func Uint64Spec(module, key string, min, max uint64) ParamSpec {
	return ParamSpec{Module: module, Key: key, Validate: func(v []byte) error {
		n, err := ParseUint64Param(v)
		if err != nil {
			return err
		}
		if n < min || n > max {
			return fmt.Errorf("%w: %d outside [%d, %d]", ErrBadParam, n, min, max)
		}
		return nil
	}}
}

// ParseUint64Param parses a canonical decimal uint64 parameter value.
func ParseUint64Param(v []byte) (uint64, error) {
	n, err := strconv.ParseUint(string(v), 10, 64)
	if err != nil || strconv.FormatUint(n, 10) != string(v) {
		return 0, fmt.Errorf("%w: %q is not a canonical decimal uint64", ErrBadParam, v)
	}
	return n, nil
}

// FormatUint64Param is the stored form of a uint64 parameter.
func FormatUint64Param(n uint64) []byte { return []byte(strconv.FormatUint(n, 10)) }

// OwnParamSpecs are gov's own parameters.
func OwnParamSpecs() []ParamSpec {
	return []ParamSpec{
		Uint64Spec(ModuleName, ParamProposalTTL, 60_000, 365*24*3600*1000),
		Uint64Spec(ModuleName, ParamMaxOpenProposals, 1, 1024),
	}
}

// checkParam validates a parameter against specs (see ParamSpec).
func checkParam(specs []ParamSpec, module, key string, value []byte) error {
	if err := CheckParamName(module, key); err != nil {
		return err
	}
	if len(value) > MaxParamValueLen {
		return fmt.Errorf("%w: %s/%s value of %d bytes (max %d)", ErrBadParam, module, key, len(value), MaxParamValueLen)
	}
	declared := false
	for _, s := range specs {
		if s.Module != module {
			continue
		}
		declared = true
		if s.Matches(module, key) {
			if s.CheckKey != nil {
				if err := s.CheckKey(key); err != nil {
					return fmt.Errorf("%w %s/%s: %w", ErrUnknownParam, module, key, err)
				}
			}
			if s.Validate == nil {
				return nil
			}
			if err := s.Validate(value); err != nil {
				return fmt.Errorf("param %s/%s: %w", module, key, err)
			}
			return nil
		}
	}
	if declared {
		return fmt.Errorf("%w %s/%s", ErrUnknownParam, module, key)
	}
	return nil
}
