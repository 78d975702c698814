package deploy

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	op   string // upper case
	args string
}

// stage is one FROM ... section.
type stage struct {
	from, name string
	ins        []instruction
}

func parseDockerfile(t *testing.T, path string) []stage {
	t.Helper()
	var stages []stage
	var cur strings.Builder
	flush := func() {
		line := strings.TrimSpace(cur.String())
		cur.Reset()
		if line == "" {
			return
		}
		op, args, _ := strings.Cut(line, " ")
		in := instruction{op: strings.ToUpper(op), args: strings.TrimSpace(args)}
		if in.op == "FROM" {
			f := strings.Fields(in.args)
			st := stage{from: f[0]}
			if len(f) == 3 && strings.EqualFold(f[1], "AS") {
				st.name = f[2]
			}
			stages = append(stages, st)
			return
		}
		if len(stages) == 0 {
			if in.op != "ARG" {
				t.Fatalf("%s: %s before the first FROM", path, in.op)
			}
			stages = append(stages, stage{name: "(global)"})
		}
		stages[len(stages)-1].ins = append(stages[len(stages)-1].ins, in)
	}
	for _, raw := range strings.Split(string(readFile(t, path)), "\n") {
		line := strings.TrimSpace(raw)
		if cur.Len() == 0 && (line == "" || strings.HasPrefix(line, "#")) {
			continue
		}
		if cur.Len() > 0 && strings.HasPrefix(line, "#") {
			continue // comment inside a continued instruction
		}
		if strings.HasSuffix(line, "\\") {
			cur.WriteString(strings.TrimSuffix(line, "\\") + " ")
			continue
		}
		cur.WriteString(line)
		flush()
	}
	flush()
	// The global ARGs were put in a pseudo stage before the first FROM.
	if len(stages) > 0 && stages[0].name == "(global)" && stages[0].from == "" {
		globals := stages[0].ins
		stages = stages[1:]
		if len(stages) > 0 {
			stages[0].ins = append(globals, stages[0].ins...)
		}
	}
	return stages
}

func (s stage) all(op string) []string {
	var out []string
	for _, in := range s.ins {
		if in.op == op {
			out = append(out, in.args)
		}
	}
	return out
}

func (s stage) last(op string) string {
	a := s.all(op)
	if len(a) == 0 {
		return ""
	}
	return a[len(a)-1]
}

// execForm decodes a JSON-array (exec form) instruction argument.
func execForm(t *testing.T, op, args string) []string {
	t.Helper()
	var out []string
	if err := json.Unmarshal([]byte(args), &out); err != nil {
		t.Fatalf("%s %s: want the exec (JSON array) form: %v", op, args, err)
	}
	return out
}

// imageFacts are what other deploy files rely on in the image.
type imageFacts struct {
	expose     []string // ports, sorted
	home       string   // the VOLUME holding the node home
	entrypoint []string
	cmd        []string
	binaries   []string // files copied into /usr/local/bin
	healthURL  string
	user       string // USER, uid:gid
}

