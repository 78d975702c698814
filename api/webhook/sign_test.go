package webhook

import (
	"errors"
	"testing"
	"time"

	"github.com/accordnet/accord/client"
)

func TestSignVerifiesWithClient(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	body := []byte(`{"id":"1-0-0","type":"order.paid","data":{"a":1}}`)
	h := Sign("whsec_roundtrip_secret", now, body)
	if err := client.VerifyWebhook("whsec_roundtrip_secret", h, body, now, time.Minute); err != nil {
		t.Fatal(err)
	}
	tampered := append([]byte(nil), body...)
	tampered[len(tampered)-3] = '2'
	if err := client.VerifyWebhook("whsec_roundtrip_secret", h, tampered, now, time.Minute); !errors.Is(err, client.ErrWebhookSignature) {
		t.Fatalf("tampered body: %v", err)
	}
}
