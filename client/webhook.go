package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Webhook headers a node sets on every delivery. Only the body and the
// timestamp in WebhookSignatureHeader are signed: de-duplicate on the ID in
// the verified body (WebhookEvent.ID), not on the header.
const (
	WebhookSignatureHeader = "Accord-Signature"
	WebhookEventIDHeader   = "Accord-Event-Id"
	WebhookEventTypeHeader = "Accord-Event-Type"
	WebhookTimestampHeader = "Accord-Timestamp"
)

// DefaultWebhookTolerance is how far a signature's timestamp may be from the
// receiver's clock; it bounds how long a captured delivery can be replayed.
const DefaultWebhookTolerance = 5 * time.Minute

// Errors returned by VerifyWebhook; test with errors.Is.
var (
	// ErrWebhookHeader: the signature header is missing or malformed.
	ErrWebhookHeader = errors.New("webhook: malformed signature header")
	// ErrWebhookSignature: no v1 signature matches the body and timestamp.
	ErrWebhookSignature = errors.New("webhook: signature mismatch")
	// ErrWebhookTooOld: the signed timestamp is more than the tolerance away
	// from now, in either direction (a replay, or a badly skewed clock).
	ErrWebhookTooOld = errors.New("webhook: timestamp outside tolerance")
)

// WebhookEvent is the JSON body of a delivery.
type WebhookEvent struct {
	// ID is unique and stable across retries: de-duplicate on it.
	ID       string `json:"id"`
	Type     string `json:"type"`
	Merchant string `json:"merchant,omitempty"`
	Height   uint64 `json:"height,omitempty"`
	// Time is the block time, unix seconds.
	Time int64           `json:"time,omitempty"`
	Data json.RawMessage `json:"data"`
}

// VerifyWebhook checks a delivery: header is the Accord-Signature value
// ("t=<unix>,v1=<hex>[,v1=<hex>...]"), body the raw request body, exactly as
// received. It succeeds when any v1 entry is the HMAC-SHA256 under secret of
// "<t>.<body>" (compared in constant time) and t is within tolerance of now.
// A tolerance of 0 means DefaultWebhookTolerance. The signature is checked
// before the timestamp, so a forged header never learns more than
// ErrWebhookSignature.
func VerifyWebhook(secret, header string, body []byte, now time.Time, tolerance time.Duration) error {
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	if len(header) > 4096 {
		return fmt.Errorf("%w: %d bytes", ErrWebhookHeader, len(header))
	}
	var (
		ts      string
		sigs    [][]byte
		haveTS  bool
		unixSec int64
	)
	for _, part := range strings.Split(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return fmt.Errorf("%w: %q has no '='", ErrWebhookHeader, part)
		}
		switch k {
		case "t":
			if haveTS {
				return fmt.Errorf("%w: two timestamps", ErrWebhookHeader)
			}
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				return fmt.Errorf("%w: timestamp %q", ErrWebhookHeader, v)
			}
			ts, unixSec, haveTS = v, n, true
		case "v1":
			sig, err := hex.DecodeString(v)
			if err != nil || len(sig) != sha256.Size {
				return fmt.Errorf("%w: v1 is not a hex SHA-256 MAC", ErrWebhookHeader)
			}
			sigs = append(sigs, sig)
		default:
			// Other schemes (a future v2) are ignored, as Stripe does, so
			// a node can add one without breaking receivers.
		}
	}
	if !haveTS || len(sigs) == 0 {
		return fmt.Errorf("%w: want t= and v1=", ErrWebhookHeader)
	}
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	want := mac.Sum(nil)
	match := false
	for _, s := range sigs {
		// No early exit: every entry is compared.
		if hmac.Equal(s, want) {
			match = true
		}
	}
	if !match {
		return ErrWebhookSignature
	}
	age := now.Sub(time.Unix(unixSec, 0))
	if age > tolerance || age < -tolerance {
		return fmt.Errorf("%w: signed %s ago (tolerance %s)", ErrWebhookTooOld, age.Round(time.Second), tolerance)
	}
	return nil
}
