package webhook

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/accordnet/accord/ledger/kv"
)

// State is a delivery's state.
type State string

const (
	StatePending   State = "pending"   // queued, waiting for an attempt or a retry
	StateDelivered State = "delivered" // acknowledged with a 2xx
	StateFailed    State = "failed"    // retry window over without acknowledgement
	StateDropped   State = "dropped"   // refused at enqueue: the queue was full
)

// Attempt is one HTTP attempt.
type Attempt struct {
	N        int           `json:"n"`
	At       time.Time     `json:"at"`
	Status   int           `json:"status,omitempty"` // HTTP status; 0 when none came back
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration"`
}

// maxKeptAttempts bounds the attempt history kept in a record.
const maxKeptAttempts = 16

// Delivery is the record of one event for one endpoint: the delivery log's
// entry and the retry state.
type Delivery struct {
	EndpointID string    `json:"endpoint"`
	EventID    string    `json:"event"`
	EventType  string    `json:"type"`
	Seq        uint64    `json:"seq"`
	State      State     `json:"state"`
	Created    time.Time `json:"created"`
	// WindowStart starts the retry window: Created, or the last Redeliver.
	WindowStart time.Time `json:"window_start"`
	NextAt      time.Time `json:"next_at,omitzero"` // when pending
	DeliveredAt time.Time `json:"delivered_at,omitzero"`
	Attempts    int       `json:"attempts"`
	// Recent holds the last attempts, oldest first.
	Recent []Attempt `json:"recent,omitempty"`
	Body   []byte    `json:"body"`
	// Rev changes on Redeliver, so an attempt in flight meanwhile does not
	// overwrite its schedule.
	Rev uint64 `json:"rev"`
}

type epStats struct {
	Pending int `json:"pending"`
	Records int `json:"records"`
}

// keys holds the key layout under the prefix:
//
//	e/<ep>                     endpoint
//	s/<ep>                     epStats
//	d/<ep>/<seq8>              Delivery
//	x/<ep>/<eventID>           seq8 (de-duplication index)
//	q/<ep>/<unixnano8><seq8>   queue entry (empty value)
//	m/seq                      last seq
//	m/fed                      highest block height fed
type keys struct{ p string }

func be8(v uint64) []byte { return binary.BigEndian.AppendUint64(nil, v) }

func (k keys) endpoint(ep string) []byte   { return []byte(k.p + "e/" + ep) }
func (k keys) endpoints() []byte           { return []byte(k.p + "e/") }
func (k keys) stats(ep string) []byte      { return []byte(k.p + "s/" + ep) }
func (k keys) deliveries(ep string) []byte { return []byte(k.p + "d/" + ep + "/") }
func (k keys) delivery(ep string, seq uint64) []byte {
	return append(k.deliveries(ep), be8(seq)...)
}
func (k keys) index(ep, eventID string) []byte { return []byte(k.p + "x/" + ep + "/" + eventID) }
func (k keys) indexes(ep string) []byte        { return []byte(k.p + "x/" + ep + "/") }
func (k keys) queue(ep string) []byte          { return []byte(k.p + "q/" + ep + "/") }
func (k keys) queued(ep string, at time.Time, seq uint64) []byte {
	b := append(k.queue(ep), be8(uint64(max(at.UnixNano(), 0)))...)
	return append(b, be8(seq)...)
}
func (k keys) seq() []byte { return []byte(k.p + "m/seq") }
func (k keys) fed() []byte { return []byte(k.p + "m/fed") }

// parseQueued returns the time and seq of a queue key of endpoint ep.
func (k keys) parseQueued(ep string, key []byte) (time.Time, uint64, bool) {
	p := len(k.queue(ep))
	if len(key) != p+16 {
		return time.Time{}, 0, false
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(key[p:]))), binary.BigEndian.Uint64(key[p+8:]), true
}

func getJSON(r kv.Reader, key []byte, v any) error {
	b, err := r.Get(key)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %q: %v", ErrCorruptRecord, key, err)
	}
	return nil
}

func setJSON(b kv.Batch, key []byte, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return b.Set(key, raw)
}

func isNotFound(err error) bool { return errors.Is(err, kv.ErrNotFound) }

func jsonUnmarshal(b []byte, v any) error {
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%w: %v", ErrCorruptRecord, err)
	}
	return nil
}
