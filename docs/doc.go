// Package docs holds the repository's prose documentation (the .md files
// beside this one). It has no code of its own: its tests keep the parts of
// transactions.md that restate the code — the table of message types, each
// message's payload fields and refusals, and the worked example's bytes —
// equal to what the code does, so the document cannot drift.
//
// After changing a message, a route or a sentinel error, regenerate with
//
//	go generate ./docs
//
// and review the diff of transactions.md.
package docs

//go:generate go test -run TestTransactionsDoc -update .
