package deploy

import (
	"crypto/ecdsa"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
)

// netNode is one generated node home and what other nodes call it.
type netNode struct {
	home node.Home
	host string // DNS name peers dial it by ("" for RPC nodes: nobody dials them)
}

// checkNetwork loads every generated home with the node's own code and
// checks that they form one network: the same genesis, whose validators
// are the validator homes' keys in order, container listen addresses, and
// validator peers that name every other validator by host and peer ID.
// It returns the node addresses, validators first.
func checkNetwork(t *testing.T, validators, rpcs []netNode) []types.Address {
	t.Helper()
	all := append(slices.Clone(validators), rpcs...)
	addrs := make([]types.Address, len(all))
	wantPeer := map[string]bool{}
	var genesis []byte
	for i, n := range all {
		key, err := node.LoadValidatorKey(n.home)
		if err != nil {
			t.Fatalf("%s: %v", n.home, err)
		}
		addrs[i] = types.PubkeyAddress(key)
		if i < len(validators) {
			id, err := p2p.PeerIDFromKey(key)
			if err != nil {
				t.Fatal(err)
			}
			wantPeer[fmt.Sprintf("/dns4/%s/tcp/%s/p2p/%s", n.host, p2pPort, id)] = true
		}
		g, raw, err := ledger.LoadGenesis(n.home.GenesisFile())
		if err != nil {
			t.Fatalf("%s: %v", n.home, err)
		}
		if genesis == nil {
			genesis = raw
			if len(g.Validators) != len(validators) {
				t.Fatalf("genesis names %d validators, want %d", len(g.Validators), len(validators))
			}
			for j := range validators {
				if a, err := types.ParseAddress(g.Validators[j]); err != nil || a != types.PubkeyAddress(mustKey(t, validators[j].home)) {
					t.Errorf("genesis validator %d is %s, not the key of %s", j, g.Validators[j], validators[j].home)
				}
			}
			if err := node.CheckGenesis(raw); err != nil {
				t.Errorf("genesis: %v", err)
			}
		} else if string(raw) != string(genesis) {
			t.Errorf("%s has another genesis than the first node", n.home)
		}
	}
	var fullNodes []string
	for _, a := range addrs[len(validators):] {
		fullNodes = append(fullNodes, a.Hex())
	}
	for i, n := range all {
		cfg, err := node.LoadConfig(n.home)
		if err != nil {
			t.Fatalf("%s: %v", n.home, err)
		}
		if p := port(t, cfg.RPCAddr); p != rpcPort || !strings.HasPrefix(cfg.RPCAddr, "0.0.0.0:") {
			t.Errorf("%s: rpc_addr %q, want 0.0.0.0:%s (reachable from other containers)", n.home, cfg.RPCAddr, rpcPort)
		}
		if cfg.P2PListen != "/ip4/0.0.0.0/tcp/"+p2pPort {
			t.Errorf("%s: p2p_listen %q, want /ip4/0.0.0.0/tcp/%s", n.home, cfg.P2PListen, p2pPort)
		}
		want := map[string]bool{}
		for p := range wantPeer {
			if i >= len(validators) || !strings.Contains(p, "/dns4/"+n.host+"/") {
				want[p] = true
			}
		}
		got := map[string]bool{}
		for _, p := range cfg.P2PPeers {
			got[p] = true
		}
		if len(got) != len(cfg.P2PPeers) || fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
			t.Errorf("%s: p2p_peers\n  %q\nwant\n  %q", n.home, cfg.P2PPeers, sortedKeys(want))
		}
		if !slices.Equal(cfg.P2PAllow, fullNodes) {
			t.Errorf("%s: p2p_allow %q, want the RPC nodes %q", n.home, cfg.P2PAllow, fullNodes)
		}
	}
	return addrs
}

