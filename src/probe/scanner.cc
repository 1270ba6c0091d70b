#include "probe/scanner.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <set>

#include "core/handles.h"
#include "net/event_loop.h"
#include "net/socket.h"
#include "probe/hello.h"
#include "probe/pacing.h"

namespace ccsec::probe {

const char* toString(Reach r) {
  switch (r) {
    case Reach::kOpen:
      return "open";
    case Reach::kRefused:
      return "refused";
    case Reach::kFiltered:
      return "filtered";
    case Reach::kError:
      return "error";
    case Reach::kOpenOrFiltered:
      return "open|filtered";
    case Reach::kNotProbed:
      return "not probed";
  }
  return "?";
}

namespace {

using Clock = std::chrono::steady_clock;

constexpr const char* kAllSuites13 =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
    "TLS_AES_128_CCM_SHA256:TLS_AES_128_CCM_8_SHA256";
constexpr int kMaxRounds = 200;  // bound on enumeration handshakes per version
constexpr std::size_t kMaxReply = 4096;
// Suites of a version enumerated as two independent groups (AEAD, the rest), in parallel.
constexpr bool kSuiteGroups = true;
// TLS 1.3 groups enumerated at once, beside the versions and suites.
constexpr bool kGroupsEarly = true;

const char* versionName(int v) {
  switch (v) {
    case TLS1_VERSION:
      return "TLSv1.0";
    case TLS1_1_VERSION:
      return "TLSv1.1";
    case TLS1_2_VERSION:
      return "TLSv1.2";
    case TLS1_3_VERSION:
      return "TLSv1.3";
  }
  return "?";
}

// ---- plaintext payloads -------------------------------------------------------------------

std::string payloadBytes(const Target& t) {
  switch (t.payload) {
    case PayloadKind::kHttp:
      return "GET / HTTP/1.1\r\nHost: " + t.dns_name +
             "\r\nUser-Agent: ccsec-probe\r\nConnection: close\r\n\r\n";
    case PayloadKind::kSip:
      return "OPTIONS sip:" + t.dns_name +
             " SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bKccsecprobe\r\n"
             "Max-Forwards: 70\r\nFrom: <sip:probe@ccsec>;tag=ccsec\r\nTo: <sip:" +
             t.dns_name +
             ">\r\n"
             "Call-ID: ccsec-probe\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    case PayloadKind::kLdap:
    case PayloadKind::kGed188:
    case PayloadKind::kNone: {
      // GED-188 OPEN_REQ: 4-byte body length, 4-byte type 3, 44-byte fixed part (11 UINTs:
      // InvokeID 1, VersionNumber 24, the rest 0), big-endian.
      std::string f(8 + 44, '\0');
      f[3] = 44;
      f[7] = 3;
      f[8 + 3] = 1;
      f[8 + 7] = 24;
      return f;
    }
  }
  return {};
}

// LDAP requests (BER): StartTLS extended request and a simple bind with a dummy name/password.
std::string ldapStartTls() {
  const std::string oid = "1.3.6.1.4.1.1466.20037";
  std::string op = "\x80" + std::string(1, static_cast<char>(oid.size())) + oid;
  std::string ext = "\x77" + std::string(1, static_cast<char>(op.size())) + op;
  std::string body = std::string("\x02\x01\x01", 3) + ext;
  return "\x30" + std::string(1, static_cast<char>(body.size())) + body;
}
std::string ldapSimpleBind(const std::string& base) {
  // A name inside the controller's domain (a name outside every naming context is rejected
  // before the confidentiality check by some servers). Single-byte BER lengths: bounded.
  std::string dn = "cn=ccsec-probe";
  if (!base.empty() && base.size() < 64) dn += "," + base;
  const std::string pw = "ccsec-probe-not-a-password";
  std::string b = std::string("\x02\x01\x03", 3) + "\x04" +
                  std::string(1, static_cast<char>(dn.size())) + dn + "\x80" +
                  std::string(1, static_cast<char>(pw.size())) + pw;
  std::string req = "\x60" + std::string(1, static_cast<char>(b.size())) + b;
  std::string body = std::string("\x02\x01\x02", 3) + req;
  return "\x30" + std::string(1, static_cast<char>(body.size())) + body;
}

/// BER length at s[i]; advances i. -1 when truncated or unsupported (more than 4 length bytes).
long berLength(const std::string& s, std::size_t& i) {
  if (i >= s.size()) return -1;
  auto b = static_cast<unsigned char>(s[i++]);
  if (b < 0x80) return b;
  int n = b & 0x7f;
  if (n == 0 || n > 4 || i + static_cast<std::size_t>(n) > s.size()) return -1;
  long v = 0;
  for (int k = 0; k < n; ++k) v = (v << 8) | static_cast<unsigned char>(s[i++]);
  return v;
}

/// resultCode of the first LDAPMessage in `s` if its protocolOp has tag `op`; -1 if not (yet).
int ldapResultCode(const std::string& s, unsigned char op) {
  std::size_t i = 0;
  if (s.empty() || static_cast<unsigned char>(s[0]) != 0x30) return -2;  // not LDAP
  ++i;
  if (berLength(s, i) < 0) return -1;
  if (i >= s.size() || s[i] != 0x02) return -2;
  ++i;
  long idlen = berLength(s, i);
  if (idlen < 0 || i + static_cast<std::size_t>(idlen) > s.size()) return -1;
  i += static_cast<std::size_t>(idlen);
  if (i >= s.size()) return -1;
  if (static_cast<unsigned char>(s[i]) != op) return -2;
  ++i;
  if (berLength(s, i) < 0) return -1;
  if (i + 3 > s.size()) return -1;
  if (s[i] != 0x0a || s[i + 1] != 0x01) return -2;
  return static_cast<unsigned char>(s[i + 2]);
}

// ---- attempts --------------------------------------------------------------------------------

enum class Kind { kConnect, kUdp, kTls, kHello, kPlain, kLdapStartTls, kLdapBind };

struct TlsSpec {
  int version_min = TLS1_2_VERSION;
  int version_max = TLS1_3_VERSION;
  std::string cipher_list = "ALL:COMPLEMENTOFALL";
  std::string suites13 = kAllSuites13;
  std::string groups;         // empty: OpenSSL default
  bool abort_at_cert = true;  // stop once the ServerHello (and certificate) are read
  bool post_read = false;     // after a complete handshake, wait for a client-cert alert
  bool low_security = false;  // security level 0 (TLS 1.0/1.1 attempts only)
};

struct Result {
  Reach reach = Reach::kNotProbed;
  int err = 0;
  bool timed_out = false;
  // TLS
  bool hello = false;     // a ServerHello was read (handshake accepted up to the certificate)
  bool complete = false;  // the handshake finished
  int version = 0;
  std::string cipher, group;
  std::uint16_t suite = 0, group_id = 0;  // code points (hand-built hello attempts)
  bool cipher_aead = false;
  std::string error;
  bool cert_requested = false;
  bool post_rejected = false;  // an alert after the handshake (client certificate demanded)
  std::string post_reason;
  core::X509Ptr leaf;
  std::vector<core::X509Ptr> chain;
  // plaintext / LDAP
  std::string reply;
  bool eof = false;
};

class Scanner;

struct Job {
  std::size_t target = 0;
  Kind kind = Kind::kConnect;
  TlsSpec tls;
  hello::ClientHelloSpec hello;  // Kind::kHello
  std::function<void(Result&)> done;
};

int g_ex_index = -1;

class Attempt final : public net::IoHandler {
 public:
  Attempt(Scanner& s, Job job, const Target& t) : s_(s), job_(std::move(job)), t_(t) {}
  void start();
  void onIo(std::uint32_t events) override;

