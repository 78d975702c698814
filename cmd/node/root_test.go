package main

import (
	"strings"
	"testing"

	"github.com/accordnet/accord/node"
)

// TestCommandLineErrors runs the command line in-process: a typo or a bad
// argument must exit non-zero with a one-line error, then its hint (a
// suggestion, a usage line) on lines of its own.
func TestCommandLineErrors(t *testing.T) {
	home := t.TempDir()
	dead := "0x000000000000000000000000000000000000dEaD"
	for _, c := range []struct {
		name  string
		args  []string
		code  int
		first string   // the first line of stderr (prefix)
		more  []string // further lines of stderr, in order
		out   string   // in stdout
	}{
		{"typo in tx", []string{"tx", "transfr"}, 1,
			`Error: unknown command "transfr" for "accord tx"`, []string{"Did you mean this?", "\ttransfer"}, ""},
		{"typo in query", []string{"query", "acount", "0x00"}, 1,
			`Error: unknown command "acount" for "accord query"`, []string{"Did you mean this?", "\taccount"}, ""},
		{"typo in keys", []string{"keys", "lst", "--home", home}, 1,
			`Error: unknown command "lst" for "accord keys"`, []string{"Did you mean this?", "\tlist"}, ""},
		{"typo in a nested group", []string{"tx", "order", "confrim", "0x01"}, 1,
			`Error: unknown command "confrim" for "accord tx order"`, []string{"Did you mean this?", "\tconfirm"}, ""},
		{"typo at the root", []string{"statsu"}, 1,
			`Error: unknown command "statsu" for "accord"`, []string{"Did you mean this?", "\tstatus"}, ""},
		{"nothing like it", []string{"keys", "zzzzzz"}, 1,
			`Error: unknown command "zzzzzz" for "accord keys"`, []string{"Run 'accord keys --help' for its commands."}, ""},
		{"missing argument", []string{"query", "account"}, 1,
			"Error: accepts 1 arg(s), received 0", []string{"Usage: accord query account ADDR [flags]"}, ""},
		{"extra argument", []string{"keys", "show", "a", "b", "--home", home}, 1,
			"Error: accepts 1 arg(s), received 2", []string{"Usage: accord keys show NAME [flags]"}, ""},
		{"missing required flag", []string{"tx", "transfer", "--to", dead, "--amount", "1", "--home", home}, 1,
			`Error: required flag(s) "from" not set`, []string{"Usage: accord tx transfer [flags]"}, ""},
		{"unknown flag", []string{"tx", "transfer", "--amout", "1"}, 1,
			"Error: unknown flag: --amout", []string{"Usage: accord tx transfer [flags]"}, ""},
		{"negative nonce", []string{"tx", "transfer", "--nonce", "-1", "--from", "a", "--to", dead, "--amount", "1"}, 1,
			`Error: invalid argument "-1" for "--nonce" flag: "-1": want a non-negative integer`, []string{"Usage: accord tx transfer [flags]"}, ""},
		{"negative transfer", []string{"tx", "transfer", "--from", "a", "--to", dead, "--amount", "-1", "--home", home}, 1,
			`Error: --amount: malformed amount: "-1": negative amounts are not allowed`, nil, ""},
		{"negative deposit", []string{"tx", "acceptor", "deposit", "--from", "a", "--amount", "-5", "--home", home}, 1,
			`Error: --amount: malformed amount: "-5": negative amounts are not allowed`, nil, ""},
		{"negative fiat amount", []string{"tx", "order", "create", "--from", "a", "--currency", "CNY", "--amount", "-712", "--home", home}, 1,
			`Error: --amount: "-712": negative amounts are not allowed`, nil, ""},
		{"base port 0 with peers", []string{"testnet", "up", "--base-port", "0", "--validators", "2", "--dir", home + "/tn"}, 1,
			"Error: --base-port 0 (ports chosen at start) is for a single validator per chain; 2 validators need fixed ports", nil, ""},
		{"base port 0 with peers, one chain", []string{"testnet", "up", "--single", "--base-port", "0", "--validators", "2", "--dir", home + "/tn"}, 1,
			"Error: --base-port 0 (ports chosen at start) is for a single validator; 2 nodes need fixed ports", nil, ""},
		{"one chain's flag without --single", []string{"testnet", "up", "--profile", "main", "--dir", home + "/tn"}, 1,
			"Error: --profile is for one chain: add --single", nil, ""},
		{"--join.trust without --join.snapshot", []string{"start", "--join.trust", dead, "--home", home}, 1,
			"Error: --join.trust needs --join.snapshot", nil, ""},
		{"a malformed --join.trust", []string{"start", "--join.snapshot", "--join.trust", dead + ",0x12", "--home", home}, 1,
			"Error: --join.trust: ", nil, ""},
		{"--version", []string{"--version"}, 0, "", nil, "accord " + node.Version + "\n"},
		{"version", []string{"version"}, 0, "", nil, "accord " + node.Version + "\n"},
		{"a group alone prints its help", []string{"tx"}, 0, "", nil, "Available Commands:"},
		{"--help", []string{"query", "--help"}, 0, "", nil, "accord query [command]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out, errb strings.Builder
			code := run(c.args, &out, &errb)
			if code != c.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, c.code, errb.String())
			}
			if !strings.Contains(out.String(), c.out) {
				t.Errorf("stdout %q does not contain %q", out.String(), c.out)
			}
			lines := strings.Split(strings.TrimSuffix(errb.String(), "\n"), "\n")
			if c.first == "" {
				if errb.Len() != 0 {
					t.Errorf("stderr %q, want none", errb.String())
				}
				return
			}
			want := append([]string{c.first}, c.more...)
			if len(lines) != len(want) {
				t.Fatalf("stderr has %d lines, want %d:\n%s", len(lines), len(want), errb.String())
			}
			if !strings.HasPrefix(lines[0], c.first) {
				t.Errorf("first line %q, want prefix %q", lines[0], c.first)
			}
			for i, w := range c.more {
				if lines[i+1] != w {
					t.Errorf("line %d %q, want %q", i+2, lines[i+1], w)
				}
			}
		})
	}
}

// TestHelpText checks the help of flags whose text tripped cobra's
// formatting: a back-quoted word becomes the flag's value name, and an
// int default of -1 printed "(default -1)" after a default in words.
func TestHelpText(t *testing.T) {
	for _, c := range []struct {
		args       []string
		want       []string
		notWanting []string
	}{
		{[]string{"testnet", "up", "--help"}, []string{"--bench-accounts int "}, []string{"--bench-accounts testnet"}},
		{[]string{"tx", "transfer", "--help"},
			[]string{"--nonce uint ", "(default: the account's next pending nonce)\n", "one trailing newline is dropped"},
			[]string{"(default -1)"}},
		{[]string{"keys", "new", "--help"}, []string{"one trailing newline is dropped"}, nil},
	} {
		var out, errb strings.Builder
		if code := run(c.args, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", c.args, code, errb.String())
		}
		for _, w := range c.want {
			if !strings.Contains(out.String(), w) {
				t.Errorf("%v: help lacks %q:\n%s", c.args, w, out.String())
			}
		}
		for _, w := range c.notWanting {
			if strings.Contains(out.String(), w) {
				t.Errorf("%v: help has %q:\n%s", c.args, w, out.String())
			}
		}
	}
}
