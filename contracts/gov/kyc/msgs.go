package kyc

import (
	"fmt"
	"unicode/utf8"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
)

// Transaction types of the kyc module.
const (
	TypeAttest = core.TypeKYC + 1 // MsgAttest: a KYC provider attests an account
	TypeRevoke = core.TypeKYC + 2 // MsgRevoke: its provider or a compliance officer revokes it
)

// MaxReasonLen bounds a revocation reason.
const MaxReasonLen = 128

// MsgAttest records (or replaces) Account's KYC attestation. The off-chain
// record stays with the provider; only its hash is on chain.
type MsgAttest struct {
	Account    types.Address
	Level      uint8      // 1..max_level; 0 means "no KYC" and is refused
	ExpiresAt  uint64     // block time, ms
	Country    string     // ISO 3166-1 alpha-2, e.g. "SG"
	RecordHash types.Hash // salted hash of the subject's off-chain record: shared by one subject's accounts (see package doc)
}

// ValidateBasic checks what needs no state.
func (m *MsgAttest) ValidateBasic() error {
	if m.Account == (types.Address{}) {
		return fmt.Errorf("attest: %w", ErrZeroAddress)
	}
	if m.Level == 0 {
		return fmt.Errorf("%w: level 0 means no KYC", ErrBadLevel)
	}
	if m.ExpiresAt == 0 {
		return fmt.Errorf("%w: 0", ErrBadExpiry)
	}
	if err := CheckCountry(m.Country); err != nil {
		return err
	}
	if m.RecordHash == (types.Hash{}) {
		return ErrBadRecordHash
	}
	return nil
}

// CheckCountry checks the ISO 3166-1 alpha-2 shape: two capital ASCII
// letters. Whether the code is assigned is the provider's responsibility.
func CheckCountry(c string) error {
	if len(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z' {
		return fmt.Errorf("%w: %q", ErrBadCountry, c)
	}
	return nil
}

// MsgRevoke revokes Account's attestation. Reason is a short public code
// ("fraud", "documents expired"): never personal data.
type MsgRevoke struct {
	Account types.Address
	Reason  string
}

// ValidateBasic checks what needs no state.
func (m *MsgRevoke) ValidateBasic() error {
	if m.Account == (types.Address{}) {
		return fmt.Errorf("revoke: %w", ErrZeroAddress)
	}
	if len(m.Reason) > MaxReasonLen || !utf8.ValidString(m.Reason) {
		return fmt.Errorf("%w: %d bytes (max %d, UTF-8)", ErrReasonTooLong, len(m.Reason), MaxReasonLen)
	}
	return nil
}

// DecodeAttest decodes and validates an attest payload.
func DecodeAttest(payload []byte) (*MsgAttest, error) {
	return core.DecodeValid[MsgAttest](payload)
}

// DecodeRevoke decodes and validates a revoke payload.
func DecodeRevoke(payload []byte) (*MsgRevoke, error) {
	return core.DecodeValid[MsgRevoke](payload)
}

// Cost is kyc's mempool CostFunc: kyc messages move no USDT besides the
// fee, so it only decodes and validates the payload.
func Cost(tx *types.Tx) (uint64, error) {
	var err error
	switch tx.Type {
	case TypeAttest:
		_, err = DecodeAttest(tx.Payload)
	case TypeRevoke:
		_, err = DecodeRevoke(tx.Payload)
	default:
		err = fmt.Errorf("%w %#x", core.ErrUnknownType, tx.Type)
	}
	return 0, err
}

// TxType is the message's transaction type.
func (*MsgAttest) TxType() types.TxType { return TypeAttest }

// TxType is the message's transaction type.
func (*MsgRevoke) TxType() types.TxType { return TypeRevoke }
