package pay

import (
	"crypto/ecdsa"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/rlp"
)

// Outcome is what an attester says happened.
type Outcome uint8

// Outcomes.
const (
	OutcomeDelivered Outcome = 1 // release to the payee
	OutcomeFailed    Outcome = 2 // refund the payer
)

// Valid reports whether o is a known outcome.
func (o Outcome) Valid() bool { return o == OutcomeDelivered || o == OutcomeFailed }

func (o Outcome) String() string {
	switch o {
	case OutcomeDelivered:
		return "delivered"
	case OutcomeFailed:
		return "failed"
	}
	return fmt.Sprintf("outcome(%d)", uint8(o))
}

// ParseOutcome parses "delivered" or "failed".
func ParseOutcome(s string) (Outcome, error) {
	for _, o := range []Outcome{OutcomeDelivered, OutcomeFailed} {
		if o.String() == s {
			return o, nil
		}
	}
	return 0, fmt.Errorf("%w %q", ErrBadOutcome, s)
}

// Attestation is an attester's signed outcome for one payment. Whoever
// holds it may submit it (MsgAttest): the signature, not the sender, is
// the authority.
type Attestation struct {
	Payment types.Hash
	Outcome Outcome
	Sig     []byte // 65-byte secp256k1 [R‖S‖V] over AttestationDigest
}

// MaxAttestationSize bounds an attestation's encoding.
const MaxAttestationSize = 256

const attestDomain = "accord/pay/attestation/v1"

// AttestationDigest is what the attester signs:
//
//	Keccak-256("accord/pay/attestation/v1" ‖ len(chainID) ‖ chainID ‖ paymentID ‖ outcome)
func AttestationDigest(chainID string, payment types.Hash, o Outcome) types.Hash {
	return types.Keccak([]byte(attestDomain), []byte{byte(len(chainID))}, []byte(chainID), payment[:], []byte{byte(o)})
}

// SignAttestation signs outcome o of payment on chainID with the
// attester's key.
func SignAttestation(chainID string, payment types.Hash, o Outcome, key *ecdsa.PrivateKey) (*Attestation, error) {
	a := &Attestation{Payment: payment, Outcome: o}
	if err := a.checkFields(); err != nil {
		return nil, err
	}
	sig, err := types.SignDigest(AttestationDigest(chainID, payment, o), key)
	if err != nil {
		return nil, fmt.Errorf("sign attestation: %w", err)
	}
	a.Sig = sig
	return a, nil
}

func (a *Attestation) checkFields() error {
	if a.Payment == (types.Hash{}) {
		return fmt.Errorf("%w: %w", ErrBadAttestation, ErrZeroID)
	}
	if !a.Outcome.Valid() {
		return fmt.Errorf("%w: %w %d", ErrBadAttestation, ErrBadOutcome, a.Outcome)
	}
	return nil
}

// ValidateBasic checks what needs no state and no chain ID.
func (a *Attestation) ValidateBasic() error {
	if err := a.checkFields(); err != nil {
		return err
	}
	if len(a.Sig) != types.SignatureLength {
		return fmt.Errorf("%w: signature of %d bytes", ErrBadAttestation, len(a.Sig))
	}
	return nil
}

// Verify checks that attester signed the attestation for chainID.
func (a *Attestation) Verify(chainID string, attester types.Address) error {
	if err := a.ValidateBasic(); err != nil {
		return err
	}
	got, err := types.RecoverAddress(AttestationDigest(chainID, a.Payment, a.Outcome), a.Sig)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrWrongAttester, err)
	}
	if got != attester {
		return fmt.Errorf("%w: signed by %s, attester %s", ErrWrongAttester, got.Hex(), attester.Hex())
	}
	return nil
}

// String is the attestation as 0x-prefixed hex of its RLP encoding.
func (a *Attestation) String() string { return "0x" + hex.EncodeToString(core.Encode(a)) }

// ParseAttestation parses String's form.
func ParseAttestation(s string) (*Attestation, error) {
	b, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(s), "0x"))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadAttestation, err)
	}
	if len(b) > MaxAttestationSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrAttestationSize, len(b))
	}
	var a Attestation
	if err := rlp.DecodeBytes(b, &a); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadAttestation, err)
	}
	if err := a.ValidateBasic(); err != nil {
		return nil, err
	}
	return &a, nil
}
