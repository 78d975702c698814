// Package netflood is the handshake flood the p2p and testnet tests turn
// on a node: silent TCP connections from one loopback address that hold
// its pre-handshake slots, and a probe that tells when they are full.
package netflood

import (
	"context"
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// Flood keeps n raw TCP connections to addr open from src, each saying
// nothing (so it holds a pre-handshake slot until the host gives up on
// it) and redialled as soon as the host drops it, until ctx ends. It
// returns the number of dials made so far and a wait for its goroutines,
// which the caller runs after ending ctx.
func Flood(ctx context.Context, src, addr string, n int) (dials *atomic.Int64, wait func()) {
	dials = new(atomic.Int64)
	var wg sync.WaitGroup
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}}
	for range n {
		wg.Go(func() {
			for ctx.Err() == nil {
				c, err := d.DialContext(ctx, "tcp", addr)
				if err != nil {
					if ctx.Err() == nil {
						time.Sleep(20 * time.Millisecond) // backlog full: this is load, not synchronisation
					}
					continue
				}
				dials.Add(1)
				t0 := time.Now()
				stop := context.AfterFunc(ctx, func() { c.Close() })
				_, _ = io.Copy(io.Discard, c)
				stop()
				c.Close()
				if time.Since(t0) < time.Second && ctx.Err() == nil {
					// Dropped at once: the slots are full. Pace the redial so
					// the flood holds them without eating both cores.
					time.Sleep(50 * time.Millisecond)
				}
			}
		})
	}
	return dials, wg.Wait
}

// DroppedAtOnce dials addr from src and reports whether the host closes
// the connection within a second without a word from us; a connection it
// admits waits for the handshake far longer (15 s by default). A failed
// dial (a full backlog) reports false: try again.
func DroppedAtOnce(src, addr string) bool {
	c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(src)}, Timeout: 5 * time.Second}).Dial("tcp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	_, err = c.Read(make([]byte, 1))
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}
