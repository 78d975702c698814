// Package exampleutil holds what the example programs share: reaching a
// chain through one of several nodes, loading a key from a keystore
// directory, finding a local node's admin API through its home, and the
// stub bank feed the merchant writes and the acceptor reads.
package exampleutil

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/accordnet/accord/api/views"
	"github.com/accordnet/accord/api/wire"
	"github.com/accordnet/accord/client"
	"github.com/accordnet/accord/types"
)

// Strings is a repeatable string flag.
type Strings []string

func (s *Strings) String() string     { return strings.Join(*s, ",") }
func (s *Strings) Set(v string) error { *s = append(*s, v); return nil }

// Chain reaches a chain through the first of its nodes that answers, so a
// program keeps working while one node restarts.
type Chain struct {
	nodes   []*client.Client
	mu      sync.Mutex
	current int
	ChainID string
	Fee     uint64
}

// Dial returns a Chain over urls and reads the chain ID and the minimum
// fee from the first node that answers.
func Dial(ctx context.Context, urls []string) (*Chain, error) {
	if len(urls) == 0 {
		return nil, errors.New("no --node given")
	}
	c := &Chain{}
	for _, u := range urls {
		c.nodes = append(c.nodes, client.New(u))
	}
	var st *views.Status
	err := c.Do(ctx, func(cl *client.Client) (err error) {
		st, err = cl.Status(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	c.ChainID, c.Fee = st.ChainID, st.MinFeeMicro
	return c, nil
}

// Do runs fn against the current node, moving to the next one while the
// error is the node being unreachable (a refusal by a node is returned as
// it is), until ctx ends.
func (c *Chain) Do(ctx context.Context, fn func(*client.Client) error) error {
	for tries := 0; ; tries++ {
		c.mu.Lock()
		i := c.current
		c.mu.Unlock()
		err := fn(c.nodes[i])
		if err == nil || !unreachable(err) {
			return err
		}
		c.mu.Lock()
		if c.current == i {
			c.current = (i + 1) % len(c.nodes)
		}
		c.mu.Unlock()
		if tries%len(c.nodes) == len(c.nodes)-1 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
}

// unreachable: the node did not answer (not a JSON-RPC refusal).
func unreachable(err error) bool {
	var we *wire.Error
	return !errors.As(err, &we) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) &&
		!errors.Is(err, client.ErrTimeout)
}

// Send signs msg with s, submits it and waits for its receipt (through
// whichever node answers). A failed transaction is an error.
func (c *Chain) Send(ctx context.Context, s *client.Signer, typ types.TxType, msg any) (*views.Receipt, error) {
	var tx *types.Tx
	if err := c.Do(ctx, func(cl *client.Client) (err error) {
		tx, err = s.Submit(ctx, cl, typ, msg)
		return err
	}); err != nil {
		return nil, err
	}
	var r *views.Receipt
	if err := c.Do(ctx, func(cl *client.Client) (err error) {
		wctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		r, err = cl.WaitReceipt(wctx, tx.Hash())
		return err
	}); err != nil {
		return nil, err
	}
	if r.Status != "ok" {
		return r, fmt.Errorf("tx %s (%s) failed: %s", r.TxHash, r.Type, r.Error)
	}
	return r, nil
}

// LoadKey reads key name from a keystore directory (an `accord keys`
// directory, e.g. <home>/keys), decrypted with the password in
// passwordFile.
func LoadKey(dir, name, passwordFile string) (*ecdsa.PrivateKey, error) {
	pw, err := client.ReadPassword(passwordFile)
	if err != nil {
		return nil, err
	}
	return client.Keyring{Dir: dir}.Load(name, pw)
}

// NodeHome is what a program on the node's machine reads from the node's
// home: where it listens (data/listen.json) and the admin token
// (data/admin.token).
type NodeHome struct {
	RPC, Admin, Token string
}

// ReadNodeHome reads a running node's home.
func ReadNodeHome(home string) (NodeHome, error) {
	var l struct {
		RPC   string `json:"rpc"`
		Admin string `json:"admin"`
	}
	raw, err := os.ReadFile(filepath.Join(home, "data", "listen.json"))
	if err != nil {
		return NodeHome{}, fmt.Errorf("is the node of %s running? %w", home, err)
	}
	if err := json.Unmarshal(raw, &l); err != nil {
		return NodeHome{}, err
	}
	tok, err := client.ReadAdminToken(filepath.Join(home, "data", "admin.token"))
	if err != nil {
		return NodeHome{}, err
	}
	return NodeHome{RPC: l.RPC, Admin: l.Admin, Token: tok}, nil
}

// Payment is one line of the stub bank feed (JSON lines): a fiat payment
// that reached an acceptor's account, with the reference the payer gave.
// The merchant's customer "pays" by appending one; the acceptor's bot
// "sees" it by reading the file.
type Payment struct {
	Order     string `json:"order"`
	Reference string `json:"reference"`
	Currency  string `json:"currency"`
	FiatMinor uint64 `json:"fiat_minor"`
	At        int64  `json:"at"`
}

// ReferenceHash is what goes on chain for a payment reference (MarkPaid).
func ReferenceHash(ref string) types.Hash { return types.Keccak([]byte("bank-ref:"), []byte(ref)) }

var feedMu sync.Mutex

// AppendPayment appends p to the feed file, durably.
func AppendPayment(path string, p Payment) error {
	feedMu.Lock()
	defer feedMu.Unlock()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	line, err := json.Marshal(p)
	if err != nil {
		f.Close()
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// ReadPayments reads the feed, keyed by reference hash; a missing file is
// an empty feed, and a torn last line (a write in progress) is skipped.
func ReadPayments(path string) (map[types.Hash]Payment, error) {
	out := map[types.Hash]Payment{}
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return out, nil
	} else if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var p Payment
		if json.Unmarshal(sc.Bytes(), &p) == nil && p.Reference != "" {
			out[ReferenceHash(p.Reference)] = p
		}
	}
	return out, sc.Err()
}
