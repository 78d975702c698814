// Command node is built as the accord binary (bin/accord: "node" would
// clash with Node.js on many PATHs): the Accord node and its command-line
// tools for key management, chain initialization, running a validator,
// sending transactions, queries and local testnets.
package main

import (
	"io"
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes the command line args and returns the process's exit code:
// 0 on success, 1 on any error (printed to stderr).
func run(args []string, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.Execute(); err != nil {
		printError(stderr, err)
		return 1
	}
	return 0
}
