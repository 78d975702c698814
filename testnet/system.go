package testnet

import (
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/sidechain/devchain"
	"github.com/accordnet/accord/types"
)

// The chain IDs of a local system.
const (
	MainChainID = "accord-main"
	SideChainID = "accord-side-1"
)

// Port offsets of a system from its base port p. The side chain, the one
// the C2C walks use, keeps the single testnet's ports so they work against
// either: side node i serves RPC on p+i and p2p on p+100+i. Main node i
// serves RPC on p+200+i and p2p on p+300+i, the dev chain p+400 and side
// validator i's checkpointer p+500+i.
const (
	sysMainOffset         = 200
	sysDevchainOffset     = 400
	sysCheckpointerOffset = 500
	// sysPortSpan is the highest offset a system of n validators uses, less n.
	sysPortSpan = sysCheckpointerOffset
)

// System is the whole local two-chain setup in one directory: an external
// dev chain holding TestUSDT (accord devchain), a main and a side chain of
// Validators validators each (profile testnets, so each names the other's
// validators), one bridge signer per main validator (main node0's key also
// holds the vault and pays withdrawals), one checkpointer per side
// validator and a relayer. The side chain lives at Dir itself (Dir/nodeI,
// Dir/dev.password) where a single testnet would, main under Dir/main.
type System struct {
	Dir        string `json:"-"`
	Validators int    `json:"validators"`
	// BasePort fixes every port (see the offsets above); 0 lets the OS
	// pick them all, for one validator per chain only: the nodes and
	// checkpointers of a chain could not learn each other's addresses.
	BasePort int `json:"base_port"`
	// CheckpointInterval is side blocks per checkpoint; every checkpointer
	// must use the same one for the whole life of the chain, so it is
	// kept in the system's file.
	CheckpointInterval uint64 `json:"checkpoint_interval"`
	// BenchAccounts are funded on the side chain (testnet bench).
	BenchAccounts int `json:"-"`

	// Run-time settings, not stored: how often the signers, checkpointers
	// and relayer step (1 s if 0), and how often the dev chain seals an
	// empty block (2 s if 0).
	Step          time.Duration `json:"-"`
	DevBlockEvery time.Duration `json:"-"`
}

// DefaultCheckpointInterval is a local system's checkpoint interval: short,
// so a burn is released within seconds of idle blocks.
const DefaultCheckpointInterval = 16

// systemFile holds a system's settings; it is written last by InitSystem,
// so it marks a complete system.
func (s System) systemFile() string { return filepath.Join(s.Dir, "system.json") }

// Side is the side chain's layout.
func (s System) Side() Layout {
	return Layout{Dir: s.Dir, Validators: s.Validators, BasePort: s.BasePort, ChainID: SideChainID}
}

// Main is the main chain's layout.
func (s System) Main() Layout {
	l := Layout{Dir: filepath.Join(s.Dir, "main"), Validators: s.Validators, ChainID: MainChainID}
	if s.BasePort != 0 {
		l.BasePort = s.BasePort + sysMainOffset
	}
	return l
}

// DevchainHome, SignerHome, CheckpointerHome and RelayerHome are the
// processes' homes; LogDir holds their logs (the nodes log in their homes).
func (s System) DevchainHome() string { return filepath.Join(s.Dir, "devchain") }
func (s System) SignerHome(i int) string {
	return filepath.Join(s.Dir, fmt.Sprintf("signer%d", i))
}
func (s System) CheckpointerHome(i int) string {
	return filepath.Join(s.Dir, fmt.Sprintf("checkpointer%d", i))
}
func (s System) RelayerHome() string { return filepath.Join(s.Dir, "relayer") }
func (s System) LogDir() string      { return filepath.Join(s.Dir, "logs") }

// EndpointsFile is where a running system writes its endpoints as shell
// assignments (testnet/e2e_bridge.sh sources it).
func (s System) EndpointsFile() string { return filepath.Join(s.Dir, "endpoints.env") }

// Initialized reports whether Dir holds a complete system.
func (s System) Initialized() bool {
	_, err := os.Stat(s.systemFile())
	return err == nil
}

// LoadSystem reads the settings of the system in dir.
func LoadSystem(dir string) (System, error) {
	s := System{Dir: dir}
	raw, err := os.ReadFile(s.systemFile())
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal(raw, &s); err != nil {
		return s, fmt.Errorf("%s: %w", s.systemFile(), err)
	}
	if s.Validators < 1 || s.CheckpointInterval < 1 {
		return s, fmt.Errorf("%s: no validators or checkpoint interval", s.systemFile())
	}
	return s, nil
}