  // OpenSSL callbacks
  void onCertificate(SSL* ssl, X509_STORE_CTX* sctx) {
    if (result_.leaf == nullptr) {
      if (X509* leaf = X509_STORE_CTX_get0_cert(sctx)) {
        X509_up_ref(leaf);
        result_.leaf.reset(leaf);
      }
      if (STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl)) {
        for (int i = 0; i < sk_X509_num(chain); ++i) {
          X509* c = sk_X509_value(chain, i);
          X509_up_ref(c);
          result_.chain.emplace_back(c);
        }
      }
    }
    result_.hello = true;
    recordSession(ssl);
  }
  bool abortAtCert() const { return job_.tls.abort_at_cert; }
  void markCertRequested() { result_.cert_requested = true; }

 private:
  enum class State { kConnecting, kHandshake, kPostRead, kWriting, kReading, kDone };
  void finish(Reach reach);
  void stepHandshake();
  void stepPost();
  void stepWrite();
  void stepRead();
  void stepHelloRead();
  void setupTls();
  void recordSession(SSL* ssl) {
    result_.version = SSL_version(ssl);
    const SSL_CIPHER* c = SSL_get_current_cipher(ssl);
    if (c == nullptr) c = SSL_get_pending_cipher(ssl);
    if (c != nullptr) {
      result_.cipher = SSL_CIPHER_get_name(c);
      result_.cipher_aead = SSL_CIPHER_is_aead(c) == 1;
    }
    int g = static_cast<int>(SSL_get_negotiated_group(ssl));
    if (g != 0) {
      const char* n = SSL_group_to_name(ssl, g);
      result_.group = n != nullptr ? n : std::to_string(g);
    }
  }
  void want(int ssl_error);

  Scanner& s_;
  Job job_;
  const Target& t_;
  net::UniqueFd fd_;
  core::SslPtr ssl_;
  State state_ = State::kConnecting;
  net::EventLoop::TimerId timer_ = 0;
  net::EventLoop::TimerId post_timer_ = 0;
  std::string out_;
  std::size_t out_off_ = 0;
  Result result_;
  Clock::time_point t0_;
};

class Scanner {
 public:
  Scanner(const std::vector<Target>& targets, const ScanOptions& o)
      : targets_(targets), o_(o), pacer_(o.rate) {}

  core::Result<std::vector<Observation>> run(ScanStats* stats);

  net::EventLoop& loop() { return loop_; }
  SSL_CTX* ctx() { return ctx_.get(); }
  const ScanOptions& options() const { return o_; }
  void attemptDone(Attempt* a, const Job& job, Result& r);
  void countHandshake() { ++handshakes_; }
  /// Cipher suite code point → (OpenSSL name, AEAD).
  const std::map<std::uint16_t, std::pair<std::string, bool>>& suiteNames() const { return names_; }
  Clock::time_point startedAt() const { return t0_; }

 private:
  struct Run {
    Observation obs;
    int pending = 0;
    Clock::time_point started;
    core::X509Ptr leaf;
    std::vector<core::X509Ptr> chain;
    std::map<int, std::vector<std::string>> suites;  // version → suites
    std::set<int> accepted, refused, decided, version_timed_out;
    std::map<int, int> parts_pending;  // version → suite groups still enumerating
    bool groups_started = false;
    bool groups12_started = false;
    bool full_done = false;
    bool cert_fetch = false;
  };
  void submit(Job job);
  void pump();
  void finishTarget(std::size_t i);
  void startTarget(std::size_t i);
  void startTls(std::size_t i);
  void enumerate(std::size_t i, int version, std::vector<std::uint16_t> offer, int round);
  void enumerateGroups(std::size_t i, int version, std::vector<std::uint16_t> remaining, int round);
  void partDone(std::size_t i, int version);
  void versionDone(std::size_t i, int version);
  void maybeFetchCert(std::size_t i);
  core::Result<void> buildSuiteTables();
  void takeCert(Run& run, Result& r) {
    if (run.leaf == nullptr && r.leaf != nullptr) {
      run.leaf = std::move(r.leaf);
      run.chain = std::move(r.chain);
    }
  }
  void computeCert(Run& run);

