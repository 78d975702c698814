package node

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// PasswordEnv is the environment variable a validator key's password is
// read from when no password file is given.
const PasswordEnv = "ACCORD_VALIDATOR_PASSWORD"

// Validator key errors.
var (
	// ErrKeyPermissions: the key file may be read by other users.
	ErrKeyPermissions = errors.New("validator key is readable by group or others")
	// ErrKeyPassword: an encrypted key without a password, or with the wrong one.
	ErrKeyPassword = errors.New("validator key password")
)

// KeyOptions say how to open the validator key.
type KeyOptions struct {
	// PasswordFile holds the password of an encrypted key (one line; a
	// trailing newline is ignored). Empty means the PasswordEnv variable.
	PasswordFile string
	// InsecurePermissions lets the node start on a key file that group or
	// others may read. For keys on file systems without Unix modes.
	InsecurePermissions bool
}

// password returns the password the options name, or "" and false.
func (o KeyOptions) password() (string, bool, error) {
	if o.PasswordFile != "" {
		raw, err := os.ReadFile(o.PasswordFile)
		if err != nil {
			return "", false, fmt.Errorf("%w file: %w", ErrKeyPassword, err)
		}
		return strings.TrimRight(string(raw), "\r\n"), true, nil
	}
	pw, ok := os.LookupEnv(PasswordEnv)
	return pw, ok, nil
}

// WriteValidatorKey stores key as h's validator key, mode 0600: encrypted
// in the Ethereum keystore v3 format (scrypt) when password is not empty,
// hex otherwise. lightKDF trades scrypt strength for speed (tests and
// local testnets).
func WriteValidatorKey(h Home, key *ecdsa.PrivateKey, password string, lightKDF bool) error {
	data := []byte(hex.EncodeToString(crypto.FromECDSA(key)) + "\n")
	if password != "" {
		n, p := keystore.StandardScryptN, keystore.StandardScryptP
		if lightKDF {
			n, p = keystore.LightScryptN, keystore.LightScryptP
		}
		id, err := uuid.NewRandom()
		if err != nil {
			return err
		}
		blob, err := keystore.EncryptKey(&keystore.Key{Id: id, Address: crypto.PubkeyToAddress(key.PublicKey), PrivateKey: key}, password, n, p)
		if err != nil {
			return fmt.Errorf("encrypt validator key: %w", err)
		}
		data = append(blob, '\n')
	}
	return writeFileAtomic(h.ValidatorKeyFile(), data, 0o600)
}

// LoadValidatorKey reads h's validator key, refusing a key file that group
// or others may read. An encrypted key takes its password from PasswordEnv.
func LoadValidatorKey(h Home) (*ecdsa.PrivateKey, error) {
	return LoadValidatorKeyWith(h, KeyOptions{})
}

// LoadValidatorKeyWith reads h's validator key: hex (homes made before
// keys could be encrypted) or an Ethereum keystore v3 file.
func LoadValidatorKeyWith(h Home, o KeyOptions) (*ecdsa.PrivateKey, error) {
	path := h.ValidatorKeyFile()
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read validator key: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read validator key: %w", err)
	}
	if mode := fi.Mode().Perm(); mode&0o077 != 0 && !o.InsecurePermissions {
		return nil, fmt.Errorf("%w: %s has mode %04o; run `chmod 600 %s` (or start with --insecure-key-permissions)",
			ErrKeyPermissions, path, mode, path)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read validator key: %w", err)
	}
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		k, err := crypto.HexToECDSA(string(raw))
		if err != nil {
			return nil, fmt.Errorf("validator key %s: %w", path, err)
		}
		return k, nil
	}
	pw, ok, err := o.password()
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: %s is encrypted; give its password with --validator-password-file or $%s",
			ErrKeyPassword, path, PasswordEnv)
	}
	k, err := keystore.DecryptKey(raw, pw)
	if err != nil {
		if errors.Is(err, keystore.ErrDecrypt) {
			return nil, fmt.Errorf("%w: wrong password for %s", ErrKeyPassword, path)
		}
		return nil, fmt.Errorf("validator key %s: %w", path, err)
	}
	return k.PrivateKey, nil
}