func (s System) check() error {
	if s.Validators < 1 || s.Validators > 100 {
		return fmt.Errorf("%d validators per chain: want 1 to 100 (each kind of port has a range of 100)", s.Validators)
	}
	if s.BasePort == 0 && s.Validators > 1 {
		return fmt.Errorf("base port 0 (ports chosen at start) is for one validator per chain; %d validators need fixed ports to find each other", s.Validators)
	}
	if s.BasePort < 0 || s.BasePort > 65535-sysPortSpan-s.Validators {
		return fmt.Errorf("base port %d out of range: the system uses up to base+%d", s.BasePort, sysPortSpan+s.Validators-1)
	}
	if s.CheckpointInterval < 1 {
		return fmt.Errorf("checkpoint interval must be at least 1")
	}
	return nil
}

// RelayerKey is a system's relayer key, funded in both geneses. Public
// knowledge: local systems only.
func RelayerKey() *ecdsa.PrivateKey { return seededKey("accord-testnet-relayer") }

// relayerFunds and signerFunds pay the relayer's and the bridge signers'
// fees for a long time.
const (
	relayerFunds = 10_000 * types.MicroPerUSDT
	signerFunds  = 1_000 * types.MicroPerUSDT
)

// vault is the external vault: main validator 0's address.
func (s System) vault() types.Address { return ValidatorAddrs(MainChainID, 1)[0] }

// InitSystem writes a new system: both chains' homes (the dev key, the
// relayer and main's validators, who sign for the bridge, funded in the
// geneses), the relayer's keyring, and last the system's file.
func InitSystem(s System) error {
	if err := s.check(); err != nil {
		return err
	}
	if s.Side().Initialized() || s.Main().Initialized() {
		return fmt.Errorf("%s already holds a chain; delete it to start over", s.Dir)
	}
	relayer := types.PubkeyAddress(RelayerKey())
	mainAllocs := []node.Alloc{{Address: relayer, Micro: relayerFunds}}
	for _, a := range ValidatorAddrs(MainChainID, s.Validators) {
		mainAllocs = append(mainAllocs, node.Alloc{Address: a, Micro: signerFunds})
	}
	if _, err := Init(s.Side(), InitOptions{Profile: app.Side, BenchAccounts: s.BenchAccounts,
		Allocs:    []node.Alloc{{Address: relayer, Micro: relayerFunds}},
		MainChain: &LinkedChain{ChainID: MainChainID, Validators: s.Validators}}); err != nil {
		return fmt.Errorf("side chain: %w", err)
	}
	if _, err := Init(s.Main(), InitOptions{Profile: app.Main, Allocs: mainAllocs,
		SideChains: []LinkedChain{{ChainID: SideChainID, Validators: s.Validators}}}); err != nil {
		return fmt.Errorf("main chain: %w", err)
	}
	if err := os.MkdirAll(s.RelayerHome(), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(s.relayerPasswordFile(), []byte("relayer\n"), 0o600); err != nil {
		return err
	}
	kr := client.Keyring{Dir: filepath.Join(s.RelayerHome(), "keys"), LightKDF: true}
	if _, err := kr.Import("relayer", "relayer", RelayerKey()); err != nil {
		return err
	}
	raw, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(s.systemFile(), append(raw, '\n'), 0o644)
}

func (s System) relayerPasswordFile() string { return filepath.Join(s.RelayerHome(), "password") }

// Ports lists every port the system listens on: the side nodes', the main
// nodes' (from their configs once initialized), the dev chain's and the
// checkpointers'. With BasePort 0 the OS picks them and there is nothing to
// check.
func (s System) Ports() ([]Port, error) {
	var out []Port
	for _, c := range []struct {
		name string
		l    Layout
	}{{"side ", s.Side()}, {"main ", s.Main()}} {
		ps, err := c.l.Ports()
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			p.Chain = c.name
			out = append(out, p)
		}
	}
	if s.BasePort == 0 {
		return out, nil
	}
	out = append(out, Port{Proc: "the devchain", Purpose: "RPC", Network: "tcp", Addr: s.devchainAddr()})
	for i := 0; i < s.Validators; i++ {
		out = append(out, Port{Proc: fmt.Sprintf("checkpointer%d", i), Purpose: "HTTP", Network: "tcp", Addr: s.checkpointerAddr(i)})
	}
	return out, nil
}

// CheckPorts tries every port of Ports and names the first one taken.
func (s System) CheckPorts() error {
	ps, err := s.Ports()
	if err != nil {
		return err
	}
	return checkPorts(ps)
}

