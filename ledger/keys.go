package ledger

import "encoding/binary"

// Key layout of the ledger database. State keys live under "s/" so a
// prefix scan of state never meets chain data.
var (
	prefixBlock    = []byte("b/h/") // height -> block
	prefixHash     = []byte("b/n/") // block hash -> height
	prefixCert     = []byte("b/c/") // height -> commit certificate
	prefixReceipts = []byte("b/r/") // height -> receipts
	prefixEvents   = []byte("b/e/") // height -> begin-block events
	prefixTx       = []byte("t/")   // tx hash -> height, index
	prefixState    = []byte("s/")
	keyMeta        = []byte("m/last")
	keyGenesis     = []byte("m/genesis")
)

func heightKey(prefix []byte, h uint64) []byte {
	k := make([]byte, len(prefix)+8)
	copy(k, prefix)
	binary.BigEndian.PutUint64(k[len(prefix):], h)
	return k
}

func hashKey(prefix []byte, h []byte) []byte {
	k := make([]byte, 0, len(prefix)+len(h))
	return append(append(k, prefix...), h...)
}
