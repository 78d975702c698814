package p2p

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"errors"
	"testing"

	ethcrypto "github.com/ethereum/go-ethereum/crypto"
	lcrypto "github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

func TestPeerIDMapsToChainAddress(t *testing.T) {
	key := newKey(t)
	id1, err := PeerIDFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	id2, err := PeerIDFromKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if id1 != id2 {
		t.Fatalf("peer ID not deterministic: %s vs %s", id1, id2)
	}
	addr, err := PeerAddress(id1)
	if err != nil {
		t.Fatal(err)
	}
	if want := ethcrypto.PubkeyToAddress(key.PublicKey); addr != want {
		t.Fatalf("PeerAddress = %s, want %s", addr, want)
	}
	if other, _ := PeerIDFromKey(newKey(t)); other == id1 {
		t.Fatal("two keys gave one peer ID")
	}
}

func TestPeerAddressRefusesOtherKeyTypes(t *testing.T) {
	_, pub, err := lcrypto.GenerateEd25519Key(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	id, err := peer.IDFromPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := PeerAddress(id); !errors.Is(err, ErrBadPeerID) {
		t.Fatalf("ed25519 peer: err = %v, want ErrBadPeerID", err)
	}
	if _, err := PeerAddress(peer.ID("garbage")); !errors.Is(err, ErrBadPeerID) {
		t.Fatalf("garbage peer: err = %v, want ErrBadPeerID", err)
	}
}

func TestPeerIDFromKeyRefusesNonSecp256k1(t *testing.T) {
	p256, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for name, k := range map[string]*ecdsa.PrivateKey{"nil": nil, "P-256": p256} {
		if _, err := PeerIDFromKey(k); !errors.Is(err, ErrInvalidConfig) {
			t.Errorf("%s key: err = %v, want ErrInvalidConfig", name, err)
		}
	}
}

func TestGossipParamsValidForAnySize(t *testing.T) {
	for n := 0; n <= 200; n++ {
		p := gossipParams(n)
		if !(p.Dlo <= p.D && p.D <= p.Dhi && p.Dscore <= p.Dhi && p.Dout < p.Dlo && p.Dout < p.D/2 && p.HistoryGossip <= p.HistoryLength) {
			t.Fatalf("n=%d: invalid params %+v", n, p)
		}
	}
}
