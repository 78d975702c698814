package node

import (
	"fmt"

	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/app"
	"github.com/accordnet/accord/ledger"
)

// App is the application a node runs, as package app assembles it for the
// profile its genesis names: the router of contract modules, the keepers
// the API reads through, and the admission cost the mempool checks.
type App struct {
	*app.App
}

// NewApp assembles the sidechain application for chainID.
func NewApp(chainID string, opts ...app.Option) (*App, error) {
	return NewProfileApp(app.Side, chainID, opts...)
}

// NewProfileApp assembles profile p's application for chainID.
func NewProfileApp(p app.Profile, chainID string, opts ...app.Option) (*App, error) {
	a, err := app.New(p, chainID, opts...)
	if err != nil {
		return nil, err
	}
	return &App{a}, nil
}

// genesisApp assembles the application a genesis document names.
func genesisApp(g *ledger.Genesis, opts ...app.Option) (*App, error) {
	p, err := app.ParseProfile(g.Profile)
	if err != nil {
		return nil, fmt.Errorf("genesis: %w", err)
	}
	return NewProfileApp(p, g.ChainID, opts...)
}

// C2C returns what the API's queries read through: the module list (each
// module's own queries and parameters).
func (a *App) C2C() api.C2C { return api.C2C{Modules: a.Modules()} }

// Profile names the chain this node serves ("side" or "main"), as its
// genesis says; accord_status reports it.
func (n *Node) Profile() string { return string(n.app.Profile) }
