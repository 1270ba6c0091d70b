#pragma once
// One HTTP/1.1 endpoint for every runtime service (media and gateway /metrics, authd), driven by
// a net::EventLoop of the caller's choosing. HTTP parsing is GNU libmicrohttpd's (no internal
// thread, epoll mode): its epoll fd is registered in the loop, MHD_run() runs on readiness and on
// a loop timer armed from MHD_get_timeout(), so every callback runs on the loop thread.
//
// Limits (HttpLimits): a whole-request deadline measured from the connection's accept (and from
// the end of the previous response on a kept-alive connection): when it passes, the socket is
// shut down (a request still being read or written) or the request is answered 503 (a handler
// that has not replied yet); a cap on concurrent connections and on connections per source
// address (refused at accept); the request line plus headers are bounded by the per-connection
// memory pool (431/413 past it) and the body by maxBodyBytes (413).
//
// Handlers are registered per path (exact match on the path without the query) with the methods
// they accept (404 for an unknown path, 405 for another method). A handler receives the request
// and an HttpReply; it may reply inline or keep the HttpReply and reply later from any thread
// (the connection is suspended meanwhile; authd answers after an LDAP round trip). An HttpReply
// dropped without a reply answers 500. Nothing of a request (path, header or body bytes) is ever
// logged by this class.
//
// Threading: create() and the destructor run on the loop thread (or before/after run()); handlers
// run on the loop thread; HttpReply::send() is thread-safe. stats() is readable from any thread.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "net/event_loop.h"
#include "net/socket.h"

namespace ccsec::net {

struct HttpLimits {
  std::chrono::milliseconds requestDeadline{2000};
  unsigned maxConnections = 32;
  unsigned maxConnectionsPerAddress = 4;
  /// Per-connection memory for the request line, headers and MHD's read buffer.
  std::size_t maxHeaderBytes = 16 * 1024;
  /// Largest request body accepted (0: a request with a body is refused with 413).
  std::size_t maxBodyBytes = 0;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string path;    // without the query string
  Endpoint peer;
  std::vector<std::pair<std::string, std::string>> headers;  // as received (names as sent)
  std::string body;
  /// First header named `name` (case-insensitive), or empty.
  std::string_view header(std::string_view name) const;
};

struct HttpResponse {
  unsigned status = 200;
  std::string contentType = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

struct HttpStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> deadlineExpired{0};  // connections shut down or answered 503
  std::atomic<std::uint64_t> bodyTooLarge{0};
};

class HttpServer;

/// The answer to one request. Move-only; send() at most once, from any thread.
class HttpReply {
 public:
  struct State;
  HttpReply() = default;
  explicit HttpReply(std::shared_ptr<State> s) : state_(std::move(s)) {}
  HttpReply(HttpReply&&) noexcept = default;
  HttpReply& operator=(HttpReply&&) noexcept;
  HttpReply(const HttpReply&) = delete;
  HttpReply& operator=(const HttpReply&) = delete;
  ~HttpReply();  // unanswered: 500
  void send(HttpResponse response);

 private:
  std::shared_ptr<State> state_;
};

using HttpHandler = std::function<void(const HttpRequest&, HttpReply)>;

class HttpServer {
 public:
  /// Serves on `listener` (a listening TCP socket, e.g. from listenTcp) from `loop`.
  static core::Result<std::unique_ptr<HttpServer>> create(EventLoop& loop, UniqueFd listener,
                                                          const HttpLimits& limits = {});
  /// Binds `at` (port 0: any free port) and serves on it.
  static core::Result<std::unique_ptr<HttpServer>> listen(EventLoop& loop, const Endpoint& at,
                                                          const HttpLimits& limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Registers `handler` for `path` (exact match) and `methods`. Loop thread only.
  void route(std::string path, HttpHandler handler,
             std::vector<std::string> methods = {"GET", "HEAD"});
  const Endpoint& local() const { return local_; }
  const HttpStats& stats() const;

  struct Impl;

 private:
  explicit HttpServer(std::shared_ptr<Impl> impl, Endpoint local)
      : impl_(std::move(impl)), local_(std::move(local)) {}
  std::shared_ptr<Impl> impl_;
  Endpoint local_;
};

}  // namespace ccsec::net
