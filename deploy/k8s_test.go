package deploy

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/testnet"
	"github.com/accordnet/accord/types"
)

// k8sObjects decodes every manifest the kustomization applies, by kind/name.
func k8sObjects(t *testing.T) map[string]map[string]any {
	t.Helper()
	kust := yamlDocs(t, deployPath("k8s", "kustomization.yaml"))[0]
	res := strs(kust, "resources")
	files, _ := filepath.Glob(deployPath("k8s", "*.yaml"))
	for _, f := range files {
		if b := filepath.Base(f); b != "kustomization.yaml" && !slices.Contains(res, b) {
			t.Errorf("k8s/%s is not in kustomization.yaml's resources", b)
		}
	}
	objs := map[string]map[string]any{}
	for _, r := range res {
		for _, d := range yamlDocs(t, deployPath("k8s", r)) {
			key := str(d, "kind") + "/" + str(d, "metadata", "name")
			if _, dup := objs[key]; dup {
				t.Errorf("%s defined twice", key)
			}
			objs[key] = d
		}
	}
	return objs
}

func labelsMatch(selector, labels any) bool {
	sel, _ := selector.(map[string]any)
	lab, _ := labels.(map[string]any)
	if len(sel) == 0 {
		return false
	}
	for k, v := range sel {
		if lab[k] != v {
			return false
		}
	}
	return true
}

// envOf returns a container's literal env values.
func envOf(c any) map[string]string {
	env := map[string]string{}
	for _, e := range list(c, "env") {
		env[str(e, "name")] = str(e, "value")
	}
	return env
}

// statefulSet checks one node StatefulSet and returns its main container's
// facts: replicas, governing service, and the seed init container.
type nodeSet struct {
	name, service string
	replicas      int
	main          any            // the node container
	seed          any            // the seed-home init container
	seedPaths     map[string]any // mount path -> volume
}

