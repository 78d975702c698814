package client

import (
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"github.com/accordnet/accord/types"
	"github.com/ethereum/go-ethereum/accounts/keystore"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/google/uuid"
)

// Key file errors.
var (
	ErrKeyExists   = errors.New("key already exists")
	ErrNoKey       = errors.New("no such key")
	ErrBadPassword = errors.New("wrong password (could not decrypt key)")
	ErrBadKeyName  = errors.New("key name must be 1-64 letters, digits, '-', '_' or '.'")
)

var keyName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

// Keyring is a directory of Ethereum keystore v3 files, one per name
// (NAME.json), readable by geth and other Ethereum tools.
type Keyring struct {
	Dir string
	// LightKDF uses scrypt N=4096 instead of 262144: fast (~10 ms) but weaker;
	// meant for local testnets and tests.
	LightKDF bool
}

func (k Keyring) path(name string) (string, error) {
	if !keyName.MatchString(name) || strings.HasPrefix(name, ".") {
		return "", fmt.Errorf("%w: %q", ErrBadKeyName, name)
	}
	return filepath.Join(k.Dir, name+".json"), nil
}

// New creates a key under name, encrypted with password.
func (k Keyring) New(name, password string) (types.Address, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return types.Address{}, err
	}
	return k.Import(name, password, key)
}

// Import stores an existing private key under name.
func (k Keyring) Import(name, password string, priv *ecdsa.PrivateKey) (types.Address, error) {
	p, err := k.path(name)
	if err != nil {
		return types.Address{}, err
	}
	if _, err := os.Stat(p); err == nil {
		return types.Address{}, fmt.Errorf("%w: %s", ErrKeyExists, name)
	}
	n, pr := keystore.StandardScryptN, keystore.StandardScryptP
	if k.LightKDF {
		n, pr = keystore.LightScryptN, keystore.LightScryptP
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return types.Address{}, err
	}
	ks := &keystore.Key{Id: id, Address: crypto.PubkeyToAddress(priv.PublicKey), PrivateKey: priv}
	blob, err := keystore.EncryptKey(ks, password, n, pr)
	if err != nil {
		return types.Address{}, fmt.Errorf("encrypt key: %w", err)
	}
	if err := os.MkdirAll(k.Dir, 0o700); err != nil {
		return types.Address{}, err
	}
	// O_EXCL so two concurrent creations of one name cannot both win.
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if os.IsExist(err) {
			return types.Address{}, fmt.Errorf("%w: %s", ErrKeyExists, name)
		}
		return types.Address{}, err
	}
	if _, err := f.Write(blob); err != nil {
		f.Close()
		return types.Address{}, err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return types.Address{}, err
	}
	return ks.Address, f.Close()
}

// Address returns the address of name without decrypting it.
func (k Keyring) Address(name string) (types.Address, error) {
	p, err := k.path(name)
	if err != nil {
		return types.Address{}, err
	}
	blob, err := os.ReadFile(p)
	if err != nil {
		if os.IsNotExist(err) {
			return types.Address{}, fmt.Errorf("%w: %s (in %s)", ErrNoKey, name, k.Dir)
		}
		return types.Address{}, err
	}
	var hdr struct {
		Address string `json:"address"`
	}
	if err := json.Unmarshal(blob, &hdr); err != nil {
		return types.Address{}, fmt.Errorf("key %s: %w", name, err)
	}
	return types.ParseAddress(hdr.Address)
}

// Load decrypts name with password.
func (k Keyring) Load(name, password string) (*ecdsa.PrivateKey, error) {
	p, err := k.path(name)
	if err != nil {
		return nil, err
	}
	blob, err := os.ReadFile(p)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("%w: %s (in %s)", ErrNoKey, name, k.Dir)
		}
		return nil, err
	}
	key, err := keystore.DecryptKey(blob, password)
	if err != nil {
		if errors.Is(err, keystore.ErrDecrypt) {
			return nil, fmt.Errorf("key %s: %w", name, ErrBadPassword)
		}
		return nil, fmt.Errorf("key %s: %w", name, err)
	}
	return key.PrivateKey, nil
}

// List returns the key names, sorted.
func (k Keyring) List() ([]string, error) {
	ents, err := os.ReadDir(k.Dir)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok && !e.IsDir() {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out, nil
}

// ReadPassword reads a password file, dropping one trailing newline.
func ReadPassword(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read password file: %w", err)
	}
	s := string(b)
	s = strings.TrimSuffix(s, "\n")
	s = strings.TrimSuffix(s, "\r")
	return s, nil
}
