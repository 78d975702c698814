package main

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
)

// hintError is a command-line error with a hint for the user (a usage
// line, a suggestion) that is printed on lines of its own under the
// one-line error, so scripts can still grep the first line.
type hintError struct {
	err  error
	hint string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

// withUsage attaches cmd's usage line to err.
func withUsage(cmd *cobra.Command, err error) error {
	return &hintError{err: err, hint: "Usage: " + cmd.UseLine()}
}

// unknownSubcommand refuses arguments to a command group: a group takes
// a subcommand, so anything else is a typo, and a typo in a script must
// fail rather than print help and exit 0.
func unknownSubcommand(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	err := fmt.Errorf("unknown command %q for %q", args[0], cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		return &hintError{err: err, hint: "Did you mean this?\n\t" + strings.Join(s, "\n\t")}
	}
	return &hintError{err: err, hint: fmt.Sprintf("Run '%s --help' for its commands.", cmd.CommandPath())}
}

// strict makes cmd and every command below it refuse bad input with a
// clear error: a group refuses an unknown subcommand (with a suggestion),
// and a wrong number of arguments or a bad flag shows the usage line.
func strict(cmd *cobra.Command) {
	if cmd.HasSubCommands() && !cmd.Runnable() {
		cmd.Args = unknownSubcommand
		cmd.RunE = func(cmd *cobra.Command, _ []string) error { return cmd.Help() }
	} else if check := cmd.Args; check != nil {
		cmd.Args = func(cmd *cobra.Command, args []string) error {
			if err := check(cmd, args); err != nil {
				return withUsage(cmd, err)
			}
			return nil
		}
	}
	for _, c := range cmd.Commands() {
		strict(c)
	}
}

// printError writes err for the terminal: "Error: " and the error on one
// line, then its hint, if any, on lines of its own.
func printError(w io.Writer, err error) {
	fmt.Fprintln(w, "Error:", oneLine(err))
	var h *hintError
	if errors.As(err, &h) {
		fmt.Fprintln(w, h.hint)
	}
}