func checkNodeSet(t *testing.T, objs map[string]map[string]any, img imageFacts, name string) nodeSet {
	t.Helper()
	sts, ok := objs["StatefulSet/"+name]
	if !ok {
		t.Fatalf("no StatefulSet %s", name)
	}
	ns := nodeSet{name: name, service: str(sts, "spec", "serviceName")}
	r, _ := get(sts, "spec", "replicas").(int)
	ns.replicas = r
	pod := get(sts, "spec", "template")
	if !labelsMatch(get(sts, "spec", "selector", "matchLabels"), get(pod, "metadata", "labels")) {
		t.Errorf("%s: selector does not match its pod labels", name)
	}
	svc, ok := objs["Service/"+ns.service]
	if !ok || str(svc, "spec", "clusterIP") != "None" {
		t.Errorf("%s: serviceName %q is not a headless Service", name, ns.service)
	}
	if !labelsMatch(get(svc, "spec", "selector"), get(pod, "metadata", "labels")) {
		t.Errorf("%s: headless Service %s does not select its pods", name, ns.service)
	}
	if get(svc, "spec", "publishNotReadyAddresses") != true {
		t.Errorf("%s: Service %s hides pods that are not ready (catching up) from their peers", name, ns.service)
	}

	// Every volume a container mounts exists; "home" is a claim template.
	volumes := map[string]any{}
	for _, v := range list(pod, "spec", "volumes") {
		volumes[str(v, "name")] = v
	}
	for _, v := range list(sts, "spec", "volumeClaimTemplates") {
		volumes[str(v, "metadata", "name")] = "pvc"
	}
	if volumes["home"] != "pvc" {
		t.Errorf("%s: the home volume is not a persistent volume claim template", name)
	}
	for _, s := range []string{"accord-config", "accord-keys"} {
		found := false
		for _, v := range volumes {
			if str(v, "secret", "secretName") == s {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: Secret %s is not mounted", name, s)
		}
	}
	paths := func(c any) map[string]any {
		out := map[string]any{}
		for _, m := range list(c, "volumeMounts") {
			v, ok := volumes[str(m, "name")]
			if !ok {
				t.Errorf("%s: container %s mounts undefined volume %s", name, str(c, "name"), str(m, "name"))
			}
			out[str(m, "mountPath")] = v
		}
		return out
	}
	podSec := get(pod, "spec", "securityContext")
	if get(podSec, "runAsNonRoot") != true {
		t.Errorf("%s: pods may run as root", name)
	}
	if ug := fmt.Sprintf("%v:%v", get(podSec, "runAsUser"), get(podSec, "runAsGroup")); ug != img.user || fmt.Sprint(get(podSec, "fsGroup")) != strings.Split(img.user, ":")[1] {
		t.Errorf("%s: pods run as %s (fsGroup %v), the image as %s", name, ug, get(podSec, "fsGroup"), img.user)
	}

	containers := list(pod, "spec", "containers")
	if len(containers) != 1 {
		t.Fatalf("%s: %d containers, want the node", name, len(containers))
	}
	c := containers[0]
	ns.main = c
	if str(c, "image") != "accord" {
		t.Errorf("%s: image %q, want accord (set by kustomization images)", name, str(c, "image"))
	}
	if len(strs(c, "command")) != 0 {
		t.Errorf("%s: command overrides the image's accord entrypoint", name)
	}
	flags := checkStartArgs(t, name, strs(c, "args"))
	if port(t, flags["rpc.addr"]) != rpcPort {
		t.Errorf("%s: --rpc.addr %q, want port %s", name, flags["rpc.addr"], rpcPort)
	}
	if home := paths(c)[flags["home"]]; home != "pvc" {
		t.Errorf("%s: --home %s is not the home volume", name, flags["home"])
	}
	if envOf(c)["ACCORD_HOME"] != flags["home"] {
		t.Errorf("%s: ACCORD_HOME %q differs from --home %q", name, envOf(c)["ACCORD_HOME"], flags["home"])
	}
	ports := map[string]string{}
	for _, p := range list(c, "ports") {
		ports[str(p, "name")] = fmt.Sprint(get(p, "containerPort"))
	}
	if ports["rpc"] != rpcPort || ports["p2p"] != p2pPort {
		t.Errorf("%s: container ports %v, want rpc %s and p2p %s", name, ports, rpcPort, p2pPort)
	}
	probes := map[string]string{"readinessProbe": readinessPath, "livenessProbe": livenessPath}
	for probe, want := range probes {
		if p := str(c, probe, "httpGet", "path"); p != want {
			t.Errorf("%s: %s on %q, want %s", name, probe, p, want)
		}
	}
	for _, probe := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
		if pr := get(c, probe); pr != nil {
			if p := fmt.Sprint(get(pr, "httpGet", "port")); p != "rpc" && p != rpcPort {
				t.Errorf("%s: %s on port %s, not the RPC port", name, probe, p)
			}
			if p := str(pr, "httpGet", "path"); p != readinessPath && p != livenessPath {
				t.Errorf("%s: %s on %s, which TestProbePathsServed does not check", name, probe, p)
			}
		}
	}
	sec := get(c, "securityContext")
	if get(sec, "allowPrivilegeEscalation") != false || get(sec, "readOnlyRootFilesystem") != true {
		t.Errorf("%s: container security context %v", name, sec)
	}

	// Services on these pods target ports the container has.
	for key, o := range objs {
		if !strings.HasPrefix(key, "Service/") || !labelsMatch(get(o, "spec", "selector"), get(pod, "metadata", "labels")) {
			continue
		}
		for _, p := range list(o, "spec", "ports") {
			tp := fmt.Sprint(get(p, "targetPort"))
			if _, named := ports[tp]; !named && !slices.Contains([]string{rpcPort, p2pPort}, tp) {
				t.Errorf("%s targets port %s, which %s's pods do not have", key, tp, name)
			}
		}
	}

	inits := list(pod, "spec", "initContainers")
	if len(inits) != 1 {
		t.Fatalf("%s: %d init containers, want seed-home", name, len(inits))
	}
	ns.seed = inits[0]
	if cmd := strs(ns.seed, "command"); len(cmd) != 1 || !slices.Contains(img.binaries, cmd[0]) {
		t.Errorf("%s: init container runs %q, not a program of the image", name, cmd)
	}
	ns.seedPaths = paths(ns.seed)
	env := envOf(ns.seed)
	if env["ACCORD_HOME"] != flags["home"] || ns.seedPaths[env["ACCORD_HOME"]] != "pvc" {
		t.Errorf("%s: seed-home writes %s, the node's home is %s", name, env["ACCORD_HOME"], flags["home"])
	}
	for dir, secret := range map[string]string{env["SEED_CONFIG"]: "accord-config", env["SEED_KEYS"]: "accord-keys"} {
		if str(ns.seedPaths[dir], "secret", "secretName") != secret {
			t.Errorf("%s: seed-home reads %s, where Secret %s is not mounted", name, dir, secret)
		}
	}
	return ns
}

