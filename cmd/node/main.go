// Command node is built as the accord binary (bin/accord: "node" would
// clash with Node.js on many PATHs): the Accord node and its command-line
// tools for key management, chain initialization, running a validator,
// sending transactions, queries and local testnets.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := newRootCmd().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", oneLine(err))
		os.Exit(1)
	}
}
