#include "media/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "core/log.h"
#include "net/event_loop.h"
#include "net/http_server.h"
#include "net/prometheus.h"
#include "net/socket.h"

namespace ccsec::media {

using core::makeError;

core::Result<std::pair<std::string, std::uint16_t>> parseHostPort(const std::string& s) {
  auto e = net::Endpoint::parse(s);
  if (!e) return e.error();
  return std::make_pair(e->host(), e->port());
}

namespace {

const std::vector<core::Cidr>& loopbackNets() {
  static const std::vector<core::Cidr> nets = {*core::Cidr::parse("127.0.0.0/8"),
                                               *core::Cidr::parse("::1/128")};
  return nets;
}

// The source address of a datagram; an IPv4-mapped IPv6 source (a socket bound to "::") is
// judged as the IPv4 address it carries.
std::optional<core::IpAddress> sourceAddress(const sockaddr_storage& from) {
  char text[INET6_ADDRSTRLEN] = {};
  if (from.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(from).sin_addr, text, sizeof text);
  } else if (from.ss_family == AF_INET6) {
    const auto& a6 = reinterpret_cast<const sockaddr_in6&>(from).sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a6))
      ::inet_ntop(AF_INET, &a6.s6_addr[12], text, sizeof text);
    else
      ::inet_ntop(AF_INET6, &a6, text, sizeof text);
  }
  return core::IpAddress::parse(text);
}

}  // namespace

bool isLoopbackHost(const std::string& host) {
  auto ip = core::IpAddress::parse(host);
  if (!ip) return false;
  for (const auto& n : loopbackNets())
    if (n.contains(*ip)) return true;
  return false;
}

class MediaServer::NgSocket : public net::IoHandler {
 public:
  explicit NgSocket(MediaServer& s) : s_(s) {}
  void onIo(std::uint32_t) override { s_.onNgReadable(); }

 private:
  MediaServer& s_;
};

core::Result<std::unique_ptr<MediaServer>> MediaServer::create(const ServerConfig& config) {
  std::unique_ptr<MediaServer> s(new MediaServer());
  s->allow_ = config.ngAllow.empty() ? loopbackNets() : config.ngAllow;
  auto ngAt = net::Endpoint::of(config.ngHost, config.ngPort);
  if (!ngAt) return makeError("--listen-ng: " + ngAt.error().message);
  auto relay = Relay::create(config.relay);
  if (!relay) return relay.error();
  s->relay_ = std::move(*relay);
  s->ng_ = std::make_unique<NgProcessor>(*s->relay_);
  auto ng = net::bindUdp(*ngAt);
  if (!ng) return core::withContext("--listen-ng: ", ng.error());
  s->ngFd_ = std::move(*ng);
  if (auto local = net::localEndpoint(s->ngFd_.get())) s->ngPort_ = local->port();
  s->buf_.resize(65536);
  s->control_ = std::make_unique<net::EventLoop>();
  s->ngHandler_ = std::make_unique<NgSocket>(*s);
  if (auto r = s->control_->add(s->ngFd_.get(), EPOLLIN, s->ngHandler_.get()); !r) return r.error();
  if (config.ngAllow.empty() && !isLoopbackHost(config.ngHost))
    core::logger("media")->warn(
        "the ng control socket is bound to {} without --ng-allow: only loopback sources "
        "are answered; list the signalling servers with --ng-allow CIDR",
        ngAt->str());

  if (!config.httpHost.empty()) {
    auto httpAt = net::Endpoint::of(config.httpHost, config.httpPort);
    if (!httpAt) return makeError("--listen-http: " + httpAt.error().message);
    s->httpLoop_ = std::make_unique<net::EventLoop>();
    auto http = net::HttpServer::listen(*s->httpLoop_, *httpAt);
    if (!http) return core::withContext("--listen-http: ", http.error());
    s->http_ = std::move(*http);
    s->httpPort_ = s->http_->local().port();
    MediaServer* self = s.get();
    s->http_->route("/metrics", [self](const net::HttpRequest&, net::HttpReply reply) {
      net::HttpResponse r;
      r.contentType = std::string(net::PromWriter::kContentType);
      r.body = self->metrics();
      reply.send(std::move(r));
    });
    s->httpThread_ = std::thread([loop = s->httpLoop_.get()] { (void)loop->run(); });
  }
  return s;
}

MediaServer::~MediaServer() {
  if (httpThread_.joinable()) {
    // The HTTP server is destroyed on its own loop thread, then the loop stops.
    httpLoop_->post([this] {
      http_.reset();
      httpLoop_->stop();
    });
    httpThread_.join();
  }
  relay_.reset();  // stops workers first
}

