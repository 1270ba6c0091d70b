#pragma once
// One relayed connection: TLS handshake, forward connect, the relay in both directions (TLS pump,
// GED-188 inspection with validate-before-forward) and its audit events. Connections see only a
// narrow environment (ConnectionEnv), not the gateway: their worker's loop, buffer pools and
// scratch buffer, the limits, their listener's metrics and an audit sink. Each connection keeps
// its own handshake deadline and idle timeout on the loop's timers.
//
// Threading: a connection lives on its worker's loop thread.

#include <memory>
#include <string>

#include "gateway/runtime.h"
#include "net/event_loop.h"

namespace ccsec::gateway {

class Connection;

/// Owns connections; told when one has closed (the owner destroys it after the current batch).
class ConnectionOwner {
 public:
  virtual ~ConnectionOwner() = default;
  virtual void remove(Connection* c) = 0;
};

struct ConnectionEnv {
  net::EventLoop& loop;
  BufferPool& pool;        // kBatchSize blocks
  BufferPool& frame_pool;  // ged188::kMaxFrame blocks
  std::uint8_t* scratch;   // kBatchSize bytes, shared by the worker's connections (hot path)
  const Limits& limits;
  const AuditSink& audit;
  ConnectionOwner& owner;
};

class Connection {
 public:
  static std::unique_ptr<Connection> create(ConnectionEnv& env, ListenerState* l,
                                            ListenerMetrics& m, net::Endpoint peer);
  virtual ~Connection() = default;
  /// Server mode: the accepted socket is the TLS side.
  virtual void startServer(net::UniqueFd fd) = 0;
  /// Client mode: the accepted socket is the plaintext side; dials the TLS peer.
  virtual void startClient(net::UniqueFd fd) = 0;
  virtual void shutdownNow(const std::string& why) = 0;
};

}  // namespace ccsec::gateway
