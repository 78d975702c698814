package types

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// Certificate errors.
var (
	ErrBadCert  = errors.New("invalid commit certificate")
	ErrNoQuorum = errors.New("certificate lacks a quorum")
)

// CommitSig is one validator's COMMIT signature in a certificate.
type CommitSig struct {
	Index uint32 // position in the validator set of that height
	Sig   []byte // 65-byte signature over CommitDigest
}

// CommitCert proves a block final: a quorum of COMMIT signatures for
// (chain ID, height, view, block hash), sorted by validator index.
type CommitCert struct {
	Height    uint64
	View      uint64
	BlockHash Hash
	Sigs      []CommitSig
}

// Vote kinds, part of every signed vote digest so a PREPARE can never be
// replayed as a COMMIT.
const (
	VotePrepare = "accord/prepare"
	VoteCommit  = "accord/commit"
)

// VoteDigest is what a validator signs for a vote of the given kind.
func VoteDigest(kind, chainID string, height, view uint64, blockHash Hash) Hash {
	b, err := rlp.EncodeToBytes([]any{kind, chainID, height, view, blockHash})
	if err != nil {
		panic(fmt.Sprintf("encode vote: %v", err))
	}
	return Keccak(b)
}

// CommitDigest is VoteDigest for COMMIT votes.
func CommitDigest(chainID string, height, view uint64, blockHash Hash) Hash {
	return VoteDigest(VoteCommit, chainID, height, view, blockHash)
}

// Hash commits to the certificate (used as LastCertHash and as a seed).
func (c *CommitCert) Hash() Hash {
	b, err := rlp.EncodeToBytes(c)
	if err != nil {
		panic(fmt.Sprintf("encode cert: %v", err))
	}
	return Keccak(b)
}

// Encode returns the certificate's RLP.
func (c *CommitCert) Encode() []byte {
	b, err := rlp.EncodeToBytes(c)
	if err != nil {
		panic(fmt.Sprintf("encode cert: %v", err))
	}
	return b
}

// DecodeCommitCert decodes a certificate.
func DecodeCommitCert(b []byte) (*CommitCert, error) {
	c := new(CommitCert)
	if err := rlp.DecodeBytes(b, c); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadCert, err)
	}
	return c, nil
}

// Verify checks that the certificate carries a quorum of valid, distinct,
// index-sorted COMMIT signatures from vals for chainID.
func (c *CommitCert) Verify(chainID string, vals *ValidatorSet) error {
	if vals == nil || vals.Size() == 0 {
		return fmt.Errorf("%w: no validator set", ErrBadCert)
	}
	if len(c.Sigs) < vals.Quorum() {
		return fmt.Errorf("%w: %d of %d signatures, need %d", ErrNoQuorum, len(c.Sigs), vals.Size(), vals.Quorum())
	}
	digest := CommitDigest(chainID, c.Height, c.View, c.BlockHash)
	prev := -1
	for _, s := range c.Sigs {
		if int(s.Index) <= prev {
			return fmt.Errorf("%w: signatures not strictly sorted by index", ErrBadCert)
		}
		prev = int(s.Index)
		if int(s.Index) >= vals.Size() {
			return fmt.Errorf("%w: index %d: %w", ErrBadCert, s.Index, ErrNotValidator)
		}
		a, err := RecoverAddress(digest, s.Sig)
		if err != nil {
			return fmt.Errorf("%w: index %d: %w", ErrBadCert, s.Index, err)
		}
		if a != vals.Validators[s.Index] {
			return fmt.Errorf("%w: index %d signed by %s, expected %s", ErrBadCert, s.Index, a.Hex(), vals.Validators[s.Index].Hex())
		}
	}
	return nil
}
