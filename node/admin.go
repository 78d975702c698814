package node

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/accordnet/accord/api/admin"
)

// AdminOff as admin_addr serves no admin API.
const AdminOff = "off"

const defaultAdminAddr = "127.0.0.1:0"

// AdminTokenFile holds the admin API's bearer token (created at the first
// start, readable by the home's owner only).
func (h Home) AdminTokenFile() string { return filepath.Join(string(h), "data", "admin.token") }

// WebhookDir is the webhook engine's database: endpoints, the delivery log
// and the retry queue, apart from the ledger's keyspace (it is the node's
// own business, not the chain's).
func (h Home) WebhookDir() string { return filepath.Join(string(h), "data", "webhook") }

// checkLoopback refuses a listener address off loopback.
func checkLoopback(key, addr, what string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("config %s %q: %w", key, addr, err)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("config %s %q: %s is served on loopback only (127.0.0.1, ::1 or localhost)", key, addr, what)
	}
	return nil
}

// adminToken reads the home's admin token, creating it on first use.
func adminToken(h Home) (string, error) {
	path := h.AdminTokenFile()
	b, err := os.ReadFile(path)
	if err == nil {
		tok := strings.TrimSpace(string(b))
		if len(tok) < admin.MinTokenLen {
			return "", fmt.Errorf("%s: token shorter than %d bytes; delete the file to get a new one", path, admin.MinTokenLen)
		}
		return tok, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", err
	}
	tok := hex.EncodeToString(raw[:])
	if err := writeFileAtomic(path, []byte(tok+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return tok, nil
}

// startAdmin serves the admin API on its loopback listener.
func (n *Node) startAdmin() error {
	addr := n.cfg.AdminAddr
	if addr == AdminOff {
		return nil
	}
	if addr == "" {
		addr = defaultAdminAddr
	}
	if err := checkLoopback("admin_addr", addr, "the admin API"); err != nil {
		return err
	}
	tok, err := adminToken(n.home)
	if err != nil {
		return err
	}
	srv, err := admin.New(tok, n.hooks.eng, n.log.With("component", "admin"))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("admin listen %s: %w", addr, err)
	}
	n.adminLn = ln
	n.admin = &http.Server{Handler: srv, ReadHeaderTimeout: rpcReadHeaderTimeout, ReadTimeout: DefaultRPCReadTimeout,
		WriteTimeout: rpcWriteTimeout, IdleTimeout: rpcIdleTimeout, MaxHeaderBytes: rpcMaxHeaderBytes,
		ErrorLog: slog.NewLogLogger(n.log.With("component", "admin").Handler(), slog.LevelWarn)}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		if err := n.admin.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			n.log.Error("admin server stopped", "err", err)
		}
	}()
	return nil
}

// AdminAddr is the admin API's address ("" when off).
func (n *Node) AdminAddr() string {
	if n.adminLn == nil {
		return ""
	}
	return n.adminLn.Addr().String()
}
