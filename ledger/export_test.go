package ledger

// StatePrefix is where state keys live in the database, for tests and
// benchmarks that load state in bulk.
var StatePrefix = prefixState

// SetSnapshotChunkBytes changes the chunk size for the test's lifetime.
func SetSnapshotChunkBytes(t interface{ Cleanup(func()) }, n int) {
	old := snapshotChunkBytes
	snapshotChunkBytes = n
	t.Cleanup(func() { snapshotChunkBytes = old })
}
