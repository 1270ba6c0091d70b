#include "net/http_server.h"

#include <microhttpd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <optional>
#include <unordered_set>

namespace ccsec::net {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    };
    return lower(x) == lower(y);
  });
}

HttpResponse plain(unsigned status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

}  // namespace

std::string_view HttpRequest::header(std::string_view name) const {
  for (const auto& [k, v] : headers)
    if (equalsIgnoreCase(k, name)) return v;
  return {};
}

struct Conn;

/// Shared between the connection (loop thread) and the HttpReply (any thread).
struct HttpReply::State {
  std::weak_ptr<HttpServer::Impl> server;
  std::mutex mu;
  bool inHandler = false;                // guarded by mu
  std::optional<HttpResponse> response;  // guarded by mu
  // Loop thread only:
  Conn* conn = nullptr;  // null once the request is finished or the connection closed
  bool suspended = false;
};

struct Conn {
  MHD_Connection* mhd = nullptr;
  int fd = -1;
  EventLoop::TimerId deadline = 0;
  std::shared_ptr<HttpReply::State> pending;  // a request waiting for its handler's reply
};

struct Route {
  HttpHandler handler;
  std::vector<std::string> methods;
};

/// Per request (MHD's con_cls).
struct Req {
  HttpRequest request;
  const Route* route = nullptr;
  bool dispatched = false;
  bool tooLarge = false;
  std::optional<HttpResponse> immediate;
  std::shared_ptr<HttpReply::State> reply;
};

struct HttpServer::Impl : IoHandler, std::enable_shared_from_this<HttpServer::Impl> {
  Impl(EventLoop& l, const HttpLimits& lim) : loop(l), limits(lim) {}
  ~Impl() override { close(); }

  EventLoop& loop;
  HttpLimits limits;
  MHD_Daemon* daemon = nullptr;
  int epollFd = -1;
  EventLoop::TimerId mhdTimer = 0;
  std::map<std::string, Route, std::less<>> routes;
  std::unordered_set<Conn*> conns;
  bool closedInRun = false;
  HttpStats stats;

  void onIo(std::uint32_t) override { drive(); }

  void drive() {
    if (daemon == nullptr) return;
    // A run that closed connections may have to re-arm the listening socket (MHD stops polling
    // it at the connection cap and re-adds it at the start of a run): run again until quiet.
    for (int i = 0; i < 4; ++i) {
      closedInRun = false;
      MHD_run(daemon);
      if (!closedInRun) break;
    }
    armTimer();
  }

  void armTimer() {
    if (mhdTimer != 0) loop.cancel(mhdTimer);
    mhdTimer = 0;
    MHD_UNSIGNED_LONG_LONG ms = 0;
    if (MHD_get_timeout(daemon, &ms) != MHD_YES) return;
    mhdTimer = loop.runAfter(std::chrono::milliseconds(ms), [this] {
      mhdTimer = 0;
      drive();
    });
  }

  void armDeadline(Conn* c) {
    if (c->deadline != 0) loop.cancel(c->deadline);
    c->deadline = loop.runAfter(limits.requestDeadline, [this, c] {
      c->deadline = 0;
      expire(c);
    });
  }

  // The whole-request deadline passed: answer a waiting handler's request 503, otherwise cut the
  // socket (MHD closes the connection when it next sees it).
  void expire(Conn* c) {
    stats.deadlineExpired.fetch_add(1, std::memory_order_relaxed);
    if (c->pending && c->pending->suspended) {
      auto st = c->pending;
      {
        std::lock_guard lock(st->mu);
        st->response = plain(503, "deadline passed\n");
      }
      resume(*st);
    } else {
      ::shutdown(c->fd, SHUT_RDWR);
    }
    drive();
  }

  void resume(HttpReply::State& st) {
    if (!st.suspended || st.conn == nullptr) return;
    st.suspended = false;
    MHD_resume_connection(st.conn->mhd);
  }

  // A reply arrived (loop thread).
  void deliver(const std::shared_ptr<HttpReply::State>& st, HttpResponse r) {
    if (st->conn == nullptr) return;  // the request is gone (deadline, closed connection)
    {
      std::lock_guard lock(st->mu);
      if (st->response) return;  // already answered (deadline)
      st->response = std::move(r);
    }
    resume(*st);
    drive();
  }

  void close() {
    if (daemon == nullptr) return;
    loop.remove(epollFd);
    if (mhdTimer != 0) loop.cancel(mhdTimer);
    mhdTimer = 0;
    // MHD must not be stopped with suspended connections: answer them first.
    bool resumed = false;
    for (Conn* c : conns) {
      if (c->pending && c->pending->suspended) {
        {
          std::lock_guard lock(c->pending->mu);
          if (!c->pending->response) c->pending->response = plain(503, "shutting down\n");
        }
        resume(*c->pending);
        resumed = true;
      }
    }
    if (resumed) MHD_run(daemon);
    MHD_stop_daemon(daemon);
    daemon = nullptr;
    for (Conn* c : conns) {
      if (c->deadline != 0) loop.cancel(c->deadline);
      delete c;
    }
    conns.clear();
  }

