// Command gendocs writes the node's API documents, openrpc.json and
// openapi.json, into a directory (go generate in package api runs it).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/accordnet/accord/node"
)

func main() {
	dir := flag.String("dir", ".", "directory to write openrpc.json and openapi.json into")
	flag.Parse()
	rpc, rest, err := node.APIDocs()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
	for name, b := range map[string][]byte{"openrpc.json": rpc, "openapi.json": rest} {
		if err := os.WriteFile(filepath.Join(*dir, name), b, 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "gendocs:", err)
			os.Exit(1)
		}
	}
}
