package webhook

import "errors"

// Errors returned by the Engine; they may be wrapped, test with errors.Is.
var (
	ErrClosed           = errors.New("webhook: engine closed")
	ErrEndpointNotFound = errors.New("webhook: endpoint not found")
	ErrDeliveryNotFound = errors.New("webhook: delivery not found")
	ErrInvalidEndpoint  = errors.New("webhook: invalid endpoint")
	ErrInvalidEvent     = errors.New("webhook: invalid event")
	ErrTooManyEndpoints = errors.New("webhook: too many endpoints")
	ErrQueueFull        = errors.New("webhook: endpoint queue full")
	ErrBadCursor        = errors.New("webhook: bad cursor")
	ErrInvalidConfig    = errors.New("webhook: invalid config")
	ErrCorruptRecord    = errors.New("webhook: corrupt record in store")
)