func (s System) devchainAddr() string {
	if s.BasePort == 0 {
		return "127.0.0.1:0"
	}
	return "127.0.0.1:" + strconv.Itoa(s.BasePort+sysDevchainOffset)
}

func (s System) checkpointerAddr(i int) string {
	if s.BasePort == 0 {
		return "127.0.0.1:0"
	}
	return "127.0.0.1:" + strconv.Itoa(s.BasePort+sysCheckpointerOffset+i)
}

// Endpoints is what a running system tells its users (and EndpointsFile
// holds).
type Endpoints struct {
	Main, Side, Eth string   // URLs of main node0, side node0 and the dev chain
	MainNodes       []string // every main node's URL, node0 first
	SideNodes       []string
	Checkpointers   []string // their HTTP URLs
	Token, Vault    string   // on the dev chain: TestUSDT and the bridge vault
	Dev             string   // the dev key, the same on every chain
	MainDevHome     string   // the homes whose keyrings hold it
	SideDevHome     string
	DevPassword     string   // its password file
	DevAccounts     []string // the dev chain's own funded accounts
	DevchainInfo    string   // their keys
	Logs            string   // the directory of the logs below but the nodes'
	MainLogs        []string
	SideLogs        []string
	SignerLogs      []string
	RelayerLog      string
	EthLog          string
	// CheckpointerLogs are the checkpointers' logs.
	CheckpointerLogs []string
}

// env renders the endpoints as shell assignments.
func (e Endpoints) env() string {
	var b strings.Builder
	kv := func(k, v string) { fmt.Fprintf(&b, "%s=%s\n", k, v) }
	kv("MAIN", e.Main)
	kv("SIDE", e.Side)
	kv("ETH", e.Eth)
	kv("TOKEN", e.Token)
	kv("VAULT", e.Vault)
	kv("ESCROW", bridge.EscrowAddress.Hex())
	kv("DEV", e.Dev)
	kv("MAIN_ID", MainChainID)
	kv("SIDE_ID", SideChainID)
	kv("MAIN_DEV_HOME", e.MainDevHome)
	kv("SIDE_DEV_HOME", e.SideDevHome)
	kv("DEV_PASSWORD", e.DevPassword)
	kv("MAIN_NODES", strings.Join(e.MainNodes, ","))
	kv("SIDE_NODES", strings.Join(e.SideNodes, ","))
	kv("CHECKPOINTERS", strings.Join(e.Checkpointers, ","))
	kv("LOGS", e.Logs)
	return b.String()
}

// ReadEndpoints reads a running system's EndpointsFile.
func ReadEndpoints(path string) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(raw), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			out[k] = v
		}
	}
	return out, nil
}

// SystemUp runs every process of an initialized system as a child of bin
// until ctx ends: the chains' nodes, then (once they answer) the dev chain,
// the checkpointers, the bridge signers and the relayer, each logging to a
// file. It prints every endpoint to out, writes EndpointsFile, reports
// heights every statusEvery, and on ctx's end stops every process with
// SIGINT (SIGKILL after 15 s). Nothing is redone on a resume: keys and
// funding are in the geneses, and each process keeps its own progress.
//
// Before it starts anything it checks every port of the system
// (CheckPorts) and returns ErrPortInUse naming the first that is taken.
func SystemUp(ctx context.Context, s System, bin string, out io.Writer, statusEvery time.Duration) error {
	if err := s.CheckPorts(); err != nil {
		return err
	}
	if s.Step <= 0 {
		s.Step = time.Second
	}
	if s.DevBlockEvery <= 0 {
		s.DevBlockEvery = 2 * time.Second
	}
	_ = os.Remove(s.EndpointsFile()) // names the last run's ports until this one is up
	resumed := s.Side().resumed()
	sup := newSupervisor(bin)
	e, err := s.start(ctx, sup)
	if err != nil {
		sup.stopAll()
		return err
	}
	tmp := s.EndpointsFile() + ".tmp"
	if err := os.WriteFile(tmp, []byte(e.env()), 0o644); err != nil {
		sup.stopAll()
		return err
	}
	if err := os.Rename(tmp, s.EndpointsFile()); err != nil {
		sup.stopAll()
		return err
	}
	fmt.Fprint(out, s.banner(ctx, e, resumed))
	return supervise(ctx, sup, out, statusEvery, func() string {
		return time.Now().Format("15:04:05") + " heights: " + heights(ctx, s.Main(), "main ") + "  " + heights(ctx, s.Side(), "side ")
	})
}

// ErrProcessExited is returned when a process of a starting system exits
// before it is ready.
var ErrProcessExited = errors.New("process exited")

