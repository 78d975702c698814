//go:build unix

package node

import "syscall"

// raiseFileLimit raises the soft open-file limit to the hard one (Go does
// this itself since 1.19 on most systems, but not everywhere, e.g. under
// some init systems) and returns both.
func raiseFileLimit() (soft, hard uint64, err error) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		return 0, 0, err
	}
	if l.Cur < l.Max {
		l.Cur = l.Max
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
			_ = syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l)
			return uint64(l.Cur), uint64(l.Max), err
		}
	}
	return uint64(l.Cur), uint64(l.Max), nil
}