  static MHD_Result queue(MHD_Connection* connection, const HttpResponse& r) {
    MHD_Response* resp = MHD_create_response_from_buffer(
        r.body.size(), const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
    if (resp == nullptr) return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.contentType.c_str());
    for (const auto& [k, v] : r.headers) MHD_add_response_header(resp, k.c_str(), v.c_str());
    const MHD_Result ret = MHD_queue_response(connection, r.status, resp);
    MHD_destroy_response(resp);
    return ret;
  }

  static MHD_Result collectHeader(void* cls, MHD_ValueKind, const char* key, const char* value) {
    auto* req = static_cast<Req*>(cls);
    req->request.headers.emplace_back(key ? key : "", value ? value : "");
    return MHD_YES;
  }

  MHD_Result access(MHD_Connection* connection, const char* url, const char* method,
                    const char* upload, std::size_t* uploadSize, void** reqCls) {
    auto* req = static_cast<Req*>(*reqCls);
    if (req == nullptr) {  // headers complete: the first call for this request
      req = new Req();
      *reqCls = req;
      stats.requests.fetch_add(1, std::memory_order_relaxed);
      req->request.method = method;
      req->request.path = url;
      if (const auto* ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
          ci != nullptr && ci->client_addr != nullptr) {
        const sockaddr* sa = ci->client_addr;
        req->request.peer = Endpoint::fromSockaddr(
            sa, sa->sa_family == AF_INET6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
      }
      MHD_get_connection_values(connection, MHD_HEADER_KIND, &Impl::collectHeader, req);
      auto it = routes.find(req->request.path);
      if (it == routes.end()) {
        req->immediate = plain(404, "not found\n");
      } else if (std::find(it->second.methods.begin(), it->second.methods.end(),
                           req->request.method) == it->second.methods.end()) {
        req->immediate = plain(405, "method not allowed\n");
      } else {
        req->route = &it->second;
        // A declared body larger than the cap is refused before a byte of it is read.
        const auto cl = req->request.header("Content-Length");
        std::size_t declared = 0;
        for (char ch : cl) {
          if (ch < '0' || ch > '9' || declared > limits.maxBodyBytes) break;
          declared = declared * 10 + static_cast<std::size_t>(ch - '0');
        }
        if (declared > limits.maxBodyBytes) req->tooLarge = true;
      }
      if (req->tooLarge) {
        stats.bodyTooLarge.fetch_add(1, std::memory_order_relaxed);
        return queue(connection, plain(413, "request body too large\n"));
      }
      return MHD_YES;
    }
    if (*uploadSize != 0) {  // body bytes
      if (req->route != nullptr && !req->tooLarge) {
        if (req->request.body.size() + *uploadSize > limits.maxBodyBytes) {
          req->tooLarge = true;
          stats.bodyTooLarge.fetch_add(1, std::memory_order_relaxed);
          std::string().swap(req->request.body);
        } else {
          req->request.body.append(upload, *uploadSize);
        }
      }
      *uploadSize = 0;
      return MHD_YES;
    }
    // The request is complete (or resumed after its handler replied).
    if (req->immediate) return queue(connection, *req->immediate);
    if (req->tooLarge) return queue(connection, plain(413, "request body too large\n"));
    if (!req->dispatched) {
      req->dispatched = true;
      auto* ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
      Conn* conn = ci != nullptr ? static_cast<Conn*>(ci->socket_context) : nullptr;
      auto st = std::make_shared<HttpReply::State>();
      st->server = weak_from_this();
      st->conn = conn;
      req->reply = st;
      if (conn != nullptr) conn->pending = st;
      {
        std::lock_guard lock(st->mu);
        st->inHandler = true;
      }
      req->route->handler(req->request, HttpReply(st));
      std::lock_guard lock(st->mu);
      st->inHandler = false;
      if (!st->response) {  // the handler answers later
        st->suspended = true;
        MHD_suspend_connection(connection);
        return MHD_YES;
      }
    }
    std::optional<HttpResponse> r;
    {
      std::lock_guard lock(req->reply->mu);
      r = req->reply->response;
    }
    return queue(connection, r ? *r : plain(500, "no response\n"));
  }

  void completed(void** reqCls) {
    auto* req = static_cast<Req*>(*reqCls);
    if (req == nullptr) return;
    *reqCls = nullptr;
    if (req->reply) {
      Conn* c = req->reply->conn;
      req->reply->conn = nullptr;
      if (c != nullptr && c->pending == req->reply) {
        c->pending.reset();
        armDeadline(c);  // the next request on a kept-alive connection gets a fresh deadline
      }
    }
    delete req;
  }

  void connection(MHD_Connection* connection, void** socketCtx,
                  MHD_ConnectionNotificationCode what) {
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
      auto* c = new Conn();
      c->mhd = connection;
      if (const auto* ci = MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CONNECTION_FD))
        c->fd = ci->connect_fd;
      *socketCtx = c;
      conns.insert(c);
      armDeadline(c);
      return;
    }
    auto* c = static_cast<Conn*>(*socketCtx);
    if (c == nullptr) return;
    *socketCtx = nullptr;
    if (c->deadline != 0) loop.cancel(c->deadline);
    if (c->pending) c->pending->conn = nullptr;
    conns.erase(c);
    closedInRun = true;
    delete c;
  }
};

