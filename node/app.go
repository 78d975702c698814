package node

import (
	"github.com/accordnet/accord/api"
	"github.com/accordnet/accord/app"
)

// App is the application a node runs, as package app assembles it (the
// sidechain profile): the router of contract modules, the keepers the API
// reads through, and the admission cost the mempool checks.
type App struct {
	*app.App
}

// NewApp assembles the sidechain application for chainID.
func NewApp(chainID string, opts ...app.Option) (*App, error) {
	a, err := app.New(app.Side, chainID, opts...)
	if err != nil {
		return nil, err
	}
	return &App{a}, nil
}

// C2C returns what the API's queries read through: the module list (each
// module's own queries and parameters).
func (a *App) C2C() api.C2C { return api.C2C{Modules: a.Modules()} }
