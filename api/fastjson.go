package api

import (
	"bytes"
	"encoding/json"
)

// A fast path for the JSON the node reads most: the request envelope
// {"jsonrpc":"2.0","id":…,"method":…,"params":…} and the params of
// accord_sendRawTransactions, an array holding one array of hex strings.
// encoding/json validates a body in full before decoding it and decodes
// by reflection, and a request's params are decoded three times over (the
// envelope, Params' array, the []string), which cost more CPU per
// submitted transaction than everything else the API does.
//
// The fast path accepts only a strict subset of JSON and gives up on
// anything outside it, and the caller then runs encoding/json on the same
// bytes: so every refusal and every error text stays encoding/json's, and
// where the fast path accepts it yields exactly what encoding/json would
// (FuzzFastRequest and FuzzBatchHexes hold it to that). Outside the
// subset: string escapes, bytes outside printable ASCII in strings, keys
// other than the four envelope names spelled in lower case (encoding/json
// matches names case-insensitively), a key given twice (encoding/json
// keeps the last), a non-string jsonrpc or method, nesting deeper than
// fastMaxDepth.

// fastMaxDepth bounds the nesting the fast validator follows.
const fastMaxDepth = 32

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func skipSpace(b []byte, i int) int {
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	return i
}

// simpleString reads the string starting at b[i] (a '"') when it has no
// escapes and only printable ASCII, so its JSON text is its value. It
// returns the value and the index after the closing quote.
func simpleString(b []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return b[i+1 : j], j + 1, true
		case c == '\\' || c < 0x20 || c > 0x7e:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// number reads the JSON number at b[i] (RFC 8259 grammar, as
// encoding/json's scanner) and returns the index after it.
func number(b []byte, i int) (next int, ok bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return 0, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return 0, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, true
}

func literal(b []byte, i int, lit string) (next int, ok bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// skipValue validates the JSON value at b[i] within the subset and returns
// the index after it.
func skipValue(b []byte, i, depth int) (next int, ok bool) {
	if i >= len(b) {
		return 0, false
	}
	switch c := b[i]; {
	case c == '"':
		_, next, ok = simpleString(b, i)
		return next, ok
	case c == '-' || isDigit(c):
		return number(b, i)
	case c == 't':
		return literal(b, i, "true")
	case c == 'f':
		return literal(b, i, "false")
	case c == 'n':
		return literal(b, i, "null")
	case c == '[' || c == '{':
		if depth >= fastMaxDepth {
			return 0, false
		}
		obj := c == '{'
		end := byte(']')
		if obj {
			end = '}'
		}
		i = skipSpace(b, i+1)
		if i < len(b) && b[i] == end {
			return i + 1, true
		}
		for {
			if obj {
				if _, i, ok = simpleString(b, i); !ok {
					return 0, false
				}
				if i = skipSpace(b, i); i >= len(b) || b[i] != ':' {
					return 0, false
				}
				i = skipSpace(b, i+1)
			}
			if i, ok = skipValue(b, i, depth+1); !ok {
				return 0, false
			}
			if i = skipSpace(b, i); i >= len(b) {
				return 0, false
			}
			switch b[i] {
			case ',':
				i = skipSpace(b, i+1)
			case end:
				return i + 1, true
			default:
				return 0, false
			}
		}
	}
	return 0, false
}

// fastRequest decodes a request envelope within the subset; ok false means
// the caller must use encoding/json. ID and Params alias raw, which the
// caller does not modify or reuse while the request is served.
func fastRequest(raw []byte) (req request, ok bool) {
	i := skipSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return req, false
	}
	i = skipSpace(raw, i+1)
	var seen [4]bool
	if i < len(raw) && raw[i] == '}' {
		i++
	} else {
		for {
			key, next, ok := simpleString(raw, i)
			if !ok {
				return req, false
			}
			if i = skipSpace(raw, next); i >= len(raw) || raw[i] != ':' {
				return req, false
			}
			i = skipSpace(raw, i+1)
			field := -1
			switch string(key) {
			case "jsonrpc":
				field = 0
			case "id":
				field = 1
			case "method":
				field = 2
			case "params":
				field = 3
			}
			if field < 0 || seen[field] {
				return req, false
			}
			seen[field] = true
			switch field {
			case 0, 2:
				s, next, ok := simpleString(raw, i)
				if !ok {
					return req, false
				}
				if field == 0 {
					req.JSONRPC = string(s)
				} else {
					req.Method = string(s)
				}
				i = next
			case 1, 3:
				next, ok := skipValue(raw, i, 1)
				if !ok {
					return req, false
				}
				v := json.RawMessage(raw[i:next:next])
				if field == 1 {
					req.ID = v
				} else {
					req.Params = v
				}
				i = next
			}
			if i = skipSpace(raw, i); i >= len(raw) {
				return req, false
			}
			if raw[i] == '}' {
				i++
				break
			}
			if raw[i] != ',' {
				return req, false
			}
			i = skipSpace(raw, i+1)
		}
	}
	if skipSpace(raw, i) != len(raw) {
		return req, false
	}
	return req, true
}

// batchHexes reads accord_sendRawTransactions' params, [["0x…", …]],
// within the subset: the strings, as slices of p. ok false means the
// caller must use encoding/json.
func batchHexes(p []byte) (hexes [][]byte, ok bool) {
	i := skipSpace(p, 0)
	if i >= len(p) || p[i] != '[' {
		return nil, false
	}
	if i = skipSpace(p, i+1); i >= len(p) || p[i] != '[' {
		return nil, false
	}
	i = skipSpace(p, i+1)
	if i < len(p) && p[i] == ']' {
		i++
		hexes = [][]byte{}
	} else {
		// A comma ends each string but the last (commas inside strings
		// only make it more): one allocation for the slice.
		hexes = make([][]byte, 0, bytes.Count(p, []byte{','})+1)
		for {
			s, next, ok := simpleString(p, i)
			if !ok {
				return nil, false
			}
			hexes = append(hexes, s)
			if i = skipSpace(p, next); i >= len(p) {
				return nil, false
			}
			if p[i] == ']' {
				i++
				break
			}
			if p[i] != ',' {
				return nil, false
			}
			i = skipSpace(p, i+1)
		}
	}
	if i = skipSpace(p, i); i >= len(p) || p[i] != ']' {
		return nil, false
	}
	if skipSpace(p, i+1) != len(p) {
		return nil, false
	}
	return hexes, true
}
