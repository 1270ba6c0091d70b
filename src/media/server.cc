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

#include "yaml/walker.h"

namespace ccsec::media {

core::Result<void> loadServerConfig(const std::string& path, ServerConfig& config) {
  // The schema: the settings of the command-line flags. srtp_for is an older spelling of
  // srtp-for. Read by the strict YAML walker: unknown or repeated keys, wrong types and
  // out-of-range numbers are "FILE:LINE:COL: key: expected …, found …".
  static const yaml::KeyTable kKeys{{"interface"}, {"listen-ng"}, {"listen-http"}, {"ng-allow"},
                                    {"port-min"},  {"port-max"},  {"num-threads"}, {"timeout"},
                                    {"srtp-for"},  {"srtp_for"},  {"packet-path"}};
  auto text = yaml::readFileText(path);
  if (!text) return text.error();
  ServerConfig next = config;
  auto read = yaml::readDocument(*text, path, [&next](yaml::Walker& w, const yaml::Node& root) {
    auto f = w.map(root, "", kKeys);
    if (!f) return;
    auto endpoint = [&w, &f](const char* key, std::string& host, std::uint16_t& port) {
      auto s = w.str((*f)[key], key);
      if (!s) return;
      auto hp = parseHostPort(*s);
      if (!hp)
        w.error((*f)[key], key, hp.error().message);
      else
        std::tie(host, port) = *hp;
    };
    if (auto s = w.str((*f)["interface"], "interface")) next.relay.interface = *s;
    endpoint("listen-ng", next.ngHost, next.ngPort);
    endpoint("listen-http", next.httpHost, next.httpPort);
    if (f->has("ng-allow")) {
      const yaml::Node list = (*f)["ng-allow"];
      auto items = w.seq(list, "ng-allow");
      if (items.empty() && (list.IsNull() || list.IsSequence()))
        w.error(list, "ng-allow",
                "expected a non-empty list of CIDRs, found " +
                    std::string(list.IsNull() ? "null" : "an empty sequence"));
      next.ngAllow.clear();
      for (std::size_t i = 0; i < items.size(); ++i) {
        auto s = w.str(items[i], yaml::indexPath("ng-allow", i));
        if (!s) continue;
        auto c = core::Cidr::parse(*s);
        if (!c)
          w.error(items[i], yaml::indexPath("ng-allow", i),
                  "expected a CIDR (ADDRESS/PREFIX), found " + yaml::quote(*s));
        else
          next.ngAllow.push_back(*c);
      }
    }
    if (auto v = w.port((*f)["port-min"], "port-min")) next.relay.portMin = *v;
    if (auto v = w.port((*f)["port-max"], "port-max")) next.relay.portMax = *v;
    if (auto v = w.integer((*f)["num-threads"], "num-threads", 0, 64))  // 0 = one per core
      next.relay.threads = static_cast<unsigned>(*v);
    if (auto v = w.str((*f)["packet-path"], "packet-path")) {
      auto p = net::parsePacketPath(*v);
      if (!p)
        w.error((*f)["packet-path"], "packet-path", p.error().message);
      else
        next.relay.packetPath = *p;
    }
    if (auto v = w.integer((*f)["timeout"], "timeout", 1, 86400))
      next.relay.silentTimeout = std::chrono::seconds(*v);
    if (f->has("srtp-for") && f->has("srtp_for"))
      w.error((*f)["srtp_for"], "srtp_for",
              "expected one of srtp-for|srtp_for (the same setting), found both");
    for (const char* key : {"srtp-for", "srtp_for"})
      if (f->has(key)) next.relay.srtpFor = w.strList((*f)[key], key);
  });
  if (!read) return read.error();
  config = std::move(next);
  return {};
}

}  // namespace ccsec::media
