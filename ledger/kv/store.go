package kv

import (
	"bytes"
	"errors"
	"fmt"
	"sync"
)

// The engines (pebble.go, badger.go) implement only the raw operations below.
// store wraps an engine and owns everything the engines would otherwise each
// get slightly differently: argument checks, read-only refusal, copying of
// bounds, and the lifecycle rules (ErrClosed instead of a panic or a read of
// unmapped memory after Close, and release of open iterators and snapshots).

// engineReader is a point-in-time or live view of an engine.
type engineReader interface {
	// get returns a copy the caller owns, or ErrNotFound.
	get(key []byte) ([]byte, error)
	has(key []byte) (bool, error)
	// iter walks [start,end); nil bounds are unbounded. The bounds are owned
	// by the iterator.
	iter(start, end []byte, reverse bool) (engineIter, error)
}

type engineIter interface {
	next() bool
	key() []byte
	value() []byte
	err() error
	close() error
}

type engineSnapshot interface {
	engineReader
	close() error
}

type engineBatch interface {
	// set and delete copy their arguments.
	set(key, value []byte) error
	delete(key []byte) error
	len() int
	size() int
	commit(sync bool) error
	close() error
}

type engine interface {
	engineReader
	newBatch() engineBatch
	snapshot() (engineSnapshot, error)
	close() error
}

var (
	errSnapshotClosed = fmt.Errorf("snapshot: %w", ErrClosed)
	errIteratorClosed = fmt.Errorf("iterator: %w", ErrClosed)
	errBatchDone      = fmt.Errorf("batch already committed or closed: %w", ErrClosed)
)

// store implements DB over an engine.
//
// Locking: every operation holds mu for reading while it touches the engine,
// and checks closed. DB.Close holds mu for writing, so it never overlaps an
// operation in flight and tears down every open handle before the engine.
// A snapshot has its own lock, taken after mu, for the same purpose:
// Snapshot.Close releases the snapshot's iterators, which other goroutines
// may be using, without stalling the whole DB (a writer waiting on mu would
// hold up every new reader until a commit in flight had synced).
type store struct {
	name     string
	eng      engine
	noSync   bool
	readOnly bool

	mu     sync.RWMutex
	closed bool
	open   registry // iterators and snapshots made from the DB
}

func newStore(name string, eng engine, opts Options) *store {
	return &store{name: name, eng: eng, noSync: opts.NoSync, readOnly: opts.ReadOnly}
}

// rlock read-locks s and reports whether it is open. On false the lock is not
// held.
func (s *store) rlock() bool {
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return false
	}
	return true
}

func (s *store) Backend() string { return s.name }

func (s *store) Get(key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, ErrEmptyKey
	}
	if !s.rlock() {
		return nil, ErrClosed
	}
	defer s.mu.RUnlock()
	return s.eng.get(key)
}

func (s *store) Has(key []byte) (bool, error) {
	if len(key) == 0 {
		return false, ErrEmptyKey
	}
	if !s.rlock() {
		return false, ErrClosed
	}
	defer s.mu.RUnlock()
	return s.eng.has(key)
}

func (s *store) Iterator(start, end []byte) (Iterator, error) {
	return s.newIter(start, end, false)
}

func (s *store) ReverseIterator(start, end []byte) (Iterator, error) {
	return s.newIter(start, end, true)
}

func (s *store) newIter(start, end []byte, reverse bool) (Iterator, error) {
	if !s.rlock() {
		return nil, ErrClosed
	}
	defer s.mu.RUnlock()
	return openIter(s, nil, s.eng, &s.open, start, end, reverse)
}

func (s *store) NewBatch() Batch {
	b := &batch{s: s}
	if s.rlock() {
		b.eng = s.eng.newBatch()
		s.mu.RUnlock()
	}
	return b
}

func (s *store) Snapshot() (Snapshot, error) {
	if !s.rlock() {
		return nil, ErrClosed
	}
	defer s.mu.RUnlock()
	es, err := s.eng.snapshot()
	if err != nil {
		return nil, err
	}
	snap := &snapshot{s: s, eng: es}
	s.open.add(snap)
	return snap, nil
}

func (s *store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return ErrClosed
	}
	s.closed = true
	var errs []error
	for _, h := range s.open.drain() {
		errs = append(errs, h.release())
	}
	if err := s.eng.close(); err != nil {
		errs = append(errs, fmt.Errorf("kv: close %s: %w", s.name, err))
	}
	return errors.Join(errs...)
}

