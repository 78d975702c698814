package testnet

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// netLab gives each node process a network namespace of its own, joined
// to the others and to the test by a bridge: node i's namespace holds one
// end of a veth pair (address SUBNET.(i+2)), the bridge in the test's
// namespace holds the other end and SUBNET.1. Cutting a node's link takes
// the host end of its veth down, which is a real partition: packets to and
// from the node vanish, its TCP connections hang until their timeouts, and
// nothing in the node is told. Creating namespaces and links needs root
// (CAP_NET_ADMIN and CAP_SYS_ADMIN) and iproute2; newNetLab says why not
// when they are missing, and the caller falls back to loopback without
// partitions.
type netLab struct {
	prefix string // interface and namespace names start with it
	subnet string // first three octets of a free 10.x.y.0/24
	n      int
	made   []func() error // undo steps, last first
}

// errNoNetLab wraps every reason a lab cannot be built.
var errNoNetLab = errors.New("network namespaces unavailable")

func newNetLab(n int) (*netLab, error) {
	if runtime.GOOS != "linux" {
		return nil, fmt.Errorf("%w: not linux", errNoNetLab)
	}
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("%w: not root", errNoNetLab)
	}
	if _, err := exec.LookPath("ip"); err != nil {
		return nil, fmt.Errorf("%w: no ip(8): %v", errNoNetLab, err)
	}
	subnet, err := freeSubnet()
	if err != nil {
		return nil, err
	}
	// Names must be unique among concurrent test runs and fit IFNAMSIZ (15).
	lab := &netLab{prefix: fmt.Sprintf("ac%d", os.Getpid()%100000), subnet: subnet, n: n}
	br := lab.prefix + "br"
	steps := [][]string{
		{"link", "add", br, "type", "bridge"},
		{"addr", "add", subnet + ".1/24", "dev", br},
		{"link", "set", br, "up"},
	}
	if err := lab.run(steps...); err != nil {
		lab.Close()
		return nil, err
	}
	lab.made = append(lab.made, func() error { return ipCmd("link", "del", br) })
	for i := 0; i < n; i++ {
		ns, host, inner := lab.ns(i), lab.hostIf(i), lab.prefix+fmt.Sprintf("n%d", i)
		if err := lab.run([]string{"netns", "add", ns}); err != nil {
			lab.Close()
			return nil, err
		}
		lab.made = append(lab.made, func() error { return ipCmd("netns", "del", ns) })
		steps := [][]string{
			// Deleting the namespace deletes inner, and with it host.
			{"link", "add", host, "type", "veth", "peer", "name", inner},
			{"link", "set", inner, "netns", ns},
			{"link", "set", host, "master", br},
			{"link", "set", host, "up"},
			{"-n", ns, "link", "set", "lo", "up"},
			{"-n", ns, "addr", "add", lab.IP(i) + "/24", "dev", inner},
			{"-n", ns, "link", "set", inner, "up"},
		}
		if err := lab.run(steps...); err != nil {
			lab.Close()
			return nil, err
		}
	}
	return lab, nil
}

func (lab *netLab) ns(i int) string     { return fmt.Sprintf("%s-node%d", lab.prefix, i) }
func (lab *netLab) hostIf(i int) string { return fmt.Sprintf("%sh%d", lab.prefix, i) }

// IP is node i's address inside its namespace.
func (lab *netLab) IP(i int) string { return fmt.Sprintf("%s.%d", lab.subnet, i+2) }

// Command runs bin inside node i's namespace. ip netns exec execs bin in
// place, so the process started is bin itself and signals reach it.
func (lab *netLab) Command(i int, bin string, args ...string) (string, []string) {
	return "ip", append([]string{"netns", "exec", lab.ns(i), bin}, args...)
}

// Cut takes node i's link down (cut) or up again.
func (lab *netLab) Cut(i int, cut bool) error {
	state := "up"
	if cut {
		state = "down"
	}
	return ipCmd("link", "set", lab.hostIf(i), state)
}

// Close removes every namespace and link the lab made.
func (lab *netLab) Close() {
	for k := len(lab.made) - 1; k >= 0; k-- {
		_ = lab.made[k]()
	}
	lab.made = nil
}

func (lab *netLab) run(steps ...[]string) error {
	for _, s := range steps {
		if err := ipCmd(s...); err != nil {
			return fmt.Errorf("%w: %v", errNoNetLab, err)
		}
	}
	return nil
}

func ipCmd(args ...string) error {
	out, err := exec.Command("ip", args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
	return nil
}

// freeSubnet picks a 10.213.y.0/24 that no interface on the machine
// overlaps, starting from one derived from the pid so concurrent runs
// spread out.
func freeSubnet() (string, error) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return "", fmt.Errorf("%w: %v", errNoNetLab, err)
	}
	start := os.Getpid() % 250
	for k := 0; k < 250; k++ {
		y := (start + k) % 250
		_, cand, _ := net.ParseCIDR(fmt.Sprintf("10.213.%d.0/24", y))
		taken := false
		for _, a := range addrs {
			if ipn, ok := a.(*net.IPNet); ok && (ipn.Contains(cand.IP) || cand.Contains(ipn.IP)) {
				taken = true
				break
			}
		}
		if !taken {
			return fmt.Sprintf("10.213.%d", y), nil
		}
	}
	return "", fmt.Errorf("%w: no free 10.213.y.0/24", errNoNetLab)
}