bool MediaServer::allowed(const sockaddr_storage& from) const {
  auto ip = sourceAddress(from);
  if (!ip) return false;
  for (const auto& n : allow_)
    if (n.contains(*ip)) return true;
  return false;
}

void MediaServer::onNgReadable() {
  for (int i = 0; i < 64; ++i) {  // bounded: timers and stop checks still run
    sockaddr_storage from{};
    socklen_t fromLen = sizeof from;
    const ssize_t got = ::recvfrom(ngFd_.get(), buf_.data(), buf_.size(), 0,
                                   reinterpret_cast<sockaddr*>(&from), &fromLen);
    if (got < 0) return;
    if (!allowed(from)) {
      counters_.droppedSource.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    counters_.requests.fetch_add(1, std::memory_order_relaxed);
    const std::string reply =
        ng_->handleDatagram(std::string_view(buf_.data(), static_cast<std::size_t>(got)));
    if (reply.empty()) {
      counters_.droppedCookie.fetch_add(1, std::memory_order_relaxed);
      continue;
    }
    ::sendto(ngFd_.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from),
             fromLen);
  }
}

void MediaServer::run(const std::atomic<bool>& stop, const std::function<void()>& tick) {
  control_->runEvery(std::chrono::milliseconds(100), [this, &stop, &tick] {
    if (stop.load()) control_->stop();
    if (tick) tick();
  });
  (void)control_->run();
}

std::string MediaServer::metrics() const {
  net::PromWriter w;
  relay_->metrics(w);
  using net::MetricType;
  w.family("ccsec_media_ng_requests_total", MetricType::kCounter,
           "ng datagrams accepted from allowed sources.")
      .sample("ccsec_media_ng_requests_total", counters_.requests.load());
  w.family("ccsec_media_ng_dropped_total", MetricType::kCounter,
           "ng datagrams dropped unanswered, by reason.")
      .sample("ccsec_media_ng_dropped_total", {{"reason", "source"}},
              counters_.droppedSource.load())
      .sample("ccsec_media_ng_dropped_total", {{"reason", "cookie"}},
              counters_.droppedCookie.load());
  if (http_) {
    const auto& h = http_->stats();
    w.single("ccsec_media_http_deadline_expired_total", MetricType::kCounter,
             "HTTP connections cut or answered 503 at the request deadline.",
             h.deadlineExpired.load());
  }
  return w.take();
}

}  // namespace ccsec::media

#include <yaml-cpp/yaml.h>

namespace ccsec::media {

core::Result<void> loadServerConfig(const std::string& path, ServerConfig& config) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return makeError(path + ": " + e.what());
  }
  if (!root.IsMap()) return makeError(path + ": expected a mapping of settings");
  try {
    for (const auto& kv : root) {
      const auto key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      const std::string where = path + ":" + std::to_string(kv.first.Mark().line + 1) + ": " + key;
      if (key == "interface") {
        config.relay.interface = v.as<std::string>();
      } else if (key == "listen-ng" || key == "listen-http") {
        auto hp = parseHostPort(v.as<std::string>());
        if (!hp) return makeError(where + ": " + hp.error().message);
        if (key == "listen-ng")
          std::tie(config.ngHost, config.ngPort) = *hp;
        else
          std::tie(config.httpHost, config.httpPort) = *hp;
      } else if (key == "ng-allow") {
        for (const auto& item : v) {
          auto c = core::Cidr::parse(item.as<std::string>());
          if (!c) return makeError(where + ": '" + item.as<std::string>() + "' is not a CIDR");
          config.ngAllow.push_back(*c);
        }
      } else if (key == "port-min") {
        config.relay.portMin = v.as<std::uint16_t>();
      } else if (key == "port-max") {
        config.relay.portMax = v.as<std::uint16_t>();
      } else if (key == "num-threads") {
        config.relay.threads = v.as<unsigned>();
      } else if (key == "packet-path") {
        auto p = net::parsePacketPath(v.as<std::string>());
        if (!p) return makeError(where + ": " + p.error().message);
        config.relay.packetPath = *p;
      } else if (key == "timeout") {
        config.relay.silentTimeout = std::chrono::seconds(v.as<unsigned>());
      } else if (key == "srtp-for" || key == "srtp_for") {
        config.relay.srtpFor = v.as<std::vector<std::string>>();
      } else {
        return makeError(where + ": unknown setting");
      }
    }
  } catch (const YAML::Exception& e) {
    return makeError(path + ": " + e.what());
  }
  return {};
}

}  // namespace ccsec::media
