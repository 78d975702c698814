package p2p

import "errors"

// Sentinel errors. Callers test them with errors.Is; the p2p layer wraps
// them with the peer, topic or height they concern.
var (
	// ErrInvalidConfig reports a Config that cannot start a host.
	ErrInvalidConfig = errors.New("p2p: invalid config")
	// ErrClosed is returned by every method called after Close.
	ErrClosed = errors.New("p2p: host closed")
	// ErrBadPeerID reports a peer ID that does not carry a secp256k1 public
	// key, so no chain address can be derived from it.
	ErrBadPeerID = errors.New("p2p: peer ID is not a secp256k1 key")
	// ErrNotAllowed reports a peer outside the consortium allow-list, or one
	// blocked by Block.
	ErrNotAllowed = errors.New("p2p: peer not allowed")
	// ErrRefused reports a peer that closed the connection right after the
	// handshake: its gater refused this host (it is not on the peer's
	// allow-list, or the peer blocked it).
	ErrRefused = errors.New("p2p: connection refused by peer")
	// ErrNotConnected reports a request to a peer this host has no
	// connection to.
	ErrNotConnected = errors.New("p2p: peer not connected")
	// ErrUnknownTopic reports a Topic value that is not TopicTxs or
	// TopicConsensus.
	ErrUnknownTopic = errors.New("p2p: unknown topic")
	// ErrMessageTooLarge reports a gossip message above Config.MaxMessageSize.
	ErrMessageTooLarge = errors.New("p2p: message too large")
	// ErrRejected is returned by Publish when the topic's own validator
	// refuses the data: a message this node would drop from others is not
	// sent either.
	ErrRejected = errors.New("p2p: message rejected by validator")

	// ErrBadRequest reports a block-sync request that cannot be served
	// (from > to), locally or as reported by the remote peer.
	ErrBadRequest = errors.New("p2p: bad sync request")
	// ErrUnavailable reports that the peer does not have the first block
	// requested (it is behind, pruned, or serves no blocks).
	ErrUnavailable = errors.New("p2p: blocks unavailable at peer")
	// ErrBusy reports that the peer is serving too many sync requests.
	ErrBusy = errors.New("p2p: peer busy")
	// ErrRemote reports any other failure the serving peer reported.
	ErrRemote = errors.New("p2p: remote error")
	// ErrMalformed reports a sync frame that breaks the wire format or the
	// protocol (wrong kind, bad length, heights out of order, too many
	// blocks).
	ErrMalformed = errors.New("p2p: malformed sync message")
	// ErrFrameTooLarge reports a sync frame (or response) above its size
	// limit; it is always wrapped together with ErrMalformed.
	ErrFrameTooLarge = errors.New("p2p: sync frame too large")
	// ErrPenalized reports a transaction fetch from a peer that served a
	// forged body recently (FetchTxs does not ask it for a while).
	ErrPenalized = errors.New("p2p: peer penalized for a forged transaction body")
)
