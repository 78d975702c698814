// Package p2p is Accord's network layer: it moves bytes between the
// members of a consortium and knows nothing of what they mean. Decoding,
// signature checks on transactions and votes, and block verification
// belong to the caller (mempool, consensus, node).
//
// # Identity
//
// A node's libp2p identity is its secp256k1 validator key, so its peer ID
// embeds the same public key as its Ethereum-style chain address.
// PeerAddress maps a peer ID back to that address; PeerIDFromKey goes the
// other way. Every decision the package takes about a peer is taken on its
// address.
//
// # Membership
//
// A Host listens on TCP (Noise or TLS 1.3 security, yamux multiplexing),
// on QUIC v1 (TLS 1.3 and streams built in), or on both (Config.ListenAddr
// takes a comma-separated list); it dials either. It admits a connection
// only if the peer's address is on the allow-list (Config.AllowList,
// replaceable with SetAllowList) and not blocked with Block. The connection
// gater, the same for both transports, checks a peer before dialling it and
// right after the security handshake, the first moment an inbound peer is
// authenticated, and logs each refusal with the peer, its address and the
// reason. A stranger therefore never reaches gossip or sync.
//
// Bootstrap peers (Config.Bootstrap) are dialled at start and redialled
// with exponential backoff whenever they drop. Block and Unblock cut and
// heal links for fault-injection tests.
//
// Before the handshake an inbound connection is only an IP, and libp2p's
// resource manager admits a few dozen such connections at a time; a flood
// of strangers that never finish the handshake would keep a validator
// dialling in out with them. Members keep a reserve (reserve.go): the
// resource manager's allowlist holds, bound to its peer ID, every IP known
// for an allow-listed peer (from Bootstrap, AddPeer, Connect, and the
// connections it made), so its connections use scopes of their own when
// the ordinary ones are full; the connection manager never trims them.
//
// # Gossip
//
// Two gossipsub topics, namespaced by chain ID: TopicTxs
// ("/accord/<chain>/txs/2") and TopicConsensus
// ("/accord/<chain>/consensus/2"), each on a gossipsub instance of its own
// ("txmesh", "consmesh"), so a consensus message never queues behind
// transaction batches. The gossipsub protocol IDs are namespaced too, so a
// chain's mesh never mixes with another network. Messages carry no libp2p
// author or signature (StrictNoSign): every payload is signed already (a
// transaction by its sender, a consensus message by its validator) and
// the topic's Decoder verifies that signature before the message is used
// or relayed, so libp2p's secp256k1 signature over the whole message would
// authenticate nothing more. The peer that delivered a message,
// authenticated by the transport and required to be on the allow-list,
// answers for it and is the one the Handler is told of; an honest node
// relays only what its Decoder accepted, and the Decoders are stateless, so
// an honest relay is never the one blamed for a forgery. Messages are named
// by the SHA-256 of their data; a consensus message is sent behind an
// 8-byte sequence number the host strips again, since the engine re-sends
// its messages byte for byte. A host does not receive its own messages.
//
// Version 1 of both topics ("/txs/1", "/consensus/1") is the previous
// release's: signed by the author's host key (StrictSign) on the "meshsub"
// instance, a message there names its author, and one authored outside
// the allow-list is dropped even when a member relays it. A host still
// joins both and delivers what arrives there, and while some peer is
// subscribed to "/consensus/1" but not "/consensus/2" (a node not yet
// upgraded) it publishes each consensus message there too, signed; with no
// such peer it publishes nothing there. Transaction batches are not
// published on "/txs/1": an older node receives an upgraded node's
// transactions in blocks.
//
// The caller's Validator (SetValidator) runs before a message is delivered
// or relayed, so undecodable or badly signed messages stop at the first
// honest hop. A Decoder (SetDecoder) is a Validator that also hands what
// it decoded to SubscribeDecoded handlers, so each message is decoded
// once.
//
// The mesh is tuned for a small, fully connected set: the mesh degree
// covers (almost) every member, the heartbeat is 100 ms and own messages
// are flooded to every subscribed peer. Messages may be up to
// Config.MaxMessageSize (16 MiB by default) because a VIEW-CHANGE or a
// DECISION carries a whole block (a PRE-PREPARE carries transaction hashes).
//
// Gossip is best effort: a message published while a peer is disconnected
// or not yet subscribed is lost for it. WaitTopicPeers waits for
// subscribers; consensus must retransmit on its own timers, and a node that
// fell behind catches up with block sync.
//
// # Direct messages
//
// SendTo sends one message of a topic to one connected peer on a stream of
// its own ("/accord/<chain>/direct/1"), for what only that peer needs (a
// decided block for a validator still voting on its height). The topic's
// Decoder checks it as it checks gossip; HandleDirect receives it.
//
// # Transaction gossip
//
// TxGossip (txgossip.go) runs TopicTxs for a node: it publishes the
// transactions the node's mempool admitted in batches, re-publishes stale
// ones on a node outside the validator set, checks a random sample of
// signatures in every batch before relaying it, and ignores for a while a
// member caught gossiping forgeries (txpenalty.go). It knows raw
// transactions and signatures, never what a transaction does.
//
// # Block sync
//
// A request/response stream protocol ("/accord/<chain>/sync/1"). The
// serving side reads a BlockSource; the requesting side calls PeerHeight or
// PeerHeights to choose a peer and FetchBlocks for a range. Frames are
// length-prefixed, size-checked before allocation and bounded by stream
// deadlines; a response holds at most MaxSyncBlocks blocks and
// MaxSyncResponseBytes. Blocks and certificates come back unverified.
//
// The same protocol carries transaction fetch (txfetch.go): a node
// rebuilding a compact proposal asks a peer for the bodies of up to
// MaxTxFetchHashes transaction hashes; the peer answers from its TxSource
// (SetTxSource), at most MaxTxFetchBytes per response. Here each body is
// checked against the hash it was asked for (the only case where p2p looks
// inside what it moves: a hash check needs no meaning), and a peer that
// served a forged one is not asked again for a minute.
//
// # Metrics
//
// Stats returns counters (peers, bytes in and out, messages per topic,
// sync); Collector exposes them to Prometheus, registered automatically
// when Config.Registerer is set.
package p2p