// handle is an open iterator or snapshot. release frees its engine resources;
// it is called with the owner's lock held for writing (store.mu for handles
// of the DB, snapshot.mu for iterators of a snapshot).
type handle interface {
	release() error
}

type registry struct {
	mu   sync.Mutex
	open map[handle]struct{}
}

func (r *registry) add(h handle) {
	r.mu.Lock()
	if r.open == nil {
		r.open = make(map[handle]struct{})
	}
	r.open[h] = struct{}{}
	r.mu.Unlock()
}

func (r *registry) remove(h handle) {
	r.mu.Lock()
	delete(r.open, h)
	r.mu.Unlock()
}

func (r *registry) drain() []handle {
	r.mu.Lock()
	defer r.mu.Unlock()
	hs := make([]handle, 0, len(r.open))
	for h := range r.open {
		hs = append(hs, h)
	}
	r.open = nil
	return hs
}

// openIter makes an iterator over rd and registers it in reg. The caller
// holds s.mu for reading and parent, if not nil, for reading too.
func openIter(s *store, parent *sync.RWMutex, rd engineReader, reg *registry, start, end []byte, reverse bool) (Iterator, error) {
	it := &iterator{s: s, parent: parent, reg: reg}
	if len(start) > 0 && len(end) > 0 && bytes.Compare(start, end) >= 0 {
		it.eng = emptyIter{}
	} else {
		// Engines keep the bounds for the iterator's lifetime; the caller
		// may reuse its buffers.
		ei, err := rd.iter(cloneOrNil(start), cloneOrNil(end), reverse)
		if err != nil {
			return nil, err
		}
		it.eng = ei
	}
	reg.add(it)
	return it, nil
}

func cloneOrNil(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return bytes.Clone(b)
}

type iterator struct {
	s      *store
	parent *sync.RWMutex // the snapshot's lock, nil for an iterator on the DB
	reg    *registry
	eng    engineIter // nil once closed or released
	valid  bool
	err    error
}

// Every iterator method holds s.mu and its parent's lock for reading:
// release may run on another goroutine (DB.Close, Snapshot.Close) and the
// engine's memory must not be touched after it.

func (it *iterator) lock() {
	it.s.mu.RLock()
	if it.parent != nil {
		it.parent.RLock()
	}
}

func (it *iterator) unlock() {
	if it.parent != nil {
		it.parent.RUnlock()
	}
	it.s.mu.RUnlock()
}

func (it *iterator) Next() bool {
	it.lock()
	defer it.unlock()
	if it.s.closed || it.eng == nil {
		it.valid = false
		if it.err == nil {
			it.err = errIteratorClosed
		}
		return false
	}
	it.valid = it.eng.next()
	return it.valid
}

func (it *iterator) Key() []byte {
	it.lock()
	defer it.unlock()
	if it.s.closed || it.eng == nil || !it.valid {
		return nil
	}
	return it.eng.key()
}

func (it *iterator) Value() []byte {
	it.lock()
	defer it.unlock()
	if it.s.closed || it.eng == nil || !it.valid {
		return nil
	}
	return it.eng.value()
}

func (it *iterator) Err() error {
	it.lock()
	defer it.unlock()
	if it.err != nil {
		return it.err
	}
	if it.s.closed || it.eng == nil {
		return nil
	}
	return it.eng.err()
}

// Close releases the iterator. After DB.Close or Snapshot.Close released it,
// Close has nothing left to do and returns nil.
func (it *iterator) Close() error {
	it.lock()
	defer it.unlock()
	if it.s.closed || it.eng == nil {
		return nil
	}
	it.reg.remove(it)
	err := it.eng.close()
	it.eng, it.valid = nil, false
	if err != nil {
		return fmt.Errorf("kv: close iterator: %w", err)
	}
	return nil
}

// release is called by the DB or snapshot that owns the iterator, with
// s.mu held for writing. Later calls report ErrClosed.
func (it *iterator) release() error {
	if it.eng == nil {
		return nil
	}
	err := it.eng.close()
	it.eng, it.valid = nil, false
	if it.err == nil {
		it.err = errIteratorClosed
	}
	return err
}

type emptyIter struct{}

func (emptyIter) next() bool    { return false }
func (emptyIter) key() []byte   { return nil }
func (emptyIter) value() []byte { return nil }
func (emptyIter) err() error    { return nil }
func (emptyIter) close() error  { return nil }

type snapshot struct {
	s    *store
	mu   sync.RWMutex   // write-held by Close; taken after s.mu
	eng  engineSnapshot // nil once closed or released
	open registry       // iterators made from the snapshot
}

