package report

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// StatusFile is where a home records, per kind, when a report last ran
// to completion; the node exports it as
// accord_report_last_success_timestamp_seconds{kind}.
func StatusFile(home string) string { return filepath.Join(home, "data", "report-status.json") }

// LastSuccess reads a home's status file: kind -> unix seconds. A missing
// file is no report yet.
func LastSuccess(home string) (map[Kind]int64, error) {
	raw, err := os.ReadFile(StatusFile(home))
	if errors.Is(err, os.ErrNotExist) {
		return map[Kind]int64{}, nil
	}
	if err != nil {
		return nil, err
	}
	out := map[Kind]int64{}
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("%s: %w", StatusFile(home), err)
	}
	return out, nil
}

// RecordSuccess notes that a report of kind k finished at t. The file is
// replaced whole (written aside, then renamed), so a reader never sees
// half of it; two reports finishing at once may lose one of the two
// updates, which the next run repairs.
func RecordSuccess(home string, k Kind, t time.Time) error {
	m, err := LastSuccess(home)
	if err != nil {
		m = map[Kind]int64{} // a damaged file is rewritten
	}
	m[k] = t.Unix()
	raw, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	path := StatusFile(home)
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-status-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(raw, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