  const std::vector<Target>& targets_;
  const ScanOptions& o_;
  net::EventLoop loop_;
  HostPacer pacer_;
  core::SslCtxPtr ctx_;
  core::X509StorePtr store_;
  std::vector<Run> runs_;
  std::map<std::string, std::deque<Job>, std::less<>> queues_;
  std::map<std::uint16_t, std::pair<std::string, bool>> names_;
  std::map<int, std::vector<std::uint16_t>> offer_;  // version → suites OpenSSL offers there
  std::vector<std::uint16_t> ecdhe_;                 // TLS <= 1.2 ECDHE suites
  std::map<std::string, int, std::less<>> host_inflight_;
  std::deque<std::string> runnable_;
  std::set<std::string, std::less<>> in_runnable_;
  int inflight_ = 0;
  std::size_t done_targets_ = 0;
  std::size_t attempts_ = 0;
  std::size_t handshakes_ = 0;
  bool stopping_ = false;
  Clock::time_point t0_ = Clock::now();

 public:
  std::set<Attempt*> live_;
};

int verifyCallback(int /*ok*/, X509_STORE_CTX* sctx) {
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(sctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* a = static_cast<Attempt*>(SSL_get_ex_data(ssl, g_ex_index));
  if (a == nullptr) return 1;
  a->onCertificate(ssl, sctx);
  return a->abortAtCert() ? 0 : 1;
}

int clientCertCallback(SSL* ssl, X509** /*cert*/, EVP_PKEY** /*key*/) {
  if (auto* a = static_cast<Attempt*>(SSL_get_ex_data(ssl, g_ex_index))) a->markCertRequested();
  return 0;  // no client certificate
}

void Attempt::start() {
  t0_ = Clock::now();
  const Target& t = t_;
  auto ep =
      net::Endpoint::parse(t.connect_address.find(':') != std::string::npos
                               ? "[" + t.connect_address + "]:" + std::to_string(t.connect_port)
                               : t.connect_address + ":" + std::to_string(t.connect_port));
  if (!ep) {
    result_.error = ep.error().message;
    finish(Reach::kError);
    return;
  }
  bool udp = job_.kind == Kind::kUdp;
  fd_ = net::UniqueFd(::socket(ep->addr()->sa_family,
                               (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd_.valid()) {
    result_.err = errno;
    result_.error = std::string("socket: ") + std::strerror(errno);
    finish(Reach::kError);
    return;
  }
  if (::connect(fd_.get(), ep->addr(), ep->length()) != 0 && errno != EINPROGRESS) {
    result_.err = errno;
    finish(errno == ECONNREFUSED ? Reach::kRefused : Reach::kError);
    return;
  }
  if (!udp) net::setNoDelay(fd_.get());
  timer_ = s_.loop().runAfter(s_.options().timeout, [this] {
    timer_ = 0;
    result_.timed_out = true;
    if (state_ == State::kConnecting) {
      finish(job_.kind == Kind::kUdp ? Reach::kOpenOrFiltered : Reach::kFiltered);
    } else {
      result_.error = result_.error.empty() ? "timed out" : result_.error;
      finish(Reach::kOpen);
    }
  });
  if (udp) {
    // One datagram; ICMP port unreachable surfaces as ECONNREFUSED on the connected socket.
    std::string d = payloadBytes(t_);
    (void)::send(fd_.get(), d.data(), d.size(), MSG_NOSIGNAL);
    (void)s_.loop().add(fd_.get(), EPOLLIN, this);
    return;
  }
  (void)s_.loop().add(fd_.get(), EPOLLOUT, this);
}

void Attempt::finish(Reach reach) {
  if (state_ == State::kDone) return;
  if (std::getenv("CCSEC_PROBE_TRACE") != nullptr)
    std::fprintf(
        stderr,
        "trace %s +%.1fms %.1fms kind=%d v=%x..%x hello_v=%x groups=%s state=%d timed_out=%d "
        "hello=%d err=%s\n",
        t_.id().c_str(), std::chrono::duration<double, std::milli>(t0_ - s_.startedAt()).count(),
        std::chrono::duration<double, std::milli>(Clock::now() - t0_).count(),
        static_cast<int>(job_.kind), static_cast<unsigned>(job_.tls.version_min),
        static_cast<unsigned>(job_.tls.version_max), static_cast<unsigned>(job_.hello.version),
        job_.tls.groups.c_str(), static_cast<int>(state_), result_.timed_out ? 1 : 0,
        result_.hello ? 1 : 0, result_.error.c_str());
  state_ = State::kDone;
  result_.reach = reach;
  if (timer_ != 0) s_.loop().cancel(timer_);
  if (post_timer_ != 0) s_.loop().cancel(post_timer_);
  timer_ = post_timer_ = 0;
  if (fd_.valid()) s_.loop().remove(fd_.get());
  if (ssl_) SSL_set_ex_data(ssl_.get(), g_ex_index, nullptr);
  ERR_clear_error();
  s_.loop().runAfterBatch([this] {
    ssl_.reset();
    fd_ = net::UniqueFd();
    s_.live_.erase(this);
    s_.attemptDone(this, job_, result_);
    delete this;
  });
}

void Attempt::want(int e) {
  std::uint32_t ev = e == SSL_ERROR_WANT_WRITE ? EPOLLOUT : EPOLLIN;
  s_.loop().modify(fd_.get(), ev, this);
}

void Attempt::setupTls() {
  ssl_.reset(SSL_new(s_.ctx()));
  SSL* ssl = ssl_.get();
  SSL_set_ex_data(ssl, g_ex_index, this);
  SSL_set_fd(ssl, fd_.get());
  SSL_set_connect_state(ssl);
  const TlsSpec& sp = job_.tls;
  if (sp.low_security) SSL_set_security_level(ssl, 0);
  SSL_set_min_proto_version(ssl, sp.version_min);
  SSL_set_max_proto_version(ssl, sp.version_max);
  std::string list = sp.cipher_list;
  if (sp.low_security) list += ":@SECLEVEL=0";
  (void)SSL_set_cipher_list(ssl, list.c_str());
  (void)SSL_set_ciphersuites(ssl, sp.suites13.c_str());
  if (!sp.groups.empty()) (void)SSL_set1_groups_list(ssl, sp.groups.c_str());
  SSL_set_verify(ssl, SSL_VERIFY_PEER, verifyCallback);
  if (!t_.dns_name.empty() && t_.dns_name.find_first_not_of("0123456789.:") != std::string::npos)
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(t_.dns_name.c_str()));
  s_.countHandshake();
}

void Attempt::onIo(std::uint32_t events) {
  switch (state_) {
    case State::kConnecting: {
      if (job_.kind == Kind::kUdp) {
        char buf[512];
        ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
        if (n >= 0) {
          result_.reply = "answered with " + std::to_string(n) + " bytes";
          finish(Reach::kOpen);
        } else if (errno == ECONNREFUSED) {
          finish(Reach::kRefused);
        } else if (errno != EAGAIN) {
          result_.err = errno;
          finish(Reach::kError);
        }
        return;
      }
      int err = net::connectResult(fd_.get());
      if (err != 0 || (events & (EPOLLERR | EPOLLHUP)) != 0) {
        result_.err = err != 0 ? err : ECONNRESET;
        finish(err == ECONNREFUSED || err == 0                                   ? Reach::kRefused
               : (err == ETIMEDOUT || err == EHOSTUNREACH || err == ENETUNREACH) ? Reach::kFiltered
                                                                                 : Reach::kError);
        return;
      }
      result_.reach = Reach::kOpen;
      switch (job_.kind) {
        case Kind::kConnect:
          finish(Reach::kOpen);
          return;
        case Kind::kTls:
          setupTls();
          state_ = State::kHandshake;
          stepHandshake();
          return;
        case Kind::kHello:
          out_ = hello::buildClientHello(job_.hello);
          s_.countHandshake();
          break;
        case Kind::kPlain:
          out_ = payloadBytes(t_);
          break;
        case Kind::kLdapStartTls:
          out_ = ldapStartTls();
          break;
        case Kind::kLdapBind:
          out_ = ldapSimpleBind(t_.ldap_base);
          break;
        case Kind::kUdp:
          return;
      }
      state_ = State::kWriting;
      stepWrite();
      return;
    }
    case State::kHandshake:
      stepHandshake();
      return;
    case State::kPostRead:
      stepPost();
      return;
    case State::kWriting:
      stepWrite();
      return;
    case State::kReading:
      stepRead();
      return;
    case State::kDone:
      return;
  }
}

void Attempt::stepHandshake() {
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_.get());
  if (r == 1) {
    result_.complete = true;
    result_.hello = true;
    recordSession(ssl_.get());
    if (job_.tls.post_read && result_.cert_requested) {
      state_ = State::kPostRead;
      post_timer_ = s_.loop().runAfter(s_.options().post_handshake, [this] {
        post_timer_ = 0;
        finish(Reach::kOpen);
      });
      s_.loop().modify(fd_.get(), EPOLLIN, this);
      stepPost();
      return;
    }
    finish(Reach::kOpen);
    return;
  }
  int e = SSL_get_error(ssl_.get(), r);
  if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
    want(e);
    return;
  }
  if (result_.hello && job_.tls.abort_at_cert) {
    finish(Reach::kOpen);  // our own abort after the certificate
    return;
  }
  unsigned long code = ERR_peek_error();
  if (code != 0) {
    const char* reason = ERR_reason_error_string(code);
    result_.error = reason != nullptr ? reason : "handshake failed";
  } else if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
    result_.error = "connection closed during the handshake";
  } else {
    result_.error = "handshake failed";
  }
  // The group of a TLS 1.2 handshake is known once the ServerKeyExchange was read.
  if (result_.hello) {
    int g = static_cast<int>(SSL_get_negotiated_group(ssl_.get()));
    if (g != 0 && result_.group.empty()) {
      const char* n = SSL_group_to_name(ssl_.get(), g);
      result_.group = n != nullptr ? n : std::to_string(g);
    }
  }
  finish(Reach::kOpen);
}

