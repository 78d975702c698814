// Package coretest is a complete, tiny contract module used to show (and
// test) that a module is its own package plus one line in the app
// assembly: a message with a cost, a governed parameter, an invariant, a
// BeginBlock timer, an API query, CLI commands, a typed event and a
// registered error code. A second message panics on purpose, for the
// router's panic recovery.
//
// Register it (tests only) with one line:
//
//	app.WithModuleFuncs(func(k *app.Keepers) core.Module { return coretest.New(k.Gov) })
//
// State: "coretest/counter" (the sum of every ping's Add), "coretest/pings"
// (how many pings), "coretest/ticks" (blocks seen by BeginBlock).
package coretest
