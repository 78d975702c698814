package node

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/contracts/bank"
	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/contracts/gov"
	"github.com/accordnet/accord/ledger"
	"github.com/accordnet/accord/ledger/state"
	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

// ErrHomeExists is returned by Init when the home already has a genesis.
var ErrHomeExists = errors.New("home already initialized")

// Alloc is one genesis allocation.
type Alloc struct {
	Address types.Address
	Micro   uint64
}

// ParseAlloc parses ADDR=AMOUNT with AMOUNT in decimal USDT.
func ParseAlloc(s string) (Alloc, error) {
	addr, amt, ok := strings.Cut(s, "=")
	if !ok {
		return Alloc{}, fmt.Errorf("allocation %q: want ADDR=AMOUNT", s)
	}
	a, err := types.ParseAddress(addr)
	if err != nil {
		return Alloc{}, fmt.Errorf("allocation %q: %w", s, err)
	}
	m, err := types.ParseUSDT(amt)
	if err != nil {
		return Alloc{}, fmt.Errorf("allocation %q: %w", s, err)
	}
	return Alloc{a, m}, nil
}

// RoleGrant gives an address a gov role in the genesis.
type RoleGrant struct {
	Address types.Address
	Role    gov.Role
}

// ParseRoleGrant parses ADDR=ROLE, ROLE one of kyc_provider, compliance,
// oracle, arbitrator, bridge_signer.
func ParseRoleGrant(s string) (RoleGrant, error) {
	addr, role, ok := strings.Cut(s, "=")
	if !ok {
		return RoleGrant{}, fmt.Errorf("role %q: want ADDR=ROLE", s)
	}
	a, err := types.ParseAddress(addr)
	if err != nil {
		return RoleGrant{}, fmt.Errorf("role %q: %w", s, err)
	}
	r, err := gov.ParseRole(role)
	if err != nil {
		return RoleGrant{}, fmt.Errorf("role %q: %w", s, err)
	}
	return RoleGrant{a, r}, nil
}

// DefaultThreshold is the admin threshold used when none is given: more
// than two thirds of n admins.
func DefaultThreshold(n int) uint64 {
	if n <= 0 {
		return 0
	}
	return uint64(n - (n-1)/3)
}

// InitOptions shape a new home.
type InitOptions struct {
	ChainID string
	// Profile is the chain's module list (app.Side when empty), written
	// into the genesis: a node serves the chain its genesis names.
	Profile app.Profile
	// SideChains (main only) are registered with checkpoint, each under
	// its own chain ID with its validator set.
	SideChains []ChainRef
	// MainChain (side only) is the main chain whose genesis validators
	// the light client trusts.
	MainChain  *ChainRef
	Allocs     []Alloc
	MinFee     uint64          // micro-USDT; default 0.01 USDT
	Validators []types.Address // genesis validators; default: this node's key alone
	// ValidatorKey is this node's key; generated when nil.
	ValidatorKey *ecdsa.PrivateKey
	// KeyPassword, when set, encrypts the validator key (keystore v3);
	// the node then needs it at start (KeyOptions).
	KeyPassword string
	// LightKDF makes that encryption fast and weak (tests, local testnets).
	LightKDF    bool
	Config      *Config
	GenesisTime time.Time
	// Admins form gov's admin multisig; default: the genesis validators.
	Admins []types.Address
	// AdminThreshold is the approvals a gov proposal needs; default: more
	// than two thirds of the admins (n − ⌊(n−1)/3⌋), so 1 of 1, 3 of 4.
	AdminThreshold uint64
	// Roles are gov role grants at genesis (oracle, kyc_provider, ...).
	Roles []RoleGrant
	// Params is gov's genesis "params" section: module -> key -> value, as
	// a SetParam proposal would set them (e.g. "order" ->
	// "payment_window_ms" -> "60000").
	Params map[string]map[string]string
	// ExtraAppState adds module sections to the genesis (oracle, acceptor,
	// ...); a "gov" section here replaces the one built from the fields
	// above.
	ExtraAppState map[string]json.RawMessage
	// Genesis, when set, is written as is instead of building one (joining
	// an existing chain).
	Genesis []byte
}