void Attempt::stepPost() {
  char buf[256];
  for (;;) {
    ERR_clear_error();
    int r = SSL_read(ssl_.get(), buf, sizeof buf);
    if (r > 0) continue;  // application data: the session is usable
    int e = SSL_get_error(ssl_.get(), r);
    if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
      want(e);
      return;
    }
    result_.post_rejected = true;
    unsigned long code = ERR_peek_error();
    const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
    result_.post_reason = reason != nullptr ? reason : "connection closed after the handshake";
    finish(Reach::kOpen);
    return;
  }
}

void Attempt::stepWrite() {
  while (out_off_ < out_.size()) {
    ssize_t n = ::send(fd_.get(), out_.data() + out_off_, out_.size() - out_off_, MSG_NOSIGNAL);
    if (n > 0) {
      out_off_ += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EAGAIN) {
      s_.loop().modify(fd_.get(), EPOLLOUT, this);
      return;
    }
    result_.eof = true;
    finish(Reach::kOpen);
    return;
  }
  state_ = State::kReading;
  s_.loop().modify(fd_.get(), EPOLLIN, this);
  if (job_.kind == Kind::kHello) return;  // bounded by the attempt's own timeout
  // A plaintext answer comes at once; waiting the whole timeout would only slow the run.
  if (timer_ != 0) s_.loop().cancel(timer_);
  auto wait = std::min(s_.options().timeout, std::chrono::milliseconds(1500));
  timer_ = s_.loop().runAfter(wait, [this] {
    timer_ = 0;
    result_.timed_out = true;
    finish(Reach::kOpen);
  });
}

