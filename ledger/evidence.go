package ledger

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/accordnet/accord/ledger/kv"
)

// prefixEvidence holds equivocation evidence this node saw: local records
// (not chain state), kept across restarts.
var prefixEvidence = []byte("x/ev/")

// EvidenceRecord is one stored piece of evidence; Raw is what the consensus
// layer encoded (the two conflicting signed votes).
type EvidenceRecord struct {
	Height uint64
	Key    []byte // identifies the offence (validator, view, kind) within Height
	Raw    []byte
}

func evidenceKey(height uint64, id []byte) []byte {
	k := make([]byte, 0, len(prefixEvidence)+8+len(id))
	k = append(k, prefixEvidence...)
	k = binary.BigEndian.AppendUint64(k, height)
	return append(k, id...)
}

// SaveEvidence stores raw under (height, id) durably, once: it reports
// false if that offence was already on record.
func (l *Ledger) SaveEvidence(height uint64, id, raw []byte) (bool, error) {
	k := evidenceKey(height, id)
	switch _, err := l.db.Get(k); {
	case err == nil:
		return false, nil
	case !errors.Is(err, kv.ErrNotFound):
		return false, fmt.Errorf("read evidence: %w", err)
	}
	b := l.db.NewBatch()
	defer b.Close()
	if err := b.Set(k, raw); err != nil {
		return false, err
	}
	if err := b.Commit(); err != nil {
		return false, fmt.Errorf("store evidence: %w", err)
	}
	return true, nil
}

// Evidence lists stored evidence from height from on, oldest first, at most
// limit records.
func (l *Ledger) Evidence(from uint64, limit int) ([]EvidenceRecord, error) {
	it, err := l.db.Iterator(evidenceKey(from, nil), kv.PrefixEnd(prefixEvidence))
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []EvidenceRecord
	for len(out) < limit && it.Next() {
		k := it.Key()[len(prefixEvidence):]
		if len(k) < 8 {
			continue
		}
		out = append(out, EvidenceRecord{Height: binary.BigEndian.Uint64(k), Key: append([]byte(nil), k[8:]...),
			Raw: append([]byte(nil), it.Value()...)})
	}
	return out, it.Err()
}
