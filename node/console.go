package node

import "github.com/accordnet/accord/api/console"

// mountConsole serves the web console on the RPC listener: a static page
// that reads the same public API any client does.
func (n *Node) mountConsole() {
	h := console.Handler()
	n.api.Handle("GET "+console.Path, h)
	n.api.Handle("GET "+console.Path+"/", h)
}