void Attempt::stepRead() {
  if (job_.kind == Kind::kHello) {
    stepHelloRead();
    return;
  }
  char buf[1024];
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n > 0) {
      std::size_t room = kMaxReply - std::min(kMaxReply, result_.reply.size());
      result_.reply.append(buf, std::min(room, static_cast<std::size_t>(n)));
      if (result_.reply.size() >= kMaxReply) break;
      // LDAP: one response message is enough.
      if ((job_.kind == Kind::kLdapStartTls && ldapResultCode(result_.reply, 0x78) != -1) ||
          (job_.kind == Kind::kLdapBind && ldapResultCode(result_.reply, 0x61) != -1))
        break;
      continue;
    }
    if (n == 0) {
      result_.eof = true;
      break;
    }
    if (errno == EAGAIN) return;
    result_.eof = true;
    break;
  }
  finish(Reach::kOpen);
}

void Attempt::stepHelloRead() {
  char buf[16384];
  bool eof = false;
  for (;;) {
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n > 0) {
      std::size_t room =
          hello::kMaxReplyBytes + 1 - std::min(hello::kMaxReplyBytes + 1, result_.reply.size());
      result_.reply.append(buf, std::min(room, static_cast<std::size_t>(n)));
      if (result_.reply.size() > hello::kMaxReplyBytes) break;
      if (static_cast<std::size_t>(n) < sizeof buf) break;
      continue;
    }
    if (n < 0 && errno == EAGAIN) break;
    eof = true;
    break;
  }
  hello::ServerReply r = hello::parseServerReply(result_.reply, job_.hello.want_key_exchange);
  if (r.kind == hello::ReplyKind::kIncomplete && !eof) return;  // wait for more
  result_.reply.clear();
  result_.reply.shrink_to_fit();
  if (r.kind == hello::ReplyKind::kServerHello || r.kind == hello::ReplyKind::kHelloRetry) {
    result_.hello = true;
    result_.version = r.version;
    result_.suite = r.suite;
    result_.group_id = r.group;
    auto it = s_.suiteNames().find(r.suite);
    if (it != s_.suiteNames().end()) {
      result_.cipher = it->second.first;
      result_.cipher_aead = it->second.second;
    } else {
      char code[8];
      std::snprintf(code, sizeof code, "0x%04X", r.suite);
      result_.cipher = code;
    }
    if (r.group != 0) result_.group = hello::groupName(r.group);
  } else if (r.kind == hello::ReplyKind::kAlert) {
    result_.error = "alert " + std::to_string(r.alert);
  } else if (r.kind == hello::ReplyKind::kIncomplete) {
    result_.error = "connection closed during the handshake";
  } else {
    result_.error = hello::toString(r.kind);
  }
  finish(Reach::kOpen);
}

// ---- scanner ---------------------------------------------------------------------------------

void Scanner::submit(Job job) {
  const std::string& host = targets_[job.target].host;
  ++runs_[job.target].pending;
  queues_[host].push_back(std::move(job));
  if (in_runnable_.insert(host).second) runnable_.push_back(host);
}

void Scanner::pump() {
  std::size_t guard = runnable_.size();
  while (!stopping_ && inflight_ < o_.concurrency && !runnable_.empty() && guard > 0) {
    std::string host = runnable_.front();
    runnable_.pop_front();
    auto& q = queues_[host];
    int& hi = host_inflight_[host];
    if (q.empty()) {
      in_runnable_.erase(host);
      guard = runnable_.size();
      continue;
    }
    if (hi >= o_.per_host) {
      in_runnable_.erase(host);  // re-added when one of its attempts ends
      guard = runnable_.size();
      continue;
    }
    if (pacer_.limited()) {
      auto now = Clock::now();
      auto at = pacer_.earliest(host, now);
      if (at > now) {
        // Parked until its next start is due; it stays in in_runnable_ so that nothing else
        // queues it meanwhile.
        auto wait = std::chrono::ceil<std::chrono::milliseconds>(at - now);
        loop_.runAfter(wait, [this, host] {
          runnable_.push_back(host);
          pump();
        });
        guard = runnable_.size();
        continue;
      }
      pacer_.started(host, now);
    }
    Job job = std::move(q.front());
    q.pop_front();
    ++hi;
    ++inflight_;
    ++attempts_;
    if (!q.empty())
      runnable_.push_back(host);
    else
      in_runnable_.erase(host);
    guard = runnable_.size() + 1;
    const Target& t = targets_[job.target];
    auto* a = new Attempt(*this, std::move(job), t);
    live_.insert(a);
    a->start();
  }
}

void Scanner::attemptDone(Attempt* /*a*/, const Job& job, Result& r) {
  const std::string& host = targets_[job.target].host;
  --inflight_;
  --host_inflight_[host];
  if (!queues_[host].empty() && in_runnable_.insert(host).second) runnable_.push_back(host);
  if (!stopping_) job.done(r);
  Run& run = runs_[job.target];
  if (--run.pending == 0) finishTarget(job.target);
  pump();
}

void Scanner::finishTarget(std::size_t i) {
  Run& run = runs_[i];
  run.obs.complete = !stopping_;
  run.obs.elapsed_ms =
      std::chrono::duration<double, std::milli>(Clock::now() - run.started).count();
  TlsFacts& tls = run.obs.tls;
  if (tls.attempted) {
    for (int v : {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION}) {
      if (run.accepted.contains(v)) {
        tls.versions.emplace_back(versionName(v));
        tls.suites[versionName(v)] = run.suites[v];
      } else if (run.refused.contains(v)) {
        tls.versions_refused.emplace_back(versionName(v));
      }
    }
    computeCert(run);
  }
  ++done_targets_;
  if (done_targets_ == targets_.size()) loop_.stop();
}

