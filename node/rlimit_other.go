//go:build !unix

package node

// raiseFileLimit does nothing here; 0 means unknown.
func raiseFileLimit() (soft, hard uint64, err error) { return 0, 0, nil }
