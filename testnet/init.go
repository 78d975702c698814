package testnet

import (
	"crypto/ecdsa"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/contracts/bridge"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/node"
	"github.com/accordnet/accord/p2p"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// DevFunds is what the dev key and each bench account get in a testnet genesis.
const DevFunds = 1_000_000 * types.MicroPerUSDT

// Layout describes a testnet directory.
type Layout struct {
	Dir        string
	Validators int
	// FullNodes follow the chain without voting: nodes Validators..Nodes()-1.
	// They hold keys (their p2p identity) that are not in the validator set;
	// every node allow-lists them (p2p_allow) so they may connect.
	FullNodes int
	// BasePort fixes the ports: RPC of node i is BasePort+i, p2p of node i
	// is BasePort+100+i, and every node's config names every other as a
	// peer. Zero lets the OS pick every port when a node starts (see
	// node.Listening); nodes then learn each other's addresses at run time
	// (node.AddPeer), as Cluster does, and a test never races another
	// process for a port. (The processes of `testnet up` cannot learn
	// each other's addresses, so it takes 0 only for a single validator.)
	BasePort int
	ChainID  string
}

// FixedPorts reports whether the layout fixes the nodes' ports.
func (l Layout) FixedPorts() bool { return l.BasePort != 0 }

// Nodes is the number of nodes: validators first, then full nodes.
func (l Layout) Nodes() int { return l.Validators + l.FullNodes }

// IsValidator reports whether node i is a validator (not a full node).
func (l Layout) IsValidator(i int) bool { return i < l.Validators }

// Home of node i.
func (l Layout) Home(i int) node.Home {
	return node.Home(filepath.Join(l.Dir, fmt.Sprintf("node%d", i)))
}

// RPCAddr of node i, as its config names it (port 0 without FixedPorts).
func (l Layout) RPCAddr(i int) string {
	if !l.FixedPorts() {
		return "127.0.0.1:0"
	}
	return fmt.Sprintf("127.0.0.1:%d", l.BasePort+i)
}

// LiveRPCAddr of node i: where its running node listens, as its listen
// file says (also when the OS picked the port), else RPCAddr.
func (l Layout) LiveRPCAddr(i int) string {
	if li, err := node.ReadListening(l.Home(i)); err == nil {
		return li.RPC
	}
	return l.RPCAddr(i)
}

// P2PAddr of node i, as its config names it (port 0 without FixedPorts).
func (l Layout) P2PAddr(i int) string {
	if !l.FixedPorts() {
		return "/ip4/127.0.0.1/tcp/0"
	}
	return fmt.Sprintf("/ip4/127.0.0.1/tcp/%d", l.BasePort+100+i)
}

// DevPasswordFile holds the dev key's password.
func (l Layout) DevPasswordFile() string { return filepath.Join(l.Dir, "dev.password") }

// Initialized reports whether the directory already holds this testnet.
func (l Layout) Initialized() bool {
	_, err := os.Stat(l.Home(0).GenesisFile())
	return err == nil
}

// InitOptions add to a testnet genesis.
type InitOptions struct {
	BenchAccounts int // BenchKey(0..n-1) funded with DevFunds each
	// Allocs fund further accounts in the genesis (a system's relayer and
	// bridge signers, which pay fees).
	Allocs []node.Alloc
	Config func(i int, c *node.Config)
	// Params is gov's genesis "params" section (module -> key -> value),
	// e.g. a short order payment window for tests.
	Params map[string]map[string]string
	// Profile, when set, is written into the genesis (see Linked) and
	// makes the keys deterministic: ValidatorKey(chain ID, i) for node i
	// and DevKey for the dev key, so testnets of the two profiles can
	// name each other's validators before either exists.
	Profile app.Profile
	// SideChains (main): side chains registered with checkpoint, each by
	// chain ID and validator count (their keys are ValidatorKey's).
	SideChains []LinkedChain
	// MainChain (side): the main chain the light client trusts.
	MainChain *LinkedChain
}

// LinkedChain names another profile testnet: its chain ID and validator
// count, which fix its validators' addresses (ValidatorAddrs).
type LinkedChain struct {
	ChainID    string
	Validators int
}

// ParseLinkedChain parses CHAIN_ID:VALIDATORS (testnet --side-chain and
// --main-chain).
func ParseLinkedChain(s string) (LinkedChain, error) {
	id, n, ok := strings.Cut(s, ":")
	v, err := strconv.Atoi(n)
	if !ok || id == "" || err != nil || v < 1 || v > gov.MaxValidators {
		return LinkedChain{}, fmt.Errorf("chain %q: want CHAIN_ID:VALIDATORS (1..%d)", s, gov.MaxValidators)
	}
	return LinkedChain{ChainID: id, Validators: v}, nil
}

func (c LinkedChain) ref() node.ChainRef {
	return node.ChainRef{ChainID: c.ChainID, Validators: ValidatorAddrs(c.ChainID, c.Validators)}
}

// ValidatorKey is node i's key in a profile testnet of chainID. It is
// public knowledge: local testnets only.
func ValidatorKey(chainID string, i int) *ecdsa.PrivateKey {
	return seededKey(fmt.Sprintf("accord-testnet-validator/%s/%d", chainID, i))
}

// ValidatorAddrs are the first n validators' addresses of a profile
// testnet of chainID.
func ValidatorAddrs(chainID string, n int) []types.Address {
	out := make([]types.Address, n)
	for i := range out {
		out[i] = types.PubkeyAddress(ValidatorKey(chainID, i))
	}
	return out
}

// DevKey is the dev key of every profile testnet, so one developer holds
// funds on main and on each side chain with one key.
func DevKey() *ecdsa.PrivateKey { return seededKey("accord-testnet-dev") }

func seededKey(seed string) *ecdsa.PrivateKey {
	h := types.Keccak([]byte(seed))
	k, err := crypto.ToECDSA(h[:])
	if err != nil {
		panic(err)
	}
	return k
}

// DevRoles are the gov roles the dev key holds in a testnet genesis, so one
// developer can try the whole C2C flow alone: it is also the only admin
// (threshold 1), so its proposals execute at once.
var DevRoles = []gov.Role{gov.RoleKYCProvider, gov.RoleCompliance, gov.RoleOracle, gov.RoleArbitrator}

// Init writes the homes of a new testnet: one key each, a shared genesis
// naming the first l.Validators nodes as validators, funding the dev key (in
// node0's keyring, password in dev.password) and the bench accounts and
// making the dev key the single gov admin holding DevRoles, and configs
// that allow-list the full nodes and, with FixedPorts, list every other
// node as a peer.
func Init(l Layout, o InitOptions) (types.Address, error) {
	if l.Validators < 1 {
		return types.Address{}, fmt.Errorf("need at least one validator")
	}
	if l.FullNodes < 0 || (l.FullNodes > 0 && l.Validators < 2) {
		return types.Address{}, fmt.Errorf("full nodes need a networked testnet (2 or more validators)")
	}
	if l.BasePort < 0 || l.BasePort > 65535-100-l.Nodes() {
		return types.Address{}, fmt.Errorf("base port %d out of range", l.BasePort)
	}
	if err := os.MkdirAll(l.Dir, 0o700); err != nil {
		return types.Address{}, err
	}
	keys := make([]*ecdsa.PrivateKey, l.Nodes())
	addrs := make([]types.Address, l.Nodes())
	peers := make([]string, l.Nodes())
	for i := range keys {
		k := ValidatorKey(l.ChainID, i)
		if o.Profile == "" {
			var err error
			if k, err = crypto.GenerateKey(); err != nil {
				return types.Address{}, err
			}
		}
		keys[i], addrs[i] = k, types.PubkeyAddress(k)
		id, err := p2p.PeerIDFromKey(k)
		if err != nil {
			return types.Address{}, err
		}
		peers[i] = l.P2PAddr(i) + "/p2p/" + id.String()
	}
	if err := os.WriteFile(l.DevPasswordFile(), []byte("dev\n"), 0o600); err != nil {
		return types.Address{}, err
	}
	kr := client.Keyring{Dir: l.Home(0).KeysDir(), LightKDF: true}
	var devAddr types.Address
	var err error
	if o.Profile == "" {
		devAddr, err = kr.New("dev", "dev")
	} else {
		devAddr, err = kr.Import("dev", "dev", DevKey())
	}
	if err != nil {
		return types.Address{}, err
	}
	vals := addrs[:l.Validators]
	var fullNodes []string
	for _, a := range addrs[l.Validators:] {
		fullNodes = append(fullNodes, a.Hex())
	}
	allocs := []node.Alloc{{Address: devAddr, Micro: DevFunds}}
	allocs = append(allocs, o.Allocs...)
	for i := 0; i < o.BenchAccounts; i++ {
		allocs = append(allocs, node.Alloc{Address: types.PubkeyAddress(BenchKey(i)), Micro: DevFunds})
	}
	roles := make([]node.RoleGrant, 0, len(DevRoles))
	for _, r := range DevRoles {
		roles = append(roles, node.RoleGrant{Address: devAddr, Role: r})
	}
	params := o.Params
	if o.Profile == app.Main {
		// One bridge signer per main validator (its validator key) and the
		// dev key; the validators alone reach the threshold.
		for _, a := range append([]types.Address{devAddr}, vals...) {
			roles = append(roles, node.RoleGrant{Address: a, Role: gov.RoleBridgeSigner})
		}
		if _, set := params[bridge.ModuleName][bridge.ParamThreshold]; !set {
			params = withParam(params, bridge.ModuleName, bridge.ParamThreshold, strconv.FormatUint(node.DefaultThreshold(len(vals)), 10))
		}
	}
	io := node.InitOptions{ChainID: l.ChainID, Profile: o.Profile, Allocs: allocs, Validators: vals,
		Admins: []types.Address{devAddr}, AdminThreshold: 1, Roles: roles, Params: params,
		GenesisTime: time.Now().UTC().Truncate(time.Second)}
	for _, sc := range o.SideChains {
		io.SideChains = append(io.SideChains, sc.ref())
	}
	if o.MainChain != nil {
		r := o.MainChain.ref()
		io.MainChain = &r
	}
	genesis, err := node.BuildGenesis(io, vals[0])
	if err != nil {
		return types.Address{}, err
	}
	for i := range keys {
		cfg := node.DefaultConfig()
		cfg.Moniker = fmt.Sprintf("node%d", i)
		cfg.RPCAddr = l.RPCAddr(i)
		if l.Validators > 1 {
			cfg.P2PListen = l.P2PAddr(i)
			for j, p := range peers {
				if j != i && l.FixedPorts() {
					cfg.P2PPeers = append(cfg.P2PPeers, p)
				}
			}
			cfg.P2PAllow = fullNodes
		}
		if o.Config != nil {
			o.Config(i, &cfg)
		}
		if _, err := node.Init(l.Home(i), node.InitOptions{ValidatorKey: keys[i], Config: &cfg, Genesis: genesis}); err != nil {
			return types.Address{}, fmt.Errorf("node%d: %w", i, err)
		}
	}
	return devAddr, nil
}

// withParam returns a copy of params with module.key = value.
func withParam(params map[string]map[string]string, module, key, value string) map[string]map[string]string {
	out := make(map[string]map[string]string, len(params)+1)
	for m, kv := range params {
		out[m] = kv
	}
	mod := make(map[string]string, len(out[module])+1)
	for k, v := range out[module] {
		mod[k] = v
	}
	mod[key] = value
	out[module] = mod
	return out
}

// DevAddress reads the dev key's address of an initialized testnet.
func (l Layout) DevAddress() (types.Address, error) {
	return client.Keyring{Dir: l.Home(0).KeysDir()}.Address("dev")
}