void Scanner::computeCert(Run& run) {
  if (run.leaf == nullptr) return;
  CertFacts f;
  f.info = core::describeCertificate(run.leaf.get());
  if (EVP_PKEY* pk = X509_get0_pubkey(run.leaf.get())) {
    f.key_bits = EVP_PKEY_get_bits(pk);
    switch (EVP_PKEY_get_base_id(pk)) {
      case EVP_PKEY_RSA:
        f.key_type = "RSA";
        break;
      case EVP_PKEY_EC:
        f.key_type = "EC";
        break;
      case EVP_PKEY_ED25519:
        f.key_type = "ED25519";
        break;
      case EVP_PKEY_ED448:
        f.key_type = "ED448";
        break;
      case EVP_PKEY_DSA:
        f.key_type = "DSA";
        break;
      default:
        f.key_type = "other";
        break;
    }
  }
  if (store_ != nullptr) {
    f.chain_checked = true;
    core::X509StackPtr untrusted(sk_X509_new_null());
    for (const auto& c : run.chain) {
      if (c.get() == run.leaf.get()) continue;
      // Borrowed: X509StackPtr frees the stack only; run.chain owns the certificates.
      sk_X509_push(untrusted.get(), c.get());
    }
    core::X509StoreCtxPtr sctx(X509_STORE_CTX_new());
    X509_STORE_CTX_init(sctx.get(), store_.get(), run.leaf.get(), untrusted.get());
    X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(sctx.get()), X509_V_FLAG_NO_CHECK_TIME);
    f.chains = X509_verify_cert(sctx.get()) == 1;
    if (!f.chains)
      f.chain_error = X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx.get()));
  }
  run.obs.tls.cert = std::move(f);
}

void Scanner::startTarget(std::size_t i) {
  const Target& t = targets_[i];
  Run& run = runs_[i];
  run.obs.target = t;
  run.started = Clock::now();
  Job j;
  j.target = i;
  j.kind = t.proto == inventory::Transport::kUdp ? Kind::kUdp : Kind::kConnect;
  j.done = [this, i](Result& cr) {
    Run& tr = runs_[i];
    tr.obs.reach = cr.reach;
    if (cr.err != 0)
      tr.obs.reach_detail = std::strerror(cr.err);
    else if (cr.timed_out)
      tr.obs.reach_detail = "no answer within the timeout";
    else
      tr.obs.reach_detail = cr.reply;
    const Target& tt = targets_[i];
    if (cr.reach != Reach::kOpen || tt.purpose != Purpose::kListener) return;
    if (tt.tls) startTls(i);
    if (tt.tls && !tt.ldap) {
      tr.obs.plaintext.attempted = true;
      Job p;
      p.target = i;
      p.kind = Kind::kPlain;
      p.done = [this, i](Result& r) {
        PlaintextFacts& pf = runs_[i].obs.plaintext;
        const std::string& s = r.reply;
        if (s.empty()) {
          pf.evidence = r.timed_out ? "no answer" : "closed without answer";
          return;
        }
        auto b0 = static_cast<unsigned char>(s[0]);
        if ((b0 == 0x15 || b0 == 0x16) && s.size() >= 2 && s[1] == 0x03) {
          pf.evidence = "answered with a TLS record (" +
                        std::string(b0 == 0x15 ? "alert" : "handshake") + ")";
          return;
        }
        auto status = [&](std::string_view proto) -> int {
          if (s.rfind(proto, 0) != 0) return -1;
          auto sp = s.find(' ');
          if (sp == std::string::npos || sp + 4 > s.size()) return 0;
          int code = 0;
          for (std::size_t k = sp + 1; k < sp + 4; ++k) {
            if (s[k] < '0' || s[k] > '9') return 0;
            code = code * 10 + (s[k] - '0');
          }
          return code;
        };
        int http = status("HTTP/1.");
        int sip = status("SIP/2.0");
        int code = http >= 0 ? http : sip;
        if (code >= 400) {
          pf.evidence = std::string(http >= 0 ? "HTTP" : "SIP") + " error status " +
                        std::to_string(code) + " in plaintext (request refused)";
          return;
        }
        pf.answered = true;
        pf.evidence =
            std::to_string(s.size()) + " bytes of plaintext in reply" +
            (code > 0 ? std::string(http >= 0 ? " (HTTP " : " (SIP ") + std::to_string(code) + ")"
                      : "");
      };
      submit(std::move(p));
    }
    if (tt.ldap && !tt.tls) {
      tr.obs.ldap.attempted = true;
      Job st;
      st.target = i;
      st.kind = Kind::kLdapStartTls;
      st.done = [this, i](Result& r) {
        LdapFacts& lf = runs_[i].obs.ldap;
        int code = ldapResultCode(r.reply, 0x78);
        lf.starttls = code == 0;
        lf.evidence += code >= 0 ? "StartTLS result " + std::to_string(code) + "; "
                                 : std::string("StartTLS: no LDAP answer; ");
      };
      submit(std::move(st));
      Job b;
      b.target = i;
      b.kind = Kind::kLdapBind;
      b.done = [this, i](Result& r) {
        LdapFacts& lf = runs_[i].obs.ldap;
        int code = ldapResultCode(r.reply, 0x61);
        lf.bind_result = code;
        // 13 confidentialityRequired (and 8 strongerAuthRequired, 53 unwillingToPerform): refused.
        lf.clear_bind_refused = code == 13 || code == 8 || code == 53 || code < 0;
        lf.evidence += code >= 0 ? "simple bind in clear result " + std::to_string(code)
                                 : std::string("simple bind: no LDAP answer");
      };
      submit(std::move(b));
    }
  };
  submit(std::move(j));
}

