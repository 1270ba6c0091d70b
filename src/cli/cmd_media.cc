// `ccsec media`: the SRTP media anchor driven over rtpengine's ng protocol.
#include <csignal>
#include <iostream>
#include <sstream>

#include "cli/command.h"
#include "cli/exit.h"
#include "core/log.h"
#include "core/service_notify.h"
#include "media/server.h"
#include "media/srtp.h"

namespace ccsec::cli {
namespace {

std::atomic<bool> gStop{false};
void onSignal(int) { gStop.store(true); }

}  // namespace

void registerMedia(CLI::App& app, int& exit_code) {
  auto* sub =
      app.add_subcommand("media",
                         "Run the SRTP media anchor (rtpengine ng protocol).\n"
                         "Example: ccsec media --interface 127.0.0.1 --listen-ng 127.0.0.1:2223 "
                         "--port-min 30000 --port-max 39999");
  struct Opts {
    std::string interface = "127.0.0.1", listenNg = "127.0.0.1:2223", listenHttp, config;
    std::string packetPath = "auto";
    unsigned portMin = 30000, portMax = 39999, threads = 0, timeout = 60;
    std::vector<std::string> srtpFor, ngAllow;
  };
  auto o = std::make_shared<Opts>();
  auto* optInterface =
      sub->add_option("--interface", o->interface, "Address to bind and advertise");
  auto* optNg = sub->add_option("--listen-ng", o->listenNg, "ng control socket, address:port");
  auto* optHttp =
      sub->add_option("--listen-http", o->listenHttp, "Prometheus /metrics, address:port");
  auto* optMin = sub->add_option("--port-min", o->portMin, "Lowest media port");
  auto* optMax = sub->add_option("--port-max", o->portMax, "Highest media port");
  auto* optThreads =
      sub->add_option("--num-threads", o->threads, "Relay workers, 1-64 (default 0: one per core)")
          ->check(CLI::Range(0, 64));
  auto* optTimeout =
      sub->add_option("--timeout", o->timeout, "Seconds of silence before a call is dropped");
  auto* optSrtpFor =
      sub->add_option("--srtp-for", o->srtpFor, "Leg labels whose SRTP the anchor terminates");
  auto* optAllow = sub->add_option(
      "--ng-allow", o->ngAllow,
      "Source CIDR allowed to send ng commands (repeatable; default: loopback only)");
  auto* optPath =
      sub->add_option("--packet-path", o->packetPath,
                      "auto (io_uring when the kernel allows it, else epoll), epoll or io_uring");
  sub->add_option("--config", o->config, "YAML file with the same settings");
  sub->callback([o, &exit_code, optInterface, optNg, optHttp, optMin, optMax, optThreads,
                 optTimeout, optSrtpFor, optAllow, optPath] {
    core::setLogLevel(core::LogLevel::kInfo);
    media::ServerConfig cfg;
    if (!o->config.empty()) {
      if (auto r = media::loadServerConfig(o->config, cfg); !r) {
        exit_code = reportError("media", r.error());
        return;
      }
    } else {
      auto hp = media::parseHostPort(o->listenNg);
      if (hp) std::tie(cfg.ngHost, cfg.ngPort) = *hp;
    }
    auto bad = [&exit_code](const std::string& m) {
      std::cerr << "ccsec media: " << m << "\n";
      exit_code = kExitUsage;
    };
    if (optInterface->count() || o->config.empty()) cfg.relay.interface = o->interface;
    if (optNg->count()) {
      auto hp = media::parseHostPort(o->listenNg);
      if (!hp) return bad("--listen-ng: " + hp.error().message);
      std::tie(cfg.ngHost, cfg.ngPort) = *hp;
    }
    if (optHttp->count()) {
      auto hp = media::parseHostPort(o->listenHttp);
      if (!hp) return bad("--listen-http: " + hp.error().message);
      std::tie(cfg.httpHost, cfg.httpPort) = *hp;
    }
    if (optMin->count() || o->config.empty())
      cfg.relay.portMin = static_cast<std::uint16_t>(o->portMin);
    if (optMax->count() || o->config.empty())
      cfg.relay.portMax = static_cast<std::uint16_t>(o->portMax);
    if (o->portMin > 65535 || o->portMax > 65535) return bad("ports must be <= 65535");
    if (optThreads->count() || o->config.empty()) cfg.relay.threads = o->threads;
    if (optTimeout->count() || o->config.empty())
      cfg.relay.silentTimeout = std::chrono::seconds(o->timeout);
    if (optSrtpFor->count()) cfg.relay.srtpFor = o->srtpFor;
    if (optPath->count() || o->config.empty()) {
      auto p = net::parsePacketPath(o->packetPath);
      if (!p) return bad("--packet-path: " + p.error().message);
      cfg.relay.packetPath = *p;
    }
    if (optAllow->count()) {
      cfg.ngAllow.clear();
      for (const auto& a : o->ngAllow) {
        auto c = core::Cidr::parse(a);
        if (!c) return bad("--ng-allow: '" + a + "' is not a CIDR (e.g. 10.0.0.0/24)");
        cfg.ngAllow.push_back(*c);
      }
    }

    if (auto st = media::selfTest(); !st) {  // a failed known answer is the machine's fault
      std::cerr << "ccsec media: refusing to start: " << st.error().message << "\n";
      exit_code = kExitRuntime;
      return;
    }
    auto server = media::MediaServer::create(cfg);
    if (!server) {
      exit_code = reportError("media", server.error());
      return;
    }
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    std::ostringstream ready;
    ready << "ccsec media ready: ng " << cfg.ngHost << ":" << (*server)->ngPort() << " interface "
          << cfg.relay.interface << " ports " << cfg.relay.portMin << "-" << cfg.relay.portMax
          << " threads " << (*server)->relay().workerCount() << " packet-path "
          << net::packetPathName((*server)->relay().packetPath().path);
    if ((*server)->httpPort()) ready << " metrics " << cfg.httpHost << ":" << (*server)->httpPort();
    std::cout << ready.str() << std::endl;
    core::ServiceNotifier notifier;
    notifier.ready(ready.str());
    (*server)->run(gStop, [&notifier] { notifier.watchdogTick(); });
    notifier.stopping();
    server->reset();
    std::cout << "ccsec media stopped" << std::endl;
    exit_code = kExitClean;
  });
}

}  // namespace ccsec::cli
