// Command node is the Accord node and its command-line tools: key
// management, chain initialization, running a validator, sending
// transactions, queries and local testnets.
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
