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

// C2C returns what the API's queries read through: the keepers and the
// module list (each module's own queries and parameters).
func (a *App) C2C() api.C2C {
	k := a.Keepers
	return api.C2C{Bank: k.Bank, Gov: k.Gov, KYC: k.KYC, Oracle: k.Oracle, Acceptor: k.Acceptor, Order: k.Order,
		Modules: a.Modules()}
}