func mustKey(t *testing.T, h node.Home) *ecdsa.PrivateKey {
	t.Helper()
	k, err := node.LoadValidatorKey(h)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// mount is a compose volume entry SOURCE:TARGET[:MODE].
type mount struct{ source, target string }

func mounts(t *testing.T, svc any) []mount {
	t.Helper()
	var out []mount
	for _, v := range strs(svc, "volumes") {
		f := strings.Split(v, ":")
		if len(f) < 2 {
			t.Fatalf("volume %q: want SOURCE:TARGET", v)
		}
		out = append(out, mount{f[0], f[1]})
	}
	return out
}

func mountAt(ms []mount, target string) string {
	for _, m := range ms {
		if m.target == target {
			return m.source
		}
	}
	return ""
}

func TestCompose(t *testing.T) {
	img := dockerImage(t)
	docs := yamlDocs(t, deployPath("compose.yaml"))
	if len(docs) != 1 {
		t.Fatalf("compose.yaml holds %d documents", len(docs))
	}
	c := docs[0]
	services, _ := get(c, "services").(map[string]any)
	volumes, _ := get(c, "volumes").(map[string]any)

	gen := services["genesis"]
	if e := strs(gen, "entrypoint"); len(e) != 1 || !slices.Contains(img.binaries, e[0]) {
		t.Fatalf("genesis entrypoint %q is not a program of the image (%v)", e, img.binaries)
	}
	genArgs := strs(gen, "command")
	if argValue(genArgs, "target") != "compose" {
		t.Errorf("genesis runs gen-network with --target %q, want compose", argValue(genArgs, "target"))
	}
	if !slices.Contains(genArgs, "--keep-existing") {
		t.Error("genesis would fail on a second `compose up` without --keep-existing")
	}
	if o := argValue(genArgs, "owner"); o != img.user {
		t.Errorf("genesis hands the homes to %q; the image runs as %q", o, img.user)
	}
	nval, err := strconv.Atoi(argValue(genArgs, "validators"))
	if err != nil || nval != 4 {
		t.Fatalf("genesis makes %q validators, want 4", argValue(genArgs, "validators"))
	}
	out := argValue(genArgs, "out")
	genMounts := mounts(t, gen)

	var vals []netNode
	var targets []string
	for name := range services {
		if strings.HasPrefix(name, "validator") {
			if i, err := strconv.Atoi(strings.TrimPrefix(name, "validator")); err != nil || i >= nval {
				t.Errorf("service %s is not one of the %d validators genesis writes", name, nval)
			}
		}
	}
	for i := 0; i < nval; i++ {
		name := fmt.Sprintf("validator%d", i)
		svc, ok := services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		if str(svc, "image") != str(gen, "image") {
			t.Errorf("%s runs image %q, genesis %q", name, str(svc, "image"), str(gen, "image"))
		}
		if str(svc, "depends_on", "genesis", "condition") != "service_completed_successfully" {
			t.Errorf("%s does not wait for genesis to complete", name)
		}
		flags := checkStartArgs(t, name, strs(svc, "command"))
		if port(t, flags["rpc.addr"]) != rpcPort {
			t.Errorf("%s: --rpc.addr %q, want port %s", name, flags["rpc.addr"], rpcPort)
		}
		vol := mountAt(mounts(t, svc), flags["home"])
		if vol == "" || strings.Contains(vol, "/") {
			t.Fatalf("%s: no named volume at its --home %s", name, flags["home"])
		}
		if _, ok := volumes[vol]; !ok {
			t.Errorf("%s: volume %s is not declared", name, vol)
		}
		if g := mountAt(genMounts, path.Join(out, name)); g != vol {
			t.Errorf("genesis writes %s into volume %q, but %s's home is volume %q", path.Join(out, name), g, name, vol)
		}
		for _, p := range strs(svc, "ports") {
			if !strings.HasSuffix(p, ":"+rpcPort) {
				t.Errorf("%s publishes %q: only the RPC port %s is meant for the host", name, p, rpcPort)
			}
		}
		vals = append(vals, netNode{host: name})
		targets = append(targets, name+":"+rpcPort)
	}

	net := genNetwork(t, genArgs)
	for i := range vals {
		vals[i].home = node.Home(filepath.Join(net, fmt.Sprintf("validator%d", i)))
	}
	checkNetwork(t, vals, nil)
	if _, err := os.Stat(filepath.Join(net, "validator0", "dev.password")); err != nil {
		t.Errorf("the dev key's password is not in validator0's home: %v", err)
	}

	// Prometheus scrapes every validator; its rule file is mounted.
	prom := services["prometheus"]
	pm := mounts(t, prom)
	cfgPath := ""
	for _, a := range strs(prom, "command") {
		if v, ok := strings.CutPrefix(a, "--config.file="); ok {
			cfgPath = v
		}
	}
	host := mountAt(pm, cfgPath)
	if host == "" {
		t.Fatalf("prometheus --config.file=%s is not mounted", cfgPath)
	}
	if filepath.Join(deployPath(), host) != deployPath("prometheus", "prometheus.yml") {
		t.Errorf("prometheus mounts %s as its config, not prometheus/prometheus.yml", host)
	}
	pcfg := yamlDocs(t, deployPath("prometheus", "prometheus.yml"))[0]
	for _, rf := range strs(pcfg, "rule_files") {
		in := path.Join(path.Dir(cfgPath), rf)
		src := mountAt(pm, in)
		if src == "" {
			t.Errorf("rule file %s (%s in the container) is not mounted", rf, in)
		} else if _, err := os.Stat(filepath.Join(deployPath(), src)); err != nil {
			t.Errorf("rule file mount %s: %v", src, err)
		}
	}
	var job any
	for _, j := range list(pcfg, "scrape_configs") {
		if str(j, "job_name") == "accord" {
			job = j
		}
	}
	if job == nil {
		t.Fatal(`prometheus.yml has no job "accord" (alerts.yml selects job="accord")`)
	}
	if mp := str(job, "metrics_path"); mp != metricsPath {
		t.Errorf("job accord scrapes %q, the node serves %s", mp, metricsPath)
	}
	got := strs(job, "static_configs", 0, "targets")
	if !slices.Equal(got, targets) {
		t.Errorf("job accord scrapes %q, want every validator %q", got, targets)
	}
	if r := str(job, "static_configs", 0, "labels", "role"); r != "validator" {
		t.Errorf(`validator targets carry role=%q; alerts.yml selects role="validator"`, r)
	}

	// Grafana: provisioning and the dashboard are mounted where the
	// dashboard provider looks.
	gm := mounts(t, services["grafana"])
	for _, m := range gm {
		if strings.HasPrefix(m.source, "./") {
			if _, err := os.Stat(filepath.Join(deployPath(), m.source)); err != nil {
				t.Errorf("grafana mount %s: %v", m.source, err)
			}
		}
	}
	dash := ""
	for _, m := range gm {
		if filepath.Join(deployPath(), m.source) == deployPath("grafana", "accord.json") {
			dash = m.target
		}
	}
	prov := yamlDocs(t, deployPath("grafana", "provisioning", "dashboards", "accord.yml"))[0]
	if p := str(prov, "providers", 0, "options", "path"); dash == "" || path.Dir(dash) != p {
		t.Errorf("the dashboard is mounted at %q, the provider reads %q", dash, p)
	}
	ds := yamlDocs(t, deployPath("grafana", "provisioning", "datasources", "prometheus.yml"))[0]
	if u := str(ds, "datasources", 0, "url"); u != "http://prometheus:9090" {
		t.Errorf("Grafana's datasource is %q, want the prometheus service", u)
	}
}
