package main

import (
	"errors"
	"fmt"

	"github.com/accordnet/accord/client"
	"github.com/spf13/cobra"
)

func newKeysCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Manage account keys (Ethereum keystore v3 files under HOME/keys)"}
	var pwFile string
	var light bool
	newCmd := &cobra.Command{
		Use: "new NAME", Short: "Create a key and print its address", Args: cobra.ExactArgs(1),
		// "add" is what other chains' CLIs call it; without the alias its
		// flags were reported as unknown before the command was.
		Aliases: []string{"add"},
		RunE: func(cmd *cobra.Command, args []string) error {
			if pwFile == "" {
				return errors.New("--password-file is required (the key is encrypted with it)")
			}
			pw, err := client.ReadPassword(pwFile)
			if err != nil {
				return err
			}
			kr := g.keyring()
			kr.LightKDF = light
			addr, err := kr.New(args[0], pw)
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(map[string]string{"name": args[0], "address": addr.Hex()})
			}
			fmt.Println(addr.Hex())
			return nil
		},
	}
	newCmd.Flags().StringVar(&pwFile, "password-file", "", passwordFileHelp("the password that encrypts the key"))
	newCmd.Flags().BoolVar(&light, "light-kdf", false, "weaker but fast key derivation (scrypt N=4096), for test keys")
	show := &cobra.Command{
		Use: "show NAME", Short: "Print a key's address", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			addr, err := g.keyring().Address(args[0])
			if err != nil {
				return err
			}
			if g.jsonOut {
				return printJSON(map[string]string{"name": args[0], "address": addr.Hex()})
			}
			fmt.Println(addr.Hex())
			return nil
		},
	}
	list := &cobra.Command{
		Use: "list", Short: "List keys", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			kr := g.keyring()
			names, err := kr.List()
			if err != nil {
				return err
			}
			type row struct {
				Name    string `json:"name"`
				Address string `json:"address"`
			}
			rows := []row{}
			for _, n := range names {
				a, err := kr.Address(n)
				if err != nil {
					return err
				}
				rows = append(rows, row{n, a.Hex()})
			}
			if g.jsonOut {
				return printJSON(rows)
			}
			for _, r := range rows {
				fmt.Printf("%-20s %s\n", r.Name, r.Address)
			}
			return nil
		},
	}
	cmd.AddCommand(newCmd, show, list)
	return cmd
}
