package lightclient

import (
	"testing"

	"github.com/accordnet/accord/types"
)

// Helpers for the external tests (gov_test.go). Those import
// contracts/gov/govtest, which assembles the application, which imports
// this package: an internal test importing it would be an import cycle.

// TestBlock is a main-chain header with its receipts.
type TestBlock = block

// TestEnv is a light client over a fresh state.
type TestEnv = env

// NewTestKeys, NewTestEnv, MkTestBlock and LockTestReceipt are the
// internal tests' helpers.
var (
	NewTestKeys     = newKeys
	NewTestEnv      = newEnv
	MkTestBlock     = mkBlock
	LockTestReceipt = lockReceipt
)

// CertifyTest signs b's header with every key of set.
func CertifyTest(t testing.TB, b *TestBlock, set valKeys) types.CommitCert {
	return certify(t, &b.hdr, set)
}

// Receipts returns b's receipts.
func (b *block) Receipts() []*types.Receipt { return b.rs }

// Update relays b with cert and changes.
func (e *env) Update(b TestBlock, cert types.CommitCert, changes ...ChangeProof) error {
	return e.update(b, cert, changes...)
}

// SetAt is the client's validator set at main height h.
func (e *env) SetAt(h uint64) (*types.ValidatorSet, error) { return e.m.SetAt(e.st, h) }
