package testnet

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"

	"github.com/accordnet/accord/node"
)

// ErrPortInUse is returned by CheckPorts when a port a testnet needs is taken.
var ErrPortInUse = errors.New("port in use")

// Port is one listening address a testnet node (or another process of a
// System) needs.
type Port struct {
	Node    int
	Chain   string // a System's node: "main " or "side "
	Proc    string // a System's other process, e.g. "checkpointer0"; then Node is unused
	Purpose string // "RPC", "p2p" or "HTTP"
	Network string // "tcp" or "udp"
	Addr    string // host:port
}

func (p Port) String() string {
	who := p.Proc
	if who == "" {
		who = fmt.Sprintf("%snode%d", p.Chain, p.Node)
	}
	return fmt.Sprintf("%s's %s port %s", who, p.Purpose, p.Addr)
}

// Ports lists what every node listens on, RPC first, then each p2p
// address. For an initialized testnet they are read from the nodes'
// configs (the truth on a resume, whatever the flags say); for a new one
// they follow the layout, as Init will write them.
func (l Layout) Ports() ([]Port, error) {
	var out []Port
	if !l.Initialized() {
		for i := 0; i < l.Nodes(); i++ {
			out = append(out, Port{Node: i, Purpose: "RPC", Network: "tcp", Addr: l.RPCAddr(i)})
			if l.Validators > 1 {
				_, addr, _ := multiaddrHostPort(l.P2PAddr(i))
				out = append(out, Port{Node: i, Purpose: "p2p", Network: "tcp", Addr: addr})
			}
		}
		return out, nil
	}
	for i := 0; i < l.Nodes(); i++ {
		cfg, err := node.LoadConfig(l.Home(i))
		if err != nil {
			return nil, fmt.Errorf("node%d: %w", i, err)
		}
		out = append(out, Port{Node: i, Purpose: "RPC", Network: "tcp", Addr: cfg.RPCAddr})
		for _, ma := range strings.Split(cfg.P2PListen, ",") {
			if ma = strings.TrimSpace(ma); ma == "" {
				continue
			}
			network, addr, err := multiaddrHostPort(ma)
			if err != nil {
				return nil, fmt.Errorf("node%d p2p_listen: %w", i, err)
			}
			out = append(out, Port{Node: i, Purpose: "p2p", Network: network, Addr: addr})
		}
	}
	return out, nil
}

// multiaddrHostPort reads /ip4|ip6/HOST/tcp|udp/PORT/... as a network and a
// host:port.
func multiaddrHostPort(ma string) (network, addr string, err error) {
	f := strings.Split(strings.TrimPrefix(ma, "/"), "/")
	if len(f) < 4 || (f[0] != "ip4" && f[0] != "ip6") || (f[2] != "tcp" && f[2] != "udp") {
		return "", "", fmt.Errorf("%q: want /ip4|ip6/HOST/tcp|udp/PORT", ma)
	}
	return f[2], net.JoinHostPort(f[1], f[3]), nil
}

// CheckPorts tries every port the testnet needs and names the first one
// that is taken, so `testnet up` fails at once with a clear message instead
// of leaving one node dead and the others waiting for it. A port can still
// be taken between this check and the node's bind; the node then exits
// with the bind error, which Up reports.
func (l Layout) CheckPorts() error {
	ports, err := l.Ports()
	if err != nil {
		return err
	}
	return checkPorts(ports)
}

// checkPorts tries each port and names the first that is taken.
func checkPorts(ports []Port) error {
	for _, p := range ports {
		if err := tryListen(p); err != nil {
			if errors.Is(err, syscall.EADDRINUSE) {
				return fmt.Errorf("%w: %s is taken by another program", ErrPortInUse, p)
			}
			return fmt.Errorf("%w: %s cannot be bound: %v", ErrPortInUse, p, err)
		}
	}
	return nil
}

func tryListen(p Port) error {
	if p.Network == "udp" {
		c, err := net.ListenPacket("udp", p.Addr)
		if err != nil {
			return err
		}
		return c.Close()
	}
	ln, err := net.Listen("tcp", p.Addr)
	if err != nil {
		return err
	}
	return ln.Close()
}

// StoredBasePort is the base port an initialized testnet was created with:
// the port of node0's RPC address.
func (l Layout) StoredBasePort() (int, error) {
	cfg, err := node.LoadConfig(l.Home(0))
	if err != nil {
		return 0, err
	}
	_, port, err := net.SplitHostPort(cfg.RPCAddr)
	if err != nil {
		return 0, fmt.Errorf("node0 rpc_addr %q: %w", cfg.RPCAddr, err)
	}
	return strconv.Atoi(port)
}
