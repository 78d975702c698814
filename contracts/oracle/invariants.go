package oracle

import (
	"fmt"

	"github.com/accordnet/accord/contracts/core"
	"github.com/accordnet/accord/ledger/state"
)

// PostInvariant: every post is stored under a supported currency and a full
// oracle address, decodes, and has a positive rate.
func (Keeper) PostInvariant(st state.Store) (string, bool) {
	var msg string
	st.Iterate(prefixPost, state.PrefixEnd(prefixPost), false, func(key, v []byte) bool {
		rest := key[len(prefixPost):]
		var p Post
		if len(rest) != 4+len(p.Oracle) || rest[3] != '/' {
			msg = fmt.Sprintf("oracle post: malformed key %x", key)
			return false
		}
		if _, err := LookupCurrency(string(rest[:3])); err != nil {
			msg = fmt.Sprintf("oracle post %x: %v", key, err)
			return false
		}
		if err := core.Decode(v, &p); err != nil || p.Rate == 0 {
			msg = fmt.Sprintf("oracle post %x: undecodable or zero rate", key)
			return false
		}
		return true
	})
	return msg, msg != ""
}