// Init writes config, validator key and genesis into a new home.
func Init(h Home, o InitOptions) (types.Address, error) {
	if _, err := os.Stat(h.GenesisFile()); err == nil {
		return types.Address{}, fmt.Errorf("%w: %s exists", ErrHomeExists, h.GenesisFile())
	}
	key := o.ValidatorKey
	if key == nil {
		var err error
		if key, err = crypto.GenerateKey(); err != nil {
			return types.Address{}, err
		}
	}
	self := types.PubkeyAddress(key)
	cfg := DefaultConfig()
	if o.Config != nil {
		cfg = *o.Config
	}
	if err := cfg.Validate(); err != nil {
		return types.Address{}, err
	}
	// The home holds the validator key and the chain: nobody else's
	// business. Chmod too, since MkdirAll leaves an existing directory be.
	if err := os.MkdirAll(string(h), 0o700); err != nil {
		return types.Address{}, err
	}
	if err := os.Chmod(string(h), 0o700); err != nil {
		return types.Address{}, err
	}
	if err := WriteValidatorKey(h, key, o.KeyPassword, o.LightKDF); err != nil {
		return types.Address{}, err
	}
	if err := SaveConfig(h, cfg); err != nil {
		return types.Address{}, err
	}
	raw := o.Genesis
	if raw == nil {
		var err error
		if raw, err = BuildGenesis(o, self); err != nil {
			return types.Address{}, err
		}
	}
	if err := CheckGenesis(raw); err != nil {
		return types.Address{}, err
	}
	if err := os.MkdirAll(h.KeysDir(), 0o700); err != nil {
		return types.Address{}, err
	}
	return self, writeFileAtomic(h.GenesisFile(), raw, 0o644)
}

// BuildGenesis makes a genesis document from init options.
func BuildGenesis(o InitOptions, self types.Address) ([]byte, error) {
	if o.ChainID == "" {
		return nil, errors.New("chain ID is empty")
	}
	fee := o.MinFee
	if fee == 0 {
		fee = 10_000
	}
	accs := make([]bank.GenesisAccount, 0, len(o.Allocs))
	for _, a := range o.Allocs {
		accs = append(accs, bank.GenesisAccount{Address: a.Address.Hex(), Balance: types.FormatUSDT(a.Micro)})
	}
	bg, err := json.Marshal(bank.Genesis{MinFee: types.FormatUSDT(fee), Treasury: bank.ModuleAddress("treasury").Hex(), Accounts: accs})
	if err != nil {
		return nil, err
	}
	vals := o.Validators
	if len(vals) == 0 {
		vals = []types.Address{self}
	}
	admins := o.Admins
	if len(admins) == 0 {
		admins = vals
	}
	gg := gov.Genesis{Threshold: o.AdminThreshold, Params: o.Params}
	if gg.Threshold == 0 {
		gg.Threshold = DefaultThreshold(len(admins))
	}
	for _, a := range admins {
		gg.Admins = append(gg.Admins, a.Hex())
	}
	for _, r := range o.Roles {
		gg.Roles = append(gg.Roles, gov.GenesisRole{Address: r.Address.Hex(), Role: r.Role.String()})
	}
	govRaw, err := json.Marshal(gg)
	if err != nil {
		return nil, err
	}
	profile, err := app.ParseProfile(string(o.Profile))
	if err != nil {
		return nil, err
	}
	g := ledger.Genesis{ChainID: o.ChainID, GenesisTime: o.GenesisTime,
		AppState: map[string]json.RawMessage{"bank": bg, gov.ModuleName: govRaw}}
	if o.Profile != "" {
		g.Profile = string(profile)
	}
	if err := chainSections(o, profile, g.AppState); err != nil {
		return nil, err
	}
	if g.GenesisTime.IsZero() {
		g.GenesisTime = time.Now().UTC().Truncate(time.Second)
	}
	for _, v := range vals {
		g.Validators = append(g.Validators, v.Hex())
	}
	for k, v := range o.ExtraAppState {
		g.AppState[k] = v
	}
	raw, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(raw, '\n'), nil
}

// CheckGenesis parses a genesis document and applies its app state to an
// empty in-memory state with the application NewApp builds, so a document
// a node could not start from is refused at init rather than at start.
func CheckGenesis(raw []byte) error {
	g, err := ledger.ParseGenesis(raw)
	if err != nil {
		return err
	}
	app, err := genesisApp(g)
	if err != nil {
		return err
	}
	blk := core.Block{ChainID: g.ChainID, Height: 0, Time: g.TimeMillis()}
	if err := app.Router.InitGenesis(blk, state.NewOverlay(nil), g.AppState); err != nil {
		return fmt.Errorf("genesis app_state: %w", err)
	}
	return nil
}