void Scanner::startTls(std::size_t i) {
  Run& run = runs_[i];
  run.obs.tls.attempted = true;
  // The complete handshake a modern client makes, without a client certificate (OpenSSL).
  Job full;
  full.target = i;
  full.kind = Kind::kTls;
  full.tls.abort_at_cert = false;
  full.tls.post_read = true;
  full.tls.cipher_list = "DEFAULT";
  full.done = [this, i](Result& r) {
    Run& fr = runs_[i];
    TlsFacts& f = fr.obs.tls;
    takeCert(fr, r);
    f.handshake = r.complete && !r.post_rejected;
    f.client_cert_requested = r.cert_requested;
    if (r.complete) f.negotiated = std::string(versionName(r.version)) + " " + r.cipher;
    if (!r.complete) f.handshake_error = r.error.empty() ? "no handshake" : r.error;
    if (r.cert_requested) {
      f.client_cert_required = !r.complete || r.post_rejected;
      f.client_cert_evidence =
          !r.complete       ? "handshake without a client certificate refused: " + r.error
          : r.post_rejected ? "session without a client certificate closed: " + r.post_reason
                            : "certificate requested, session without one accepted";
    } else {
      f.client_cert_evidence =
          r.complete ? "no certificate request" : "handshake failed: " + r.error;
    }
    fr.full_done = true;
    maybeFetchCert(i);
  };
  submit(std::move(full));
  // Versions and suites: hand-built hellos, one per version offering every suite OpenSSL has
  // there; where the version is accepted, the rest of its suites are enumerated as two groups
  // (AEAD, the others) in parallel, each k + 1 hellos for its k accepted suites.
  for (int v : {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION}) {
    if (offer_[v].empty()) {
      versionDone(i, v);
      continue;
    }
    run.parts_pending[v] = 1;
    enumerate(i, v, offer_[v], 0);
  }
  // TLS 1.3 groups by HelloRetryRequest: no key share, no cryptography on either end, so they
  // need not wait for the version verdict (a server without TLS 1.3 refuses the first hello).
  if (kGroupsEarly) {
    run.groups_started = true;
    enumerateGroups(i, TLS1_3_VERSION, hello::allGroups(), 0);
  }
}

void Scanner::enumerate(std::size_t i, int version, std::vector<std::uint16_t> offer, int round) {
  Job j;
  j.target = i;
  j.kind = Kind::kHello;
  j.hello.version = static_cast<std::uint16_t>(version);
  j.hello.suites = offer;
  j.hello.groups = hello::allGroups();
  j.hello.server_name = targets_[i].dns_name;
  j.done = [this, i, version, offer = std::move(offer), round](Result& r) mutable {
    Run& run = runs_[i];
    if (!r.hello || r.cipher.empty() || r.version != version) {
      if (r.timed_out) {
        run.obs.tls.enumeration_complete = false;
        if (round == 0) run.version_timed_out.insert(version);
      }
      partDone(i, version);
      return;
    }
    run.accepted.insert(version);
    auto& list = run.suites[version];
    auto it = std::find(offer.begin(), offer.end(), r.suite);
    bool seen = std::find(list.begin(), list.end(), r.cipher) != list.end();
    if (!seen) list.push_back(r.cipher);
    if (seen || it == offer.end() || round >= kMaxRounds) {
      if (round >= kMaxRounds) run.obs.tls.enumeration_complete = false;
      partDone(i, version);
      return;
    }
    offer.erase(it);
    if (offer.empty()) {
      partDone(i, version);
      return;
    }
    if (round == 0 && kSuiteGroups) {
      std::vector<std::uint16_t> other;
      std::erase_if(offer, [&](std::uint16_t id) {
        if (names_[id].second) return false;
        other.push_back(id);
        return true;
      });
      if (!other.empty() && !offer.empty()) {
        ++run.parts_pending[version];
        enumerate(i, version, std::move(other), round + 1);
      } else if (offer.empty()) {
        offer = std::move(other);
      }
    }
    enumerate(i, version, std::move(offer), round + 1);
  };
  submit(std::move(j));
}

void Scanner::partDone(std::size_t i, int version) {
  Run& run = runs_[i];
  if (--run.parts_pending[version] > 0) return;
  if (!run.accepted.contains(version) && !run.version_timed_out.contains(version))
    run.refused.insert(version);
  versionDone(i, version);
}

void Scanner::versionDone(std::size_t i, int version) {
  Run& run = runs_[i];
  run.decided.insert(version);
  if (run.decided.size() < 4) return;
  maybeFetchCert(i);
  if (run.groups_started && (!kGroupsEarly || run.accepted.contains(TLS1_3_VERSION) ||
                             !run.accepted.contains(TLS1_2_VERSION)))
    return;
  run.groups12_started = true;
  run.groups_started = true;
  // Groups on the highest version the server accepts (TLS 1.2: the ServerKeyExchange's curve of
  // an ECDHE suite).
  if (run.accepted.contains(TLS1_3_VERSION))
    enumerateGroups(i, TLS1_3_VERSION, hello::allGroups(), 0);
  else if (run.accepted.contains(TLS1_2_VERSION))
    enumerateGroups(i, TLS1_2_VERSION, hello::ecGroups(), 0);
}

void Scanner::maybeFetchCert(std::size_t i) {
  // The complete handshake offers TLS 1.2-1.3 only: a server that speaks only older versions
  // gets one more handshake at its lowest version to read the certificate.
  Run& run = runs_[i];
  if (!run.full_done || run.decided.size() < 4 || run.leaf != nullptr || run.cert_fetch ||
      run.accepted.empty())
    return;
  run.cert_fetch = true;
  int v = *run.accepted.begin();
  Job j;
  j.target = i;
  j.kind = Kind::kTls;
  j.tls.version_min = j.tls.version_max = v;
  j.tls.low_security = v < TLS1_2_VERSION;
  j.done = [this, i](Result& r) { takeCert(runs_[i], r); };
  submit(std::move(j));
}