// start starts the processes in dependency order and returns the
// endpoints once every one is ready.
func (s System) start(ctx context.Context, sup *supervisor) (Endpoints, error) {
	main, side := s.Main(), s.Side()
	n := s.Validators
	if err := startNodes(sup, main, "main "); err != nil {
		return Endpoints{}, err
	}
	if err := startNodes(sup, side, "side "); err != nil {
		return Endpoints{}, err
	}
	for i, c := range sup.children {
		l := main
		if i >= n {
			l, i = side, i-n
		}
		if err := awaitNode(ctx, c, l.Home(i)); err != nil {
			return Endpoints{}, err
		}
	}
	e := Endpoints{MainNodes: main.URLs(), SideNodes: side.URLs(), Vault: s.vault().Hex(), Dev: types.PubkeyAddress(DevKey()).Hex(),
		MainDevHome: string(main.Home(0)), SideDevHome: string(side.Home(0)), DevPassword: side.DevPasswordFile(), Logs: s.LogDir()}
	e.Main, e.Side = e.MainNodes[0], e.SideNodes[0]
	for i := 0; i < n; i++ {
		e.MainLogs = append(e.MainLogs, main.LogFile(i))
		e.SideLogs = append(e.SideLogs, side.LogFile(i))
	}

	// The external chain: the vault needs ETH for the payouts' gas, the
	// dev key ETH and USDT to deposit (first start only).
	dh := s.DevchainHome()
	_ = os.Remove(node.Home(dh).ListenFile())
	e.EthLog = filepath.Join(s.LogDir(), "devchain.log")
	c, err := sup.start("devchain", e.EthLog, "devchain", "--home", dh, "--listen", s.devchainAddr(),
		"--fund", e.Vault, "--fund-usdt", e.Dev, "--block-interval", s.DevBlockEvery.String())
	if err != nil {
		return e, err
	}
	addr, err := awaitListening(ctx, c, dh)
	if err != nil {
		return e, err
	}
	info, err := devchain.ReadInfo(dh)
	if err != nil {
		return e, err
	}
	e.Eth, e.Token, e.DevchainInfo = "http://"+addr, info.Token.Hex(), filepath.Join(dh, devchain.InfoFile)
	for _, a := range info.Accounts {
		e.DevAccounts = append(e.DevAccounts, a.Address.Hex())
	}

	// Checkpointers: each side validator's, gossiping with the others
	// (fixed ports; with OS-picked ports there is one, with no peers).
	for i := 0; i < n; i++ {
		var peers []string
		for j := 0; j < n; j++ {
			if j != i {
				peers = append(peers, "http://"+s.checkpointerAddr(j))
			}
		}
		home := s.CheckpointerHome(i)
		_ = os.Remove(node.Home(home).ListenFile())
		log := filepath.Join(s.LogDir(), fmt.Sprintf("checkpointer%d.log", i))
		args := []string{"checkpointer", "--home", home, "--side", e.SideNodes[i], "--main", e.Main,
			"--from", "validator:" + string(side.Home(i)), "--listen", s.checkpointerAddr(i),
			"--checkpoint-interval", strconv.FormatUint(s.CheckpointInterval, 10), "--interval", s.Step.String()}
		if len(peers) > 0 {
			args = append(args, "--peers", strings.Join(peers, ","))
		}
		c, err := sup.start(fmt.Sprintf("checkpointer%d", i), log, args...)
		if err != nil {
			return e, err
		}
		addr, err := awaitListening(ctx, c, home)
		if err != nil {
			return e, err
		}
		e.Checkpointers = append(e.Checkpointers, "http://"+addr)
		e.CheckpointerLogs = append(e.CheckpointerLogs, log)
	}

	// Bridge signers: main validator i's key on main node i; node0's key
	// is the vault's and pays withdrawals.
	for i := 0; i < n; i++ {
		vault := []string{"--vault", e.Vault}
		if i == 0 {
			vault = []string{"--vault-from", "validator:" + string(main.Home(0))}
		}
		log := filepath.Join(s.LogDir(), fmt.Sprintf("signer%d.log", i))
		args := append([]string{"bridge-signer", "--home", s.SignerHome(i), "--eth", e.Eth, "--main", e.MainNodes[i],
			"--from", "validator:" + string(main.Home(i)), "--token", e.Token, "--confirmations", "2", "--interval", s.Step.String()}, vault...)
		if _, err := sup.start(fmt.Sprintf("signer%d", i), log, args...); err != nil {
			return e, err
		}
		e.SignerLogs = append(e.SignerLogs, log)
	}

	e.RelayerLog = filepath.Join(s.LogDir(), "relayer.log")
	if _, err := sup.start("relayer", e.RelayerLog, "relayer", "--home", s.RelayerHome(), "--main", e.Main, "--side", e.Side,
		"--from", "relayer", "--password-file", s.relayerPasswordFile(), "--checkpointers", strings.Join(e.Checkpointers, ","),
		"--interval", s.Step.String()); err != nil {
		return e, err
	}
	return e, nil
}

