package webhook

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// EndpointSpec is what a merchant registers.
type EndpointSpec struct {
	// URL is an http or https URL the node can reach.
	URL string
	// Secret signs deliveries; at least 16 bytes. Empty: the engine
	// generates one (returned once, by AddEndpoint).
	Secret string
	// Types selects event types (exact match); empty means every type.
	Types []string
	// Merchants selects merchant addresses (case-insensitive); empty means
	// every merchant.
	Merchants []string
}

// Endpoint is a registered endpoint.
type Endpoint struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"`
	Types     []string  `json:"types,omitempty"`
	Merchants []string  `json:"merchants,omitempty"`
	Created   time.Time `json:"created"`
}

const (
	maxURLLen     = 2048
	maxFilterLen  = 64
	minSecretLen  = 16
	maxSecretLen  = 256
	endpointIDLen = 19 // "we_" + 16 hex
)

func (s EndpointSpec) normalize() (EndpointSpec, error) {
	if len(s.URL) > maxURLLen {
		return s, fmt.Errorf("%w: url longer than %d bytes", ErrInvalidEndpoint, maxURLLen)
	}
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return s, fmt.Errorf("%w: url %q: want http(s)://host/...", ErrInvalidEndpoint, s.URL)
	}
	if s.Secret == "" {
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return s, err
		}
		s.Secret = "whsec_" + hex.EncodeToString(b[:])
	}
	if len(s.Secret) < minSecretLen || len(s.Secret) > maxSecretLen {
		return s, fmt.Errorf("%w: secret must be %d..%d bytes", ErrInvalidEndpoint, minSecretLen, maxSecretLen)
	}
	if len(s.Types) > maxFilterLen || len(s.Merchants) > maxFilterLen {
		return s, fmt.Errorf("%w: at most %d types and %d merchants", ErrInvalidEndpoint, maxFilterLen, maxFilterLen)
	}
	types := slices.Clone(s.Types)
	for _, t := range types {
		if !validToken(t, maxTypeLen) {
			return s, fmt.Errorf("%w: event type %q", ErrInvalidEndpoint, t)
		}
	}
	slices.Sort(types)
	s.Types = slices.Compact(types)
	ms := make([]string, 0, len(s.Merchants))
	for _, m := range s.Merchants {
		if m == "" || len(m) > 128 {
			return s, fmt.Errorf("%w: merchant %q", ErrInvalidEndpoint, m)
		}
		ms = append(ms, strings.ToLower(m))
	}
	slices.Sort(ms)
	s.Merchants = slices.Compact(ms)
	return s, nil
}

func (ep *Endpoint) wants(ev *Event) bool {
	if len(ep.Types) > 0 {
		if _, ok := slices.BinarySearch(ep.Types, ev.Type); !ok {
			return false
		}
	}
	if len(ep.Merchants) > 0 {
		if _, ok := slices.BinarySearch(ep.Merchants, strings.ToLower(ev.Merchant)); !ok {
			return false
		}
	}
	return true
}

func newEndpointID() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return "we_" + hex.EncodeToString(b[:]), nil
}

func validEndpointID(id string) bool {
	if len(id) != endpointIDLen || !strings.HasPrefix(id, "we_") {
		return false
	}
	_, err := hex.DecodeString(id[3:])
	return err == nil
}
