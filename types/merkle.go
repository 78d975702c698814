package types

import (
	"errors"
	"fmt"
	"math/bits"
)

// The tree follows RFC 6962's shape: leaves and inner nodes are hashed with
// different prefixes (so a leaf can never pass as an inner node), and a
// level of n nodes splits at the largest power of two below n, so no leaf is
// duplicated to fill a level.
var (
	leafPrefix  = []byte{0}
	innerPrefix = []byte{1}
	emptyRoot   = Keccak(nil)
)

// ErrBadProof is returned when an inclusion proof does not verify.
var ErrBadProof = errors.New("invalid Merkle proof")

// MerkleProof shows that a leaf is at Index among Total leaves under a root.
type MerkleProof struct {
	Index    uint64
	Total    uint64
	Siblings []Hash // from the leaf upwards
}

// MerkleRoot returns the root over leaves (each already a hash of its item).
// The root of no leaves is Keccak-256 of the empty string.
func MerkleRoot(leaves []Hash) Hash {
	if len(leaves) == 0 {
		return emptyRoot
	}
	nodes := make([]Hash, len(leaves))
	for i, l := range leaves {
		nodes[i] = Keccak(leafPrefix, l[:])
	}
	return subtreeRoot(nodes)
}

func subtreeRoot(nodes []Hash) Hash {
	if len(nodes) == 1 {
		return nodes[0]
	}
	k := splitPoint(len(nodes))
	l, r := subtreeRoot(nodes[:k]), subtreeRoot(nodes[k:])
	return Keccak(innerPrefix, l[:], r[:])
}

// splitPoint is the largest power of two strictly below n (n >= 2).
func splitPoint(n int) int {
	return 1 << (bits.Len(uint(n-1)) - 1)
}

// MerkleProve returns the inclusion proof of leaves[index].
func MerkleProve(leaves []Hash, index int) (*MerkleProof, error) {
	if index < 0 || index >= len(leaves) {
		return nil, fmt.Errorf("leaf %d out of range [0,%d)", index, len(leaves))
	}
	nodes := make([]Hash, len(leaves))
	for i, l := range leaves {
		nodes[i] = Keccak(leafPrefix, l[:])
	}
	var path []Hash
	var walk func(nodes []Hash, i int)
	walk = func(nodes []Hash, i int) {
		if len(nodes) == 1 {
			return
		}
		k := splitPoint(len(nodes))
		if i < k {
			walk(nodes[:k], i)
			path = append(path, subtreeRoot(nodes[k:]))
		} else {
			walk(nodes[k:], i-k)
			path = append(path, subtreeRoot(nodes[:k]))
		}
	}
	walk(nodes, index)
	return &MerkleProof{Index: uint64(index), Total: uint64(len(leaves)), Siblings: path}, nil
}

// Verify checks that leaf is included under root.
func (p *MerkleProof) Verify(root, leaf Hash) error {
	if p.Total == 0 || p.Index >= p.Total {
		return fmt.Errorf("%w: index %d of %d", ErrBadProof, p.Index, p.Total)
	}
	h, used, err := p.climb(Keccak(leafPrefix, leaf[:]), p.Index, p.Total, len(p.Siblings))
	if err != nil {
		return err
	}
	if used != len(p.Siblings) {
		return fmt.Errorf("%w: %d unused siblings", ErrBadProof, len(p.Siblings)-used)
	}
	if h != root {
		return fmt.Errorf("%w: computed root %s, want %s", ErrBadProof, h.Hex(), root.Hex())
	}
	return nil
}

// climb recomputes the root of a subtree of size total holding node at
// index; avail is how many siblings remain (they are consumed from the end,
// the outermost level first, mirroring MerkleProve's order).
func (p *MerkleProof) climb(node Hash, index, total uint64, avail int) (Hash, int, error) {
	if total == 1 {
		return node, 0, nil
	}
	if avail == 0 {
		return Hash{}, 0, fmt.Errorf("%w: too few siblings", ErrBadProof)
	}
	sib := p.Siblings[avail-1]
	k := uint64(splitPoint(int(total)))
	if index < k {
		sub, used, err := p.climb(node, index, k, avail-1)
		if err != nil {
			return Hash{}, 0, err
		}
		return Keccak(innerPrefix, sub[:], sib[:]), used + 1, nil
	}
	sub, used, err := p.climb(node, index-k, total-k, avail-1)
	if err != nil {
		return Hash{}, 0, err
	}
	return Keccak(innerPrefix, sib[:], sub[:]), used + 1, nil
}
