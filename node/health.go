package node

import "fmt"

// readiness lists why the node should not get client traffic now; it
// backs /health and /ready. A node behind the chain serves stale reads, a
// node cut off from its configured peers cannot gossip what it admits, and
// a node short of disk refuses transactions.
func (n *Node) readiness() []string {
	var reasons []string
	if h, target := n.ledger.Last().Height, n.syncTarget.Load(); h < target {
		reasons = append(reasons, fmt.Sprintf("catching up: height %d of %d", h, target))
	}
	if len(n.cfg.P2PPeers) > 0 && n.Peers() == 0 {
		reasons = append(reasons, fmt.Sprintf("no peers connected (%d configured)", len(n.cfg.P2PPeers)))
	}
	if n.disk.tripped() {
		reasons = append(reasons, n.disk.reason())
	}
	return reasons
}
