package webhook

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// Results counted in accord_webhook_deliveries_total.
const (
	ResultDelivered = "delivered" // an attempt was acknowledged (2xx)
	ResultRetry     = "retry"     // an attempt failed; another is scheduled
	ResultFailed    = "failed"    // an attempt failed and the retry window is over
	ResultDropped   = "dropped"   // refused at enqueue: the endpoint's queue was full
)

type metrics struct {
	deliveries *prometheus.CounterVec
	pending    prometheus.Gauge
	latency    prometheus.Histogram
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "accord_webhook_deliveries_total",
			Help: "Webhook delivery attempts and refusals, by result (delivered, retry, failed, dropped).",
		}, []string{"result"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "accord_webhook_pending",
			Help: "Webhook deliveries waiting to be acknowledged, over all endpoints.",
		}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "accord_webhook_attempt_seconds",
			Help:    "Duration of one webhook HTTP attempt.",
			Buckets: prometheus.ExponentialBuckets(0.001, 2, 15),
		}),
	}
	for _, r := range []string{ResultDelivered, ResultRetry, ResultFailed, ResultDropped} {
		m.deliveries.WithLabelValues(r) // export zeros, so rates work from the start
	}
	if reg == nil {
		return m, nil
	}
	var err error
	m.deliveries, err = register(reg, m.deliveries)
	if err != nil {
		return nil, err
	}
	if m.pending, err = register(reg, m.pending); err != nil {
		return nil, err
	}
	if m.latency, err = register(reg, m.latency); err != nil {
		return nil, err
	}
	return m, nil
}

// register registers c, or returns the collector already registered under
// its name: an engine reopened in the same process keeps counting into it.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) (C, error) {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing, nil
			}
		}
		return c, err
	}
	return c, nil
}
