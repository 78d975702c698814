package client

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strconv"
	"testing"
	"time"
)

// sign is written here independently of the node's signer so the two are
// checked against each other (api/webhook's tests verify real deliveries
// with VerifyWebhook).
func sign(secret string, ts int64, body string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(strconv.FormatInt(ts, 10) + "." + body))
	return hex.EncodeToString(mac.Sum(nil))
}

func TestVerifyWebhook(t *testing.T) {
	const secret = "whsec_0123456789abcdef"
	now := time.Unix(1_700_000_000, 0)
	ts := now.Unix() - 30
	body := `{"id":"7-2-0","type":"order.paid","data":{}}`
	good := "t=" + strconv.FormatInt(ts, 10) + ",v1=" + sign(secret, ts, body)
	cases := []struct {
		name   string
		secret string
		header string
		body   string
		now    time.Time
		want   error
	}{
		{"valid", secret, good, body, now, nil},
		{"valid with a rotated second signature", secret,
			"t=" + strconv.FormatInt(ts, 10) + ",v1=" + sign("old-secret-xxxxxxxx", ts, body) + ",v1=" + sign(secret, ts, body), body, now, nil},
		{"unknown scheme ignored", secret, good + ",v0=zz", body, now, nil},
		{"body tampered", secret, good, `{"id":"7-2-0","type":"order.paid","data":{"x":1}}`, now, ErrWebhookSignature},
		{"timestamp tampered", secret, "t=" + strconv.FormatInt(ts+1, 10) + ",v1=" + sign(secret, ts, body), body, now, ErrWebhookSignature},
		{"wrong secret", "whsec_other_secret_000", good, body, now, ErrWebhookSignature},
		{"too old", secret, good, body, now.Add(10 * time.Minute), ErrWebhookTooOld},
		{"from the future", secret, good, body, now.Add(-10 * time.Minute), ErrWebhookTooOld},
		{"empty header", secret, "", body, now, ErrWebhookHeader},
		{"no signature", secret, "t=" + strconv.FormatInt(ts, 10), body, now, ErrWebhookHeader},
		{"no timestamp", secret, "v1=" + sign(secret, ts, body), body, now, ErrWebhookHeader},
		{"two timestamps", secret, good + ",t=1", body, now, ErrWebhookHeader},
		{"bad hex", secret, "t=1,v1=xyz", body, now, ErrWebhookHeader},
		{"short mac", secret, "t=1,v1=abcd", body, now, ErrWebhookHeader},
		{"negative time", secret, "t=-5,v1=" + sign(secret, -5, body), body, now, ErrWebhookHeader},
		{"not key=value", secret, good + ",junk", body, now, ErrWebhookHeader},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := VerifyWebhook(c.secret, c.header, []byte(c.body), c.now, 5*time.Minute)
			if c.want == nil && err != nil || c.want != nil && !errors.Is(err, c.want) {
				t.Fatalf("got %v, want %v", err, c.want)
			}
		})
	}
}

func TestVerifyWebhookDefaultTolerance(t *testing.T) {
	const secret = "whsec_0123456789abcdef"
	now := time.Unix(1_700_000_000, 0)
	ts := now.Unix()
	h := "t=" + strconv.FormatInt(ts, 10) + ",v1=" + sign(secret, ts, "{}")
	if err := VerifyWebhook(secret, h, []byte("{}"), now.Add(DefaultWebhookTolerance-time.Second), 0); err != nil {
		t.Fatal(err)
	}
	if err := VerifyWebhook(secret, h, []byte("{}"), now.Add(DefaultWebhookTolerance+time.Second), 0); !errors.Is(err, ErrWebhookTooOld) {
		t.Fatal(err)
	}
}