func dockerImage(t *testing.T) imageFacts {
	t.Helper()
	path := deployPath("Dockerfile")
	stages := parseDockerfile(t, path)
	if len(stages) < 2 {
		t.Fatalf("%s: %d stages, want a build stage and a runtime stage", path, len(stages))
	}
	build, run := stages[0], stages[len(stages)-1]

	// Build stage: Go of go.mod's version, cgo on, the accord binary.
	goMod := string(readFile(t, filepath.Join(repoRoot(), "go.mod")))
	goVer := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindStringSubmatch(goMod)
	if goVer == nil {
		t.Fatal("go.mod has no go directive")
	}
	from := build.from
	for _, a := range build.all("ARG") {
		if k, v, ok := strings.Cut(a, "="); ok {
			from = strings.ReplaceAll(from, "${"+k+"}", v)
		}
	}
	if !strings.HasPrefix(from, "golang:"+goVer[1]+"-") {
		t.Errorf("build stage FROM %s (%s): want golang:%s-<debian release> (go.mod says go %s)", build.from, from, goVer[1], goVer[1])
	}
	if !slices.Contains(build.all("ENV"), "CGO_ENABLED=1") {
		t.Error("build stage does not set CGO_ENABLED=1")
	}
	runs := strings.Join(build.all("RUN"), "\n")
	m := regexp.MustCompile(`go build .*-o (\S+) (\./\S+)`).FindStringSubmatch(runs)
	if m == nil {
		t.Fatal("build stage has no `go build -o OUT ./PKG`")
	}
	if fi, err := os.Stat(filepath.Join(repoRoot(), m[2])); err != nil || !fi.IsDir() {
		t.Errorf("build stage builds %s, which is not a package directory of the module", m[2])
	}
	if filepath.Base(m[1]) != "accord" {
		t.Errorf("build stage writes %s; the binary is called accord", m[1])
	}
	ldflags := regexp.MustCompile(`-X (\S+)\.Version=`).FindStringSubmatch(runs)
	if ldflags != nil && ldflags[1] != "github.com/accordnet/accord/node" {
		t.Errorf("-X sets %s.Version; the version lives in github.com/accordnet/accord/node", ldflags[1])
	}

	// Runtime stage: glibc like the builder, not root, a home volume.
	if !strings.HasPrefix(run.from, "debian:") {
		t.Errorf("runtime FROM %s: want a glibc Debian image (the binary is built with cgo on Debian)", run.from)
	}
	builderRelease := from[strings.Index(from, "-")+1:]
	if !strings.Contains(run.from, builderRelease) {
		t.Errorf("runtime %s and builder %s are different Debian releases (glibc may differ)", run.from, from)
	}
	user := run.last("USER")
	if user == "" || strings.HasPrefix(user, "0") || strings.HasPrefix(user, "root") {
		t.Errorf("runtime stage runs as %q: want a non-root USER", user)
	}
	var f imageFacts
	f.user = user
	if !regexp.MustCompile(`^[1-9][0-9]*:[0-9]+$`).MatchString(user) {
		t.Errorf("USER %q: want numeric uid:gid, so Kubernetes' runAsNonRoot can verify it", user)
	}
	for _, e := range run.all("EXPOSE") {
		f.expose = append(f.expose, strings.Fields(e)...)
	}
	slices.Sort(f.expose)
	vols := run.all("VOLUME")
	if len(vols) != 1 {
		t.Fatalf("runtime stage has %d VOLUMEs, want the node home", len(vols))
	}
	if v := execForm(t, "VOLUME", vols[0]); len(v) == 1 {
		f.home = v[0]
	}
	f.entrypoint = execForm(t, "ENTRYPOINT", run.last("ENTRYPOINT"))
	f.cmd = execForm(t, "CMD", run.last("CMD"))
	for _, c := range run.all("COPY") {
		fs := strings.Fields(c)
		dst := fs[len(fs)-1]
		if strings.HasPrefix(dst, "/usr/local/bin/") {
			f.binaries = append(f.binaries, filepath.Base(dst))
		}
		if !strings.HasPrefix(fs[0], "--from=") {
			for _, src := range fs[:len(fs)-1] {
				if _, err := os.Stat(filepath.Join(repoRoot(), src)); err != nil {
					t.Errorf("COPY %s: not in the build context: %v", src, err)
				}
			}
		}
	}
	hc := run.last("HEALTHCHECK")
	if hc == "" {
		t.Fatal("runtime stage has no HEALTHCHECK")
	}
	f.healthURL = regexp.MustCompile(`https?://\S+`).FindString(hc)
	if f.healthURL == "" {
		t.Fatalf("HEALTHCHECK %q queries no URL", hc)
	}
	if env := run.all("ENV"); !slices.Contains(env, "ACCORD_HOME="+f.home) {
		t.Errorf("runtime ENV %q does not point ACCORD_HOME at the volume %s (used by accord commands run in the container)", env, f.home)
	}
	return f
}

func TestDockerfile(t *testing.T) {
	f := dockerImage(t)
	if !slices.Equal(f.expose, []string{p2pPort, rpcPort}) { // sorted
		t.Errorf("EXPOSE %v, want the RPC and p2p ports %s and %s", f.expose, rpcPort, p2pPort)
	}
	if !slices.Equal(f.entrypoint, []string{"accord"}) {
		t.Errorf("ENTRYPOINT %q, want [accord]", f.entrypoint)
	}
	vals := checkStartArgs(t, "Dockerfile CMD", f.cmd)
	if vals["home"] != f.home {
		t.Errorf("CMD --home %q is not the VOLUME %q", vals["home"], f.home)
	}
	if port(t, vals["rpc.addr"]) != rpcPort {
		t.Errorf("CMD --rpc.addr %q: want port %s", vals["rpc.addr"], rpcPort)
	}
	if !strings.HasPrefix(f.healthURL, "http://127.0.0.1:"+rpcPort+readinessPath) {
		t.Errorf("HEALTHCHECK queries %s, want http://127.0.0.1:%s%s", f.healthURL, rpcPort, readinessPath)
	}
	for _, b := range []string{"accord", "accord-gen-network", "accord-seed-home"} {
		if !slices.Contains(f.binaries, b) {
			t.Errorf("the image has no /usr/local/bin/%s (have %v)", b, f.binaries)
		}
	}
}