// readyTimeout bounds how long a starting process may take to answer: a
// node replaying a long ledger on a loaded machine takes a while.
const readyTimeout = 3 * time.Minute

// awaitNode waits until the node of home answers at the address its listen
// file names, or its process exits.
func awaitNode(ctx context.Context, c *child, home node.Home) error {
	return await(ctx, c, func() bool {
		li, err := node.ReadListening(home)
		if err != nil {
			return false
		}
		rctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		_, err = client.New(li.RPC).Status(rctx)
		return err == nil
	})
}

// awaitListening waits until the service of home wrote its listen file
// (after it began serving), or its process exits, and returns the address.
func awaitListening(ctx context.Context, c *child, home string) (string, error) {
	var addr string
	err := await(ctx, c, func() bool {
		li, err := node.ReadListening(node.Home(home))
		addr = li.RPC
		return err == nil
	})
	return addr, err
}

func await(ctx context.Context, c *child, ready func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, readyTimeout)
	defer cancel()
	for !ready() {
		select {
		case <-c.done:
			return fmt.Errorf("%w: %s", ErrProcessExited, c.exitReport())
		case <-ctx.Done():
			return fmt.Errorf("%s not ready within %s (see %s): %w", c.name, readyTimeout, c.log, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return nil
}

// banner describes a running system: every endpoint, the dev key and what
// to try.
func (s System) banner(ctx context.Context, e Endpoints, resumed bool) string {
	var b strings.Builder
	verb := "New"
	if resumed {
		verb = "Resumed"
	}
	fmt.Fprintf(&b, "\n%s Accord system in %s: main %q and side %q of %d validator(s) each, the external dev chain, bridge signers, checkpointers, a relayer\n",
		verb, s.Dir, MainChainID, SideChainID, s.Validators)
	for i, u := range e.SideNodes {
		fmt.Fprintf(&b, "  side node%d      RPC %s   log %s\n", i, u, e.SideLogs[i])
	}
	for i, u := range e.MainNodes {
		fmt.Fprintf(&b, "  main node%d      RPC %s   log %s\n", i, u, e.MainLogs[i])
	}
	fmt.Fprintf(&b, "  devchain        RPC %s (chain 1337; TestUSDT %s, vault %s)   log %s\n", e.Eth, e.Token, e.Vault, e.EthLog)
	fmt.Fprintf(&b, "  devchain accounts %s (keys in %s)\n", strings.Join(e.DevAccounts, " "), e.DevchainInfo)
	for i, u := range e.Checkpointers {
		fmt.Fprintf(&b, "  checkpointer%d  HTTP %s   log %s\n", i, u, e.CheckpointerLogs[i])
	}
	for i, l := range e.SignerLogs {
		fmt.Fprintf(&b, "  bridge signer%d  main validator %d's key   log %s\n", i, i, l)
	}
	fmt.Fprintf(&b, "  relayer         %s   log %s\n", types.PubkeyAddress(RelayerKey()).Hex(), e.RelayerLog)
	fmt.Fprintf(&b, "  checkpoint every %d side blocks; endpoints in %s\n", s.CheckpointInterval, s.EndpointsFile())
	bal := func(url string) string {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		acc, err := client.New(url).Account(cctx, types.PubkeyAddress(DevKey()))
		if err != nil {
			return "unknown: " + err.Error()
		}
		return acc.Balance
	}
	fmt.Fprintf(&b, `  dev key: "dev" = %s (side %s USDT, main %s USDT now), in %s (side) and %s (main), password file %s
Try:
  testnet/e2e_c2c.sh %s              # a C2C walk on the side chain
  testnet/e2e_bridge.sh %s           # USDT external -> main -> side (a C2C order) -> main -> external
  ./bin/accord status --home %s
  ./bin/accord query checkpoint latest --chain %s --node %s
Stop with Ctrl-C; run again to resume.
`, e.Dev, bal(e.Side), bal(e.Main), e.SideDevHome, e.MainDevHome, e.DevPassword, s.Dir, s.Dir, e.SideDevHome, SideChainID, e.Main)
	return b.String()
}