void Scanner::enumerateGroups(std::size_t i, int version, std::vector<std::uint16_t> remaining,
                              int round) {
  if (remaining.empty()) return;
  Job j;
  j.target = i;
  j.kind = Kind::kHello;
  j.hello.version = static_cast<std::uint16_t>(version);
  j.hello.suites = version == TLS1_3_VERSION ? offer_[TLS1_3_VERSION] : ecdhe_;
  j.hello.groups = remaining;
  j.hello.want_key_exchange = version != TLS1_3_VERSION;
  j.hello.server_name = targets_[i].dns_name;
  j.done = [this, i, version, remaining = std::move(remaining), round](Result& r) mutable {
    Run& run = runs_[i];
    if (!r.hello || r.group_id == 0 || r.version != version) return;
    auto it = std::find(remaining.begin(), remaining.end(), r.group_id);
    auto& g = run.obs.tls.groups;
    if (std::find(g.begin(), g.end(), r.group) == g.end()) g.push_back(r.group);
    if (it == remaining.end() || round >= kMaxRounds) return;
    remaining.erase(it);
    enumerateGroups(i, version, std::move(remaining), round + 1);
  };
  submit(std::move(j));
}

core::Result<void> Scanner::buildSuiteTables() {
  // What OpenSSL itself would offer at each version (security level 0: every suite it has).
  for (int v : {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION}) {
    core::SslPtr ssl(SSL_new(ctx_.get()));
    if (!ssl) return core::makeError("cannot create a TLS client object");
    SSL_set_security_level(ssl.get(), 0);
    SSL_set_min_proto_version(ssl.get(), v);
    SSL_set_max_proto_version(ssl.get(), v);
    (void)SSL_set_cipher_list(ssl.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
    (void)SSL_set_ciphersuites(ssl.get(), kAllSuites13);
    STACK_OF(SSL_CIPHER)* list = SSL_get1_supported_ciphers(ssl.get());
    for (int k = 0; list != nullptr && k < sk_SSL_CIPHER_num(list); ++k) {
      const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, k);
      auto id = static_cast<std::uint16_t>(SSL_CIPHER_get_protocol_id(c));
      names_[id] = {SSL_CIPHER_get_name(c), SSL_CIPHER_is_aead(c) == 1};
      offer_[v].push_back(id);
      if (v == TLS1_2_VERSION && SSL_CIPHER_get_kx_nid(c) == NID_kx_ecdhe) ecdhe_.push_back(id);
    }
    sk_SSL_CIPHER_free(list);
  }
  ERR_clear_error();
  return {};
}

core::Result<std::vector<Observation>> Scanner::run(ScanStats* stats) {
  if (g_ex_index < 0) g_ex_index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  ctx_.reset(SSL_CTX_new(TLS_client_method()));
  if (!ctx_) return core::makeError("cannot create the TLS client context");
  SSL_CTX_set_client_cert_cb(ctx_.get(), clientCertCallback);
  SSL_CTX_set_session_cache_mode(ctx_.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_options(ctx_.get(), SSL_OP_NO_TICKET);
  if (!o_.ca_files.empty()) {
    store_.reset(X509_STORE_new());
    for (const auto& f : o_.ca_files) {
      if (X509_STORE_load_file(store_.get(), f.c_str()) != 1) {
        ERR_clear_error();
        return core::makeError("cannot read the CA file " + f);
      }
    }
  }
  if (auto r = buildSuiteTables(); !r) return r.error();
  auto t0 = t0_ = Clock::now();
  runs_.resize(targets_.size());
  for (std::size_t i = 0; i < targets_.size(); ++i) startTarget(i);
  bool interrupted = false;
  auto deadline = loop_.runAfter(o_.deadline, [&] {
    interrupted = true;
    stopping_ = true;
    loop_.stop();
  });
  auto tick = loop_.runEvery(std::chrono::milliseconds(100), [&] {
    if (o_.stop != nullptr && o_.stop->load()) {
      interrupted = true;
      stopping_ = true;
      loop_.stop();
    }
  });
  net::EventLoop::TimerId progress = 0;
  if (o_.progress) {
    progress = loop_.runEvery(std::chrono::milliseconds(250),
                              [&] { o_.progress(done_targets_, targets_.size()); });
  }
  if (!targets_.empty()) {
    pump();
    if (auto r = loop_.run(); !r) return r.error();
  }
  for (Attempt* a : live_) delete a;
  live_.clear();
  loop_.cancel(deadline);
  loop_.cancel(tick);
  if (progress != 0) loop_.cancel(progress);
  if (o_.progress) o_.progress(done_targets_, targets_.size());
  std::vector<Observation> out;
  out.reserve(runs_.size());
  for (std::size_t i = 0; i < runs_.size(); ++i) {
    if (runs_[i].pending != 0) {
      // Interrupted: keep what was established so far.
      Run& run = runs_[i];
      run.obs.complete = false;
      if (run.obs.tls.attempted) computeCert(run);
      for (int v : {TLS1_VERSION, TLS1_1_VERSION, TLS1_2_VERSION, TLS1_3_VERSION}) {
        if (run.accepted.contains(v)) {
          run.obs.tls.versions.emplace_back(versionName(v));
          run.obs.tls.suites[versionName(v)] = run.suites[v];
        }
      }
    }
    if (runs_[i].obs.target.host.empty()) runs_[i].obs.target = targets_[i];
    out.push_back(std::move(runs_[i].obs));
  }
  if (stats != nullptr) {
    stats->attempts = attempts_;
    stats->handshakes = handshakes_;
    stats->wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    stats->interrupted = interrupted;
  }
  return out;
}

}  // namespace

core::Result<std::vector<Observation>> scan(const std::vector<Target>& targets,
                                            const ScanOptions& options, ScanStats* stats) {
  Scanner s(targets, options);
  return s.run(stats);
}

}  // namespace ccsec::probe
