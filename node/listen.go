package node

import (
	"encoding/json"
	"fmt"
	"os"
)

// Listening is where a running node listens, as its home's listen file
// (Home.ListenFile) records it from start to stop. Tools that find a node
// through its home read it rather than the config: with port 0 in the
// config the OS picks the port, and `start --rpc.addr` overrides it.
type Listening struct {
	// RPC is the JSON-RPC listener, host:port.
	RPC string `json:"rpc"`
	// P2P are the libp2p listen addresses with the /p2p/<ID> suffix, in the
	// form p2p_peers takes; empty without networking.
	P2P []string `json:"p2p,omitempty"`
	// Admin is the admin API's loopback listener, host:port; empty when
	// admin_addr is "off". Its token is in Home.AdminTokenFile.
	Admin string `json:"admin,omitempty"`
}

// ReadListening reads the listen file of h's running node. After a crash
// the file may outlive the node; a client then finds nothing at RPC.
func ReadListening(h Home) (Listening, error) {
	var l Listening
	raw, err := os.ReadFile(h.ListenFile())
	if err != nil {
		return l, err
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return l, fmt.Errorf("parse %s: %w", h.ListenFile(), err)
	}
	if l.RPC == "" {
		return l, fmt.Errorf("%s names no RPC address", h.ListenFile())
	}
	return l, nil
}

// Listening reports where the node listens (valid once Start returned).
func (n *Node) Listening() Listening {
	l := Listening{RPC: n.RPCAddr(), Admin: n.AdminAddr()}
	if n.net != nil {
		l.P2P = n.net.host.Addrs()
	}
	return l
}

func (n *Node) writeListening() error {
	raw, err := json.MarshalIndent(n.Listening(), "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(n.home.ListenFile(), append(raw, '\n'), 0o644)
}

// WriteListening records where a process serving from home h listens, in
// the shape and place a node's listen file has. The other processes of a
// local system (the dev chain, the checkpointers) write one too, so
// whoever runs them learns a port the OS picked without racing for it.
func WriteListening(h Home, l Listening) error {
	raw, err := json.MarshalIndent(l, "", "  ")
	if err != nil {
		return err
	}
	return writeFileAtomic(h.ListenFile(), append(raw, '\n'), 0o644)
}
