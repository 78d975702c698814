package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
)

// Format names an output format.
type Format string

// The formats.
const (
	CSV  Format = "csv"  // a header line, then one line per row
	JSON Format = "json" // one JSON array of objects, keys in column order, written as rows arrive
)

// ErrUnknownFormat is returned for a format other than csv and json.
var ErrUnknownFormat = fmt.Errorf("report: unknown format (want csv or json)")

// Writer writes rows of one kind as they come; Close finishes the document
// and flushes it.
type Writer interface {
	Write(Row) error
	Close() error
}

// NewWriter returns a streaming writer of format f for kind k's rows.
func NewWriter(w io.Writer, f Format, k Kind) (Writer, error) {
	switch f {
	case CSV:
		cw := csv.NewWriter(w)
		if err := cw.Write(k.Columns()); err != nil {
			return nil, err
		}
		return &csvWriter{w: cw, k: k}, nil
	case JSON:
		bw := bufio.NewWriterSize(w, 64<<10)
		cols := k.Columns()
		keys := make([][]byte, len(cols))
		for i, c := range cols {
			keys[i], _ = json.Marshal(c)
		}
		if _, err := bw.WriteString("["); err != nil {
			return nil, err
		}
		return &jsonWriter{w: bw, k: k, keys: keys}, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownFormat, f)
}

type csvWriter struct {
	w *csv.Writer
	k Kind
}

func (c *csvWriter) Write(r Row) error { return c.w.Write(r.Values(c.k)) }

func (c *csvWriter) Close() error {
	c.w.Flush()
	return c.w.Error()
}

type jsonWriter struct {
	w    *bufio.Writer
	k    Kind
	keys [][]byte
	n    int
}

// Write emits one object by hand, so its keys keep the column order (a
// map would sort them) and nothing of the report is held back.
func (j *jsonWriter) Write(r Row) error {
	sep := ",\n"
	if j.n == 0 {
		sep = "\n"
	}
	j.n++
	j.w.WriteString(sep + "{")
	for i, v := range r.Values(j.k) {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.w.Write(j.keys[i])
		j.w.WriteByte(':')
		b, _ := json.Marshal(v) // a string always encodes
		if _, err := j.w.Write(b); err != nil {
			return err
		}
	}
	return j.w.WriteByte('}')
}

func (j *jsonWriter) Close() error {
	if _, err := j.w.WriteString("\n]\n"); err != nil {
		return err
	}
	return j.w.Flush()
}
