package webhook

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/accordnet/accord/ledger/kv"
)

// Doer sends one HTTP request; *http.Client is one.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Retry is the backoff schedule.
type Retry struct {
	// Delays[i] is the wait after the (i+1)-th failed attempt; the last
	// one repeats.
	Delays []time.Duration
	// MaxAge ends retrying: a delivery whose next attempt would fall more
	// than MaxAge after it was queued (or redelivered) is marked failed.
	MaxAge time.Duration
}

// DefaultRetry: 10 s, 1 min, 5 min, 30 min, 1 h, 2 h, 4 h, 8 h, then every
// 12 h, for 3 days (13 attempts).
func DefaultRetry() Retry {
	return Retry{
		Delays: []time.Duration{10 * time.Second, time.Minute, 5 * time.Minute, 30 * time.Minute,
			time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 12 * time.Hour},
		MaxAge: 72 * time.Hour,
	}
}

func (r Retry) delay(failures int) time.Duration {
	i := min(failures-1, len(r.Delays)-1)
	return r.Delays[max(i, 0)]
}

// Config configures Open. Only Store is required.
type Config struct {
	// Store holds endpoints, deliveries and the queue, under Prefix.
	Store kv.DB
	// Prefix namespaces the keys; default "webhook/".
	Prefix string
	// Clock defaults to SystemClock.
	Clock Clock
	// HTTP sends deliveries. The default does not follow redirects (a 3xx
	// is a failed attempt: an endpoint must not bounce the node's requests
	// elsewhere) and keeps Workers idle connections per host.
	HTTP Doer
	// Registerer receives the metrics; nil registers nothing.
	Registerer prometheus.Registerer
	// Logger defaults to discarding.
	Logger *slog.Logger
	// Retry defaults to DefaultRetry.
	Retry Retry
	// AttemptTimeout bounds one HTTP attempt, response included; default 10 s.
	AttemptTimeout time.Duration
	// Workers bounds concurrent deliveries; default 8.
	Workers int
	// MaxInflightPerEndpoint bounds concurrent deliveries to one endpoint;
	// default 2.
	MaxInflightPerEndpoint int
	// MaxPendingPerEndpoint bounds the deliveries waiting per endpoint;
	// default 10,000. Over it, new events are recorded as dropped.
	MaxPendingPerEndpoint int
	// MaxEndpoints bounds registered endpoints; default 64.
	MaxEndpoints int
	// MaxLogPerEndpoint bounds the delivery records kept per endpoint;
	// default 10,000 (never fewer than MaxPendingPerEndpoint+1).
	MaxLogPerEndpoint int
	// MaxBodyBytes bounds an event's Data; default 256 KiB.
	MaxBodyBytes int
	// OnAttempt, if set, is called after each attempt's outcome is stored,
	// from the delivering goroutine; it must not block for long.
	OnAttempt func(AttemptReport)
}

// AttemptReport describes one finished attempt.
type AttemptReport struct {
	EndpointID string
	EventID    string
	Attempt    Attempt
	State      State     // the delivery's state after the attempt
	NextAt     time.Time // when pending: the next attempt
}

func (c Config) withDefaults() (Config, error) {
	if c.Store == nil {
		return c, fmt.Errorf("%w: no store", ErrInvalidConfig)
	}
	if c.Prefix == "" {
		c.Prefix = "webhook/"
	}
	if c.Clock == nil {
		c.Clock = SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if len(c.Retry.Delays) == 0 && c.Retry.MaxAge == 0 {
		c.Retry = DefaultRetry()
	}
	if len(c.Retry.Delays) == 0 || c.Retry.MaxAge <= 0 {
		return c, fmt.Errorf("%w: retry needs delays and a max age", ErrInvalidConfig)
	}
	for _, d := range c.Retry.Delays {
		if d <= 0 {
			return c, fmt.Errorf("%w: retry delay %s", ErrInvalidConfig, d)
		}
	}
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.Workers, 8)
	def(&c.MaxInflightPerEndpoint, 2)
	def(&c.MaxPendingPerEndpoint, 10_000)
	def(&c.MaxEndpoints, 64)
	def(&c.MaxLogPerEndpoint, 10_000)
	def(&c.MaxBodyBytes, 256<<10)
	c.MaxLogPerEndpoint = max(c.MaxLogPerEndpoint, c.MaxPendingPerEndpoint+1)
	if c.AttemptTimeout <= 0 {
		c.AttemptTimeout = 10 * time.Second
	}
	if c.HTTP == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.MaxIdleConnsPerHost = c.Workers
		c.HTTP = &http.Client{
			Transport: tr,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	return c, nil
}
