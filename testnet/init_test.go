package testnet

import (
	"os"
	"path/filepath"
	"testing"
)

func TestInitHomesArePrivate(t *testing.T) {
	l := Layout{Dir: filepath.Join(t.TempDir(), "net"), Validators: 4, ChainID: "perm-test"}
	if _, err := Init(l, InitOptions{}); err != nil {
		t.Fatal(err)
	}
	paths := []string{l.Dir}
	for i := 0; i < l.Nodes(); i++ {
		paths = append(paths, string(l.Home(i)), l.Home(i).ValidatorKeyFile())
	}
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		want := os.FileMode(0o700)
		if !fi.IsDir() {
			want = 0o600
		}
		if fi.Mode().Perm() != want {
			t.Errorf("%s has mode %04o, want %04o", p, fi.Mode().Perm(), want)
		}
	}
}
