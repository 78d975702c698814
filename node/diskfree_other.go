//go:build !unix

package node

import "errors"

// statFree is not implemented here: the disk guard stays off.
func statFree(string) (uint64, error) { return 0, errors.New("free space unknown on this platform") }
