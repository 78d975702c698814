package p2p

import (
	"crypto/ecdsa"
	"fmt"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	lcrypto "github.com/libp2p/go-libp2p/core/crypto"
	lcryptopb "github.com/libp2p/go-libp2p/core/crypto/pb"
	"github.com/libp2p/go-libp2p/core/peer"

	"github.com/accordnet/accord/types"
)

// libp2pKey converts a validator key into the libp2p identity key. Both are
// the same secp256k1 scalar, so the peer ID and the chain address name the
// same key.
func libp2pKey(key *ecdsa.PrivateKey) (lcrypto.PrivKey, error) {
	if key == nil || key.D == nil {
		return nil, fmt.Errorf("%w: nil key", ErrInvalidConfig)
	}
	if key.Curve != ethcrypto.S256() {
		return nil, fmt.Errorf("%w: key is not secp256k1", ErrInvalidConfig)
	}
	sk, err := lcrypto.UnmarshalSecp256k1PrivateKey(ethcrypto.FromECDSA(key))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidConfig, err)
	}
	return sk, nil
}

// PeerIDFromKey returns the libp2p peer ID of the node whose validator key
// is key. It is deterministic: the same key always yields the same ID.
func PeerIDFromKey(key *ecdsa.PrivateKey) (peer.ID, error) {
	sk, err := libp2pKey(key)
	if err != nil {
		return "", err
	}
	return peer.IDFromPrivateKey(sk)
}

// PeerAddress returns the chain address (Ethereum-style, the last 20 bytes
// of Keccak-256 over the uncompressed public key) of the key embedded in a
// peer ID. A peer ID without an inlined secp256k1 key yields ErrBadPeerID.
func PeerAddress(id peer.ID) (types.Address, error) {
	pub, err := id.ExtractPublicKey()
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %v", ErrBadPeerID, err)
	}
	if pub.Type() != lcryptopb.KeyType_Secp256k1 {
		return types.Address{}, fmt.Errorf("%w: key type %s", ErrBadPeerID, pub.Type())
	}
	raw, err := pub.Raw() // 33-byte compressed point
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %v", ErrBadPeerID, err)
	}
	epub, err := ethcrypto.DecompressPubkey(raw)
	if err != nil {
		return types.Address{}, fmt.Errorf("%w: %v", ErrBadPeerID, err)
	}
	return ethcrypto.PubkeyToAddress(*epub), nil
}
