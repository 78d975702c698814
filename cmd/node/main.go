// Command node is built as the accord binary (bin/accord: "node" would
// clash with Node.js on many PATHs): the Accord node and its command-line
// tools for key management, chain initialization, running a validator,
// sending transactions, queries and local testnets.
package main

import (
	"errors"
	"io"
	"os"
	"strings"
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
	cmd, err := root.ExecuteC()
	if err != nil {
		// cobra checks required flags after the hooks strict installs.
		var h *hintError
		if !errors.As(err, &h) && strings.HasPrefix(err.Error(), "required flag(s)") {
			err = withUsage(cmd, err)
		}
		printError(stderr, err)
		return 1
	}
	return 0
}
