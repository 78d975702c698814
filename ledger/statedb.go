package ledger

import (
	"bytes"

	"github.com/accordnet/accord/ledger/kv"
)

// prefixReader exposes the keys under a prefix of a kv.Reader with the
// prefix stripped; it is the committed view under a state.Overlay.
type prefixReader struct {
	r      kv.Reader
	prefix []byte
}

func (p prefixReader) Get(key []byte) ([]byte, error) { return p.r.Get(hashKey(p.prefix, key)) }

func (p prefixReader) bounds(start, end []byte) ([]byte, []byte) {
	s := hashKey(p.prefix, start)
	var e []byte
	if len(end) > 0 {
		e = hashKey(p.prefix, end)
	} else {
		e = kv.PrefixEnd(p.prefix)
	}
	return s, e
}

func (p prefixReader) Iterator(start, end []byte) (kv.Iterator, error) {
	s, e := p.bounds(start, end)
	it, err := p.r.Iterator(s, e)
	if err != nil {
		return nil, err
	}
	return &strippedIter{Iterator: it, n: len(p.prefix)}, nil
}

func (p prefixReader) ReverseIterator(start, end []byte) (kv.Iterator, error) {
	s, e := p.bounds(start, end)
	it, err := p.r.ReverseIterator(s, e)
	if err != nil {
		return nil, err
	}
	return &strippedIter{Iterator: it, n: len(p.prefix)}, nil
}

type strippedIter struct {
	kv.Iterator
	n int
}

func (s *strippedIter) Key() []byte {
	k := s.Iterator.Key()
	if len(k) < s.n {
		return nil
	}
	return k[s.n:]
}

var _ = bytes.Equal
