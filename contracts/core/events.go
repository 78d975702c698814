package core

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/accordnet/accord/types"
)

// Typed events. A module declares each event as a Go struct in its
// events.go, with an EventType method and an `event:"key"` tag on each
// field; EmitEvent encodes it into the receipt's key/value attributes in
// field order, and DecodeEvent turns attributes back into the struct, so
// the API, the CLI and the SDK read fields instead of parsing strings.
//
// Field types and their attribute text: string (as is), unsigned integers
// (decimal), bool ("true"/"false"), types.Address and types.Hash (0x hex),
// []string (comma-joined). A tag "key,omitempty" leaves a zero value out.

var (
	addressType = reflect.TypeOf(types.Address{})
	hashType    = reflect.TypeOf(types.Hash{})
)

type eventField struct {
	index     int
	key       string
	omitEmpty bool
}

var eventFields sync.Map // reflect.Type -> []eventField

func fieldsOf(t reflect.Type) []eventField {
	if f, ok := eventFields.Load(t); ok {
		return f.([]eventField)
	}
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("event %v is not a struct", t))
	}
	var out []eventField
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("event")
		if tag == "-" || !sf.IsExported() {
			continue
		}
		if tag == "" {
			panic(fmt.Sprintf("event %v: field %s has no event tag", t, sf.Name))
		}
		key, opt, _ := strings.Cut(tag, ",")
		if !encodable(sf.Type) {
			panic(fmt.Sprintf("event %v: field %s of type %v cannot be encoded", t, sf.Name, sf.Type))
		}
		out = append(out, eventField{index: i, key: key, omitEmpty: opt == "omitempty"})
	}
	eventFields.Store(t, out)
	return out
}

func encodable(t reflect.Type) bool {
	switch {
	case t == addressType || t == hashType:
		return true
	case t.Kind() == reflect.Slice:
		return t.Elem().Kind() == reflect.String
	}
	switch t.Kind() {
	case reflect.String, reflect.Bool, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return true
	}
	return false
}

func structValue(ev any) reflect.Value {
	v := reflect.ValueOf(ev)
	for v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	return v
}

// EncodeEvent turns a typed event into its receipt form.
func EncodeEvent(ev Event) types.Event {
	v := structValue(ev)
	fields := fieldsOf(v.Type())
	out := types.Event{Type: ev.EventType(), Attrs: make([]types.Attr, 0, len(fields))}
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		out.Attrs = append(out.Attrs, types.Attr{Key: f.key, Value: formatField(fv)})
	}
	return out
}

func formatField(v reflect.Value) string {
	// Byte arrays are copied out element by element: boxing them through
	// Interface() would allocate once per field on the hot path.
	switch v.Type() {
	case addressType:
		var a types.Address
		for i := range a {
			a[i] = byte(v.Index(i).Uint())
		}
		return addressHex(a)
	case hashType:
		var h types.Hash
		for i := range h {
			h[i] = byte(v.Index(i).Uint())
		}
		return h.Hex()
	}
	switch v.Kind() {
	case reflect.String:
		return v.String()
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Slice:
		return strings.Join(v.Interface().([]string), ",")
	default:
		return strconv.FormatUint(v.Uint(), 10)
	}
}

// addressHexSlots is a direct-mapped cache of checksummed address text:
// every transfer's event names two addresses, and the EIP-55 checksum costs
// a Keccak each; the same accounts recur block after block. A slot is
// used only when its address matches in full, so the text is always
// exactly a.Hex(); a miss merely recomputes it.
var addressHexSlots [4096]atomic.Pointer[addressText]

type addressText struct {
	a   types.Address
	hex string
}

func addressHex(a types.Address) string {
	// Addresses are Keccak output: their last bytes pick a slot evenly.
	slot := &addressHexSlots[(uint(a[18])<<8|uint(a[19]))%uint(len(addressHexSlots))]
	if e := slot.Load(); e != nil && e.a == a {
		return e.hex
	}
	e := &addressText{a: a, hex: a.Hex()}
	slot.Store(e)
	return e.hex
}

// DecodeEvent fills out (a pointer to a typed event) from e, which must be
// of out's type. A missing attribute leaves the field's zero value.
func DecodeEvent(e types.Event, out Event) error {
	if e.Type != out.EventType() {
		return fmt.Errorf("event %q is not %q", e.Type, out.EventType())
	}
	pv := reflect.ValueOf(out)
	if pv.Kind() != reflect.Pointer || pv.IsNil() {
		return fmt.Errorf("decode event %q: want a non-nil pointer, got %T", e.Type, out)
	}
	v := pv.Elem()
	for _, f := range fieldsOf(v.Type()) {
		s, ok := attr(e, f.key)
		if !ok {
			continue
		}
		if err := parseField(v.Field(f.index), s); err != nil {
			return fmt.Errorf("event %s attribute %s: %w", e.Type, f.key, err)
		}
	}
	return nil
}

func attr(e types.Event, key string) (string, bool) {
	for _, a := range e.Attrs {
		if a.Key == key {
			return a.Value, true
		}
	}
	return "", false
}

func parseField(v reflect.Value, s string) error {
	switch v.Type() {
	case addressType:
		a, err := types.ParseAddress(s)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(a))
		return nil
	case hashType:
		h, err := types.ParseHash(s)
		if err != nil {
			return err
		}
		v.Set(reflect.ValueOf(h))
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(s)
	case reflect.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return err
		}
		v.SetBool(b)
	case reflect.Slice:
		var parts []string
		if s != "" {
			parts = strings.Split(s, ",")
		}
		v.Set(reflect.ValueOf(parts))
	default:
		n, err := strconv.ParseUint(s, 10, v.Type().Bits())
		if err != nil {
			return err
		}
		v.SetUint(n)
	}
	return nil
}

// FindEvent decodes the first event of out's type among evs and reports
// whether there was one.
func FindEvent(evs []types.Event, out Event) (bool, error) {
	for _, e := range evs {
		if e.Type == out.EventType() {
			return true, DecodeEvent(e, out)
		}
	}
	return false, nil
}

// EventKeys lists an event type's attribute keys, in encoding order (for
// documentation: the API's accord_eventTypes).
func EventKeys(ev Event) []string {
	var out []string
	for _, f := range fieldsOf(structValue(ev).Type()) {
		out = append(out, f.key)
	}
	return out
}
