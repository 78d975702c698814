// Package report streams compliance reports out of a node's store: the
// committed events of one kind (large transfers, freezes, disputes, KYC,
// orders) in a block-time range, as CSV or JSON, one block at a time, so
// a report over years of history needs no more memory than one over a
// day. Rows are the chain's events as committed, attribute values
// verbatim (amounts in micro-USDT, times in block-time ms), with where
// and when each was committed; `accord report` is its command.
package report
