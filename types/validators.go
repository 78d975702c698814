package types

import (
	"errors"
	"fmt"

	"github.com/ethereum/go-ethereum/rlp"
)

// ErrNotValidator is returned when an address or index is not in the set.
var ErrNotValidator = errors.New("not a validator")

// ValidatorSet is the ordered list of validators for a height. Every
// validator has one vote; the order fixes who is primary:
// validators[(height+view) mod n].
type ValidatorSet struct {
	Validators []Address
}

// NewValidatorSet copies addrs into a set, refusing duplicates and an empty set.
func NewValidatorSet(addrs []Address) (*ValidatorSet, error) {
	if len(addrs) == 0 {
		return nil, errors.New("validator set is empty")
	}
	seen := make(map[Address]bool, len(addrs))
	for _, a := range addrs {
		if seen[a] {
			return nil, fmt.Errorf("validator %s listed twice", a.Hex())
		}
		seen[a] = true
	}
	return &ValidatorSet{Validators: append([]Address(nil), addrs...)}, nil
}

// Size is n.
func (vs *ValidatorSet) Size() int { return len(vs.Validators) }

// F is the number of Byzantine validators tolerated: floor((n-1)/3).
func (vs *ValidatorSet) F() int { return (len(vs.Validators) - 1) / 3 }

// Quorum is the number of votes that makes a certificate. It equals 2f+1
// when n = 3f+1; for other n it is floor((n+f)/2)+1, the smallest size for
// which any two quorums share at least f+1 validators (one honest), while
// n-f honest validators can still form one.
func (vs *ValidatorSet) Quorum() int {
	n, f := len(vs.Validators), vs.F()
	return (n+f)/2 + 1
}

// Index returns the position of a, or -1.
func (vs *ValidatorSet) Index(a Address) int {
	for i, v := range vs.Validators {
		if v == a {
			return i
		}
	}
	return -1
}

// Primary is the proposer for (height, view).
func (vs *ValidatorSet) Primary(height, view uint64) Address {
	n := uint64(len(vs.Validators))
	return vs.Validators[(height%n+view%n)%n]
}

// Hash commits to the ordered set.
func (vs *ValidatorSet) Hash() Hash {
	b, err := rlp.EncodeToBytes(vs.Validators)
	if err != nil {
		panic(fmt.Sprintf("encode validators: %v", err))
	}
	return Keccak([]byte("accord/validators"), b)
}
