package webhook

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Event is one committed chain event to deliver.
type Event struct {
	// ID is unique and stable for this event on this chain: the same event
	// must always get the same ID (EventID builds one), because it is the
	// receiver's de-duplication key and the engine's.
	ID string
	// Type is the event type, e.g. "order.paid".
	Type string
	// Merchant is the merchant address the event concerns ("" if none);
	// endpoint filters match it case-insensitively.
	Merchant string
	// Height and Time are the block's height and time; informational.
	Height uint64
	Time   time.Time
	// Data is the event's JSON body, sent as the envelope's "data".
	Data json.RawMessage
}

// EventID is the canonical event ID: block height, transaction index in the
// block and event index in the transaction's receipt. Events emitted outside
// any transaction (timers at block start) take a tx index the node reserves,
// e.g. math.MaxUint32.
func EventID(height uint64, tx, index uint32) string {
	return strconv.FormatUint(height, 10) + "-" + strconv.FormatUint(uint64(tx), 10) + "-" + strconv.FormatUint(uint64(index), 10)
}

const (
	maxIDLen   = 128
	maxTypeLen = 128
)

// validToken reports whether s is 1..max bytes of [A-Za-z0-9._:-]: safe in
// a key, a header and a log line.
func validToken(s string, max int) bool {
	if len(s) == 0 || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

func (ev Event) validate(maxBody int) error {
	if !validToken(ev.ID, maxIDLen) {
		return fmt.Errorf("%w: id %q (1..%d of [A-Za-z0-9._:-])", ErrInvalidEvent, ev.ID, maxIDLen)
	}
	if !validToken(ev.Type, maxTypeLen) {
		return fmt.Errorf("%w: event %s: type %q", ErrInvalidEvent, ev.ID, ev.Type)
	}
	if len(ev.Merchant) > 128 {
		return fmt.Errorf("%w: event %s: merchant too long", ErrInvalidEvent, ev.ID)
	}
	if len(ev.Data) > maxBody {
		return fmt.Errorf("%w: event %s: data %d bytes (max %d)", ErrInvalidEvent, ev.ID, len(ev.Data), maxBody)
	}
	if !json.Valid(ev.Data) {
		return fmt.Errorf("%w: event %s: data is not JSON", ErrInvalidEvent, ev.ID)
	}
	return nil
}

// envelope is the body POSTed; client.WebhookEvent decodes it (a test keeps
// them in step).
type envelope struct {
	ID       string          `json:"id"`
	Type     string          `json:"type"`
	Merchant string          `json:"merchant,omitempty"`
	Height   uint64          `json:"height,omitempty"`
	Time     int64           `json:"time,omitempty"`
	Data     json.RawMessage `json:"data"`
}

// body renders the envelope once, at enqueue: every attempt sends the same
// bytes.
func (ev Event) body() ([]byte, error) {
	env := envelope{ID: ev.ID, Type: ev.Type, Merchant: ev.Merchant, Height: ev.Height, Data: ev.Data}
	if !ev.Time.IsZero() {
		env.Time = ev.Time.Unix()
	}
	return json.Marshal(env)
}