HttpReply& HttpReply::operator=(HttpReply&& other) noexcept {
  if (this != &other) {
    if (state_) send(plain(500, "no response\n"));
    state_ = std::move(other.state_);
  }
  return *this;
}

HttpReply::~HttpReply() {
  if (state_) send(plain(500, "no response\n"));
}

void HttpReply::send(HttpResponse response) {
  if (!state_) return;
  auto st = std::move(state_);
  {
    std::lock_guard lock(st->mu);
    if (st->inHandler) {  // replied inline (or from another thread while the handler runs)
      if (!st->response) st->response = std::move(response);
      return;
    }
  }
  auto server = st->server.lock();
  if (!server) return;
  server->loop.post([weak = st->server, st, r = std::move(response)]() mutable {
    if (auto s = weak.lock()) s->deliver(st, std::move(r));
  });
}

core::Result<std::unique_ptr<HttpServer>> HttpServer::create(EventLoop& loop, UniqueFd listener,
                                                             const HttpLimits& limits) {
  auto local = localEndpoint(listener.get());
  if (!local) return local.error();
  auto impl = std::make_shared<Impl>(loop, limits);
  const auto deadlineS = static_cast<unsigned>(
      std::chrono::ceil<std::chrono::seconds>(limits.requestDeadline).count() + 1);
  using AccessFn = MHD_Result (*)(void*, MHD_Connection*, const char*, const char*, const char*,
                                  const char*, std::size_t*, void**);
  AccessFn access = [](void* cls, MHD_Connection* c, const char* url, const char* method,
                       const char*, const char* upload, std::size_t* size, void** reqCls) {
    return static_cast<Impl*>(cls)->access(c, url, method, upload, size, reqCls);
  };
  MHD_RequestCompletedCallback done = [](void* cls, MHD_Connection*, void** reqCls,
                                         MHD_RequestTerminationCode) {
    static_cast<Impl*>(cls)->completed(reqCls);
  };
  MHD_NotifyConnectionCallback notify = [](void* cls, MHD_Connection* c, void** socketCtx,
                                           MHD_ConnectionNotificationCode what) {
    static_cast<Impl*>(cls)->connection(c, socketCtx, what);
  };
  const int fd = listener.release();  // MHD owns and closes it
  impl->daemon = MHD_start_daemon(
      MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME, 0, nullptr, nullptr, access, impl.get(),
      MHD_OPTION_LISTEN_SOCKET, fd, MHD_OPTION_CONNECTION_LIMIT, limits.maxConnections,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, limits.maxConnectionsPerAddress,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, limits.maxHeaderBytes, MHD_OPTION_CONNECTION_TIMEOUT,
      deadlineS, MHD_OPTION_NOTIFY_COMPLETED, done, impl.get(), MHD_OPTION_NOTIFY_CONNECTION,
      notify, impl.get(), MHD_OPTION_STRICT_FOR_CLIENT, 1, MHD_OPTION_END);
  if (impl->daemon == nullptr) {
    ::close(fd);
    return core::runtimeError("http: cannot start the HTTP endpoint on " + local->str());
  }
  const auto* info = MHD_get_daemon_info(impl->daemon, MHD_DAEMON_INFO_EPOLL_FD);
  if (info == nullptr) return core::runtimeError("http: no epoll descriptor from libmicrohttpd");
  impl->epollFd = info->epoll_fd;
  if (auto r = loop.add(impl->epollFd, EPOLLIN, impl.get()); !r) return r.error();
  impl->armTimer();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl), *local));
}

core::Result<std::unique_ptr<HttpServer>> HttpServer::listen(EventLoop& loop, const Endpoint& at,
                                                             const HttpLimits& limits) {
  auto fd = listenTcp(at, false, 64);
  if (!fd) return fd.error();
  return create(loop, std::move(*fd), limits);
}

HttpServer::~HttpServer() {
  if (impl_) impl_->close();
}

void HttpServer::route(std::string path, HttpHandler handler, std::vector<std::string> methods) {
  impl_->routes[std::move(path)] = Route{std::move(handler), std::move(methods)};
}

const HttpStats& HttpServer::stats() const { return impl_->stats; }

}  // namespace ccsec::net