// runSeed runs scripts/seed-home.sh as pod host would, with the init
// container's env and its Secret mounts mapped onto local directories.
func runSeed(ns nodeSet, host string, mapDir map[string]string) ([]byte, error) {
	cmd := exec.Command("sh", deployPath("scripts", "seed-home.sh"))
	cmd.Env = append(os.Environ(), "HOSTNAME="+host)
	for k, v := range envOf(ns.seed) {
		if d, ok := mapDir[v]; ok {
			v = d
		}
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	return cmd.CombinedOutput()
}

func TestKubernetes(t *testing.T) {
	img := dockerImage(t)
	objs := k8sObjects(t)
	vals := checkNodeSet(t, objs, img, "accord-validator")
	rpc := checkNodeSet(t, objs, img, "accord-rpc")
	if envOf(vals.seed)["NODE_KIND"] != "validator" || envOf(rpc.seed)["NODE_KIND"] != "rpc" {
		t.Fatalf("seed-home NODE_KIND: validators %q, RPC nodes %q", envOf(vals.seed)["NODE_KIND"], envOf(rpc.seed)["NODE_KIND"])
	}
	if s := objs["Service/accord-rpc"]; s == nil || !labelsMatch(get(s, "spec", "selector"), get(objs["StatefulSet/accord-rpc"], "spec", "template", "metadata", "labels")) {
		t.Error("no Service accord-rpc in front of the RPC nodes")
	}
	f := (vals.replicas - 1) / 3
	if pdb := objs["PodDisruptionBudget/accord-validator"]; pdb == nil {
		t.Error("no PodDisruptionBudget for the validators")
	} else if mu, _ := get(pdb, "spec", "maxUnavailable").(int); mu < 1 || mu > f {
		t.Errorf("PodDisruptionBudget lets %d validators go; %d validators tolerate %d", mu, vals.replicas, f)
	}

	// The Secrets' contents as gen-network.sh writes them, seeded into
	// each pod's home as seed-home.sh does at pod start.
	net := genNetwork(t, []string{"--target", "k8s", "--validators", fmt.Sprint(vals.replicas),
		"--rpc-nodes", fmt.Sprint(rpc.replicas), "--chain-id", "accord-k8s-test", "--out", "x"})
	seedDirs := func(ns nodeSet, home string) map[string]string {
		e := envOf(ns.seed)
		return map[string]string{e["SEED_CONFIG"]: filepath.Join(net, "config"), e["SEED_KEYS"]: filepath.Join(net, "keys"), e["ACCORD_HOME"]: home}
	}
	homes := t.TempDir()
	var vnodes, rnodes []netNode
	for _, set := range []nodeSet{vals, rpc} {
		for i := 0; i < set.replicas; i++ {
			pod := fmt.Sprintf("%s-%d", set.name, i)
			home := filepath.Join(homes, pod)
			if out, err := runSeed(set, pod, seedDirs(set, home)); err != nil {
				t.Fatalf("seed-home for %s: %v\n%s", pod, err, out)
			}
			n := netNode{home: node.Home(home), host: pod + "." + set.service}
			if set.name == vals.name {
				vnodes = append(vnodes, n)
			} else {
				rnodes = append(rnodes, n)
			}
		}
	}
	checkNetwork(t, vnodes, rnodes)
	startSeeded(t, vals, vnodes[0].home)
	startSeeded(t, rpc, rnodes[0].home)

	// A pod beyond the generated nodes, a changed genesis or a changed key
	// under an existing home are refused, and leave the home as it was.
	beyond := fmt.Sprintf("%s-%d", rpc.name, rpc.replicas)
	if out, err := runSeed(rpc, beyond, seedDirs(rpc, filepath.Join(homes, beyond))); err == nil || !strings.Contains(string(out), "missing") {
		t.Errorf("seed-home for %s (no key generated) succeeded or said %q", beyond, out)
	}
	home0 := string(vnodes[0].home)
	before, _ := os.ReadFile(vnodes[0].home.GenesisFile())
	other := genNetwork(t, []string{"--target", "k8s", "--validators", fmt.Sprint(vals.replicas), "--chain-id", "accord-other", "--out", "x"})
	e := envOf(vals.seed)
	for _, swap := range []map[string]string{
		{e["SEED_CONFIG"]: filepath.Join(other, "config"), e["SEED_KEYS"]: filepath.Join(net, "keys"), e["ACCORD_HOME"]: home0},
		{e["SEED_CONFIG"]: filepath.Join(net, "config"), e["SEED_KEYS"]: filepath.Join(other, "keys"), e["ACCORD_HOME"]: home0},
	} {
		if out, err := runSeed(vals, vals.name+"-0", swap); err == nil || !strings.Contains(string(out), "refusing") {
			t.Errorf("seed-home replaced an existing home's genesis or key: %v %s", err, out)
		}
	}
	after, _ := os.ReadFile(vnodes[0].home.GenesisFile())
	if string(before) != string(after) {
		t.Error("a refused seed-home changed the genesis")
	}
	g, _, err := ledger.LoadGenesis(vnodes[0].home.GenesisFile())
	if err != nil || g.ChainID != "accord-k8s-test" {
		t.Errorf("genesis after refused seeds: %v %v", g, err)
	}
	if k, err := node.LoadValidatorKey(vnodes[0].home); err != nil || types.PubkeyAddress(k).Hex() != g.Validators[0] {
		t.Errorf("key after refused seeds: %v", err)
	}
}

var startedRPC = regexp.MustCompile(`"node started".*rpc=(http://\S+)`)

// startSeeded runs the node container's command on a seeded home, with
// local listen addresses in place of the container's, and checks that the
// node starts and serves its metrics, then stops on SIGTERM.
func startSeeded(t *testing.T, ns nodeSet, home node.Home) {
	t.Helper()
	cfg, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	cfg.P2PListen = "/ip4/127.0.0.1/tcp/0"
	if err := node.SaveConfig(home, cfg); err != nil {
		t.Fatal(err)
	}
	args := strs(ns.main, "args")
	for i := 1; i < len(args); i++ {
		switch args[i-1] {
		case "--rpc.addr":
			args[i] = "127.0.0.1:0"
		case "--home":
			args[i] = string(home)
		}
	}
	p, err := testnet.StartProcess(accordBin, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Kill()
	line, err := p.WaitLog(startedRPC, 60*time.Second)
	if err != nil {
		t.Fatalf("%s on a seeded home: %v\n%s", ns.name, err, p.Log())
	}
	url := startedRPC.FindStringSubmatch(line)[1]
	if code, _ := httpGet(t, url+metricsPath); code != http.StatusOK {
		t.Errorf("%s on a seeded home: GET %s: %d", ns.name, metricsPath, code)
	}
	if err := p.Signal(syscall.SIGTERM, 30*time.Second); err != nil {
		t.Errorf("%s did not stop on SIGTERM: %v\n%s", ns.name, err, p.Log())
	}
}
