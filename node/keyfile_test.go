package node

import (
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/crypto"
)

func TestLoadValidatorKey(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		password string      // encrypts the key when set
		mode     os.FileMode // of the key file
		env      string      // $ACCORD_VALIDATOR_PASSWORD ("" unset)
		file     string      // contents of a password file ("" none)
		insecure bool
		wantErr  error
		msg      string
	}{
		{name: "hex key of an existing home loads", mode: 0o600},
		{name: "hex key readable by others is refused", mode: 0o644, wantErr: ErrKeyPermissions, msg: "chmod 600"},
		{name: "hex key readable by group is refused", mode: 0o640, wantErr: ErrKeyPermissions, msg: "mode 0640"},
		{name: "insecure flag accepts a readable key", mode: 0o644, insecure: true},
		{name: "encrypted key with password file loads", password: "s3cret", mode: 0o600, file: "s3cret\n"},
		{name: "encrypted key with env password loads", password: "s3cret", mode: 0o600, env: "s3cret"},
		{name: "encrypted key with wrong password is refused", password: "s3cret", mode: 0o600, file: "guess", wantErr: ErrKeyPassword, msg: "wrong password"},
		{name: "encrypted key without password is refused", password: "s3cret", mode: 0o600, wantErr: ErrKeyPassword, msg: PasswordEnv},
		{name: "encrypted key readable by others is refused before decrypting", password: "s3cret", mode: 0o604, file: "s3cret", wantErr: ErrKeyPermissions},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h := Home(t.TempDir())
			if err := WriteValidatorKey(h, key, tc.password, true); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(h.ValidatorKeyFile(), tc.mode); err != nil {
				t.Fatal(err)
			}
			if tc.env != "" {
				t.Setenv(PasswordEnv, tc.env)
			} else {
				t.Setenv(PasswordEnv, "")
				os.Unsetenv(PasswordEnv)
			}
			o := KeyOptions{InsecurePermissions: tc.insecure}
			if tc.file != "" {
				o.PasswordFile = filepath.Join(t.TempDir(), "pw")
				if err := os.WriteFile(o.PasswordFile, []byte(tc.file), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			got, err := LoadValidatorKeyWith(h, o)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || !strings.Contains(err.Error(), tc.msg) {
					t.Fatalf("err = %v, want %v mentioning %q", err, tc.wantErr, tc.msg)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if types.PubkeyAddress(got) != types.PubkeyAddress(key) {
				t.Fatal("loaded a different key")
			}
			raw, _ := os.ReadFile(h.ValidatorKeyFile())
			if encrypted := strings.HasPrefix(string(raw), "{"); encrypted != (tc.password != "") {
				t.Fatalf("key file encrypted=%v, want %v", encrypted, tc.password != "")
			}
			if tc.password != "" && strings.Contains(string(raw), hex.EncodeToString(crypto.FromECDSA(key))) {
				t.Fatal("encrypted key file holds the plain key")
			}
		})
	}
}

func TestInitHomeIsPrivate(t *testing.T) {
	for _, existing := range []bool{false, true} {
		h := Home(filepath.Join(t.TempDir(), "home"))
		if existing {
			if err := os.MkdirAll(string(h), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := Init(h, InitOptions{ChainID: "c", KeyPassword: "pw", LightKDF: true}); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{string(h), filepath.Dir(h.ConfigFile()), h.KeysDir()} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm() != 0o700 {
				t.Errorf("existing=%v: %s has mode %04o, want 0700", existing, p, fi.Mode().Perm())
			}
		}
		t.Setenv(PasswordEnv, "pw")
		if _, err := LoadValidatorKey(h); err != nil {
			t.Fatalf("key written by Init does not load: %v", err)
		}
	}
}
