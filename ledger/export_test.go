package ledger

// StatePrefix is where state keys live in the database, for tests and
// benchmarks that load state in bulk.
var StatePrefix = prefixState
