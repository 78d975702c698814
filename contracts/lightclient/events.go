package lightclient

// Event types emitted by the light client module.
const (
	EventUpdated   = "lightclient.updated"   // height, hash, validators_hash
	EventScheduled = "lightclient.scheduled" // effective_height, validators_hash
	EventFrozen    = "lightclient.frozen"    // height, trusted, conflicting
	EventUnfrozen  = "lightclient.unfrozen"  //
)
