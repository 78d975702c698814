package deploy

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// TestDNSPeerAddresses checks that a node reaches a peer named the way the
// generated configs name them, /dns4/HOST/tcp/PORT/p2p/ID: compose and
// Kubernetes give validators DNS names, not fixed IPs.
func TestDNSPeerAddresses(t *testing.T) {
	ka, _ := crypto.GenerateKey()
	kb, _ := crypto.GenerateKey()
	allow := []types.Address{types.PubkeyAddress(ka), types.PubkeyAddress(kb)}
	log := slog.New(slog.DiscardHandler)
	a, err := p2p.New(p2p.Config{ListenAddr: "/ip4/127.0.0.1/tcp/0", Key: ka, ChainID: "accord-dns-test", AllowList: allow, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var tcpPort string
	for _, ad := range a.Addrs() {
		if _, rest, ok := strings.Cut(ad, "/ip4/127.0.0.1/tcp/"); ok {
			tcpPort, _, _ = strings.Cut(rest, "/")
		}
	}
	if tcpPort == "" {
		t.Fatalf("no TCP address among %q", a.Addrs())
	}
	peer := "/dns4/localhost/tcp/" + tcpPort + "/p2p/" + a.ID().String()
	b, err := p2p.New(p2p.Config{ListenAddr: "/ip4/127.0.0.1/tcp/0", Key: kb, ChainID: "accord-dns-test", AllowList: allow, Bootstrap: []string{peer}, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.WaitPeers(ctx, 1); err != nil {
		t.Fatalf("no connection to %s: %v", peer, err)
	}
}