func (sn *snapshot) Get(key []byte) ([]byte, error) {
	if len(key) == 0 {
		return nil, ErrEmptyKey
	}
	if !sn.rlock() {
		return nil, ErrClosed
	}
	defer sn.runlock()
	if sn.eng == nil {
		return nil, errSnapshotClosed
	}
	return sn.eng.get(key)
}

func (sn *snapshot) Has(key []byte) (bool, error) {
	if len(key) == 0 {
		return false, ErrEmptyKey
	}
	if !sn.rlock() {
		return false, ErrClosed
	}
	defer sn.runlock()
	if sn.eng == nil {
		return false, errSnapshotClosed
	}
	return sn.eng.has(key)
}

func (sn *snapshot) Iterator(start, end []byte) (Iterator, error) {
	return sn.newIter(start, end, false)
}

func (sn *snapshot) ReverseIterator(start, end []byte) (Iterator, error) {
	return sn.newIter(start, end, true)
}

func (sn *snapshot) newIter(start, end []byte, reverse bool) (Iterator, error) {
	if !sn.rlock() {
		return nil, ErrClosed
	}
	defer sn.runlock()
	if sn.eng == nil {
		return nil, errSnapshotClosed
	}
	return openIter(sn.s, &sn.mu, sn.eng, &sn.open, start, end, reverse)
}

// rlock read-locks the store and the snapshot and reports whether the store
// is open. On false no lock is held.
func (sn *snapshot) rlock() bool {
	if !sn.s.rlock() {
		return false
	}
	sn.mu.RLock()
	return true
}

func (sn *snapshot) runlock() {
	sn.mu.RUnlock()
	sn.s.mu.RUnlock()
}

// Close releases the snapshot and the iterators made from it, which may be
// in use on other goroutines; the engines require them closed before the
// snapshot.
func (sn *snapshot) Close() error {
	if !sn.s.rlock() {
		return nil // released by DB.Close
	}
	defer sn.s.mu.RUnlock()
	sn.mu.Lock()
	defer sn.mu.Unlock()
	if sn.eng == nil {
		return nil
	}
	sn.s.open.remove(sn)
	if err := sn.release(); err != nil {
		return fmt.Errorf("kv: close snapshot: %w", err)
	}
	return nil
}

// release is called by Close with sn.mu held for writing, or by DB.Close
// with s.mu held for writing.
func (sn *snapshot) release() error {
	if sn.eng == nil {
		return nil
	}
	var errs []error
	for _, h := range sn.open.drain() {
		errs = append(errs, h.release())
	}
	errs = append(errs, sn.eng.close())
	sn.eng = nil
	return errors.Join(errs...)
}

type batch struct {
	s    *store
	eng  engineBatch // nil once committed or closed
	n    int         // Len and Size after eng is gone
	size int
}

func (b *batch) Set(key, value []byte) error {
	if len(key) == 0 {
		return ErrEmptyKey
	}
	if b.s.readOnly {
		return ErrReadOnly
	}
	if !b.s.rlock() {
		return ErrClosed
	}
	defer b.s.mu.RUnlock()
	if b.eng == nil {
		return errBatchDone
	}
	return b.eng.set(key, value)
}

func (b *batch) Delete(key []byte) error {
	if len(key) == 0 {
		return ErrEmptyKey
	}
	if b.s.readOnly {
		return ErrReadOnly
	}
	if !b.s.rlock() {
		return ErrClosed
	}
	defer b.s.mu.RUnlock()
	if b.eng == nil {
		return errBatchDone
	}
	return b.eng.delete(key)
}

func (b *batch) Len() int {
	if b.eng == nil {
		return b.n
	}
	return b.eng.len()
}

func (b *batch) Size() int {
	if b.eng == nil {
		return b.size
	}
	return b.eng.size()
}

func (b *batch) Commit() error {
	if b.s.readOnly {
		return ErrReadOnly
	}
	if !b.s.rlock() {
		return ErrClosed
	}
	defer b.s.mu.RUnlock()
	if b.eng == nil {
		return errBatchDone
	}
	var err error
	if b.eng.len() > 0 {
		err = b.eng.commit(!b.s.noSync)
	}
	b.finish()
	return err
}

func (b *batch) Close() error {
	b.finish()
	return nil
}

func (b *batch) finish() {
	if b.eng == nil {
		return
	}
	b.n, b.size = b.eng.len(), b.eng.size()
	_ = b.eng.close() // only releases memory
	b.eng = nil
}
