#include "identity/ldap.h"

#include <sys/time.h>

#include <algorithm>
#include <cctype>

namespace ccsec::identity {
namespace {

using core::makeError;

timeval toTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

// One printable line of at most 200 bytes (a server's diagnostic is not trusted).
std::string oneLine(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (out.size() >= 200) break;
    const auto u = static_cast<unsigned char>(c);
    out.push_back(u >= 0x20 && u < 0x7f ? c : ' ');
  }
  return out;
}

struct ControlFree {
  void operator()(LDAPControl* c) const noexcept { ldap_control_free(c); }
};
struct ControlsFree {
  void operator()(LDAPControl** c) const noexcept { ldap_controls_free(c); }
};

}  // namespace

core::Result<Server> parseServer(std::string_view url, bool starttls, std::string site) {
  Server s;
  s.site = std::move(site);
  std::string_view rest;
  if (url.rfind("ldaps://", 0) == 0) {
    s.transport = Transport::kLdaps;
    rest = url.substr(8);
  } else if (url.rfind("ldap://", 0) == 0) {
    if (!starttls)
      return makeError("refusing plaintext LDAP URL " + std::string(url) +
                       ": use ldaps:// or ldap:// with StartTLS (starttls: true / --starttls)");
    s.transport = Transport::kStartTls;
    rest = url.substr(7);
  } else {
    return makeError("unsupported LDAP URL " + oneLine(url) +
                     ": only ldaps:// and ldap:// with StartTLS are accepted");
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?# ") != std::string_view::npos)
    return makeError("LDAP URL " + oneLine(url) + ": expected scheme://host[:port] only");
  s.url = std::string(url.substr(0, url.find("://") + 3)) + std::string(rest);
  LDAPURLDesc* desc = nullptr;
  if (ldap_url_parse(s.url.c_str(), &desc) != LDAP_URL_SUCCESS || desc == nullptr)
    return makeError("LDAP URL " + oneLine(url) + " does not parse");
  const bool has_host = desc->lud_host != nullptr && desc->lud_host[0] != '\0';
  ldap_free_urldesc(desc);
  if (!has_host) return makeError("LDAP URL " + oneLine(url) + " names no host");
  return s;
}

std::vector<Server> orderBySite(std::vector<Server> servers, std::string_view site) {
  std::stable_partition(servers.begin(), servers.end(),
                        [&](const Server& s) { return !site.empty() && s.site == site; });
  return servers;
}

const std::vector<std::string>* Entry::get(std::string_view name) const {
  std::string key(name);
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto it = attrs.find(key);
  return it == attrs.end() ? nullptr : &it->second;
}

std::string Entry::first(std::string_view name) const {
  const auto* v = get(name);
  return v == nullptr || v->empty() ? std::string() : v->front();
}

std::string escapeFilterValue(std::string_view v) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (char c : v) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '*' || c == '(' || c == ')' || c == '\\' || u == 0) {
      out.push_back('\\');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string escapeDnValue(std::string_view v) {
  std::string out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    const char c = v[i];
    const bool special = c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' || c == '>' ||
                         c == ';' || c == '=' || (i == 0 && (c == '#' || c == ' ')) ||
                         (i + 1 == v.size() && c == ' ');
    if (special) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

std::string normalizeDn(std::string_view dn) {
  std::string out;
  out.reserve(dn.size());
  for (std::size_t i = 0; i < dn.size(); ++i) {
    const char c = dn[i];
    if (c == ' ' && (out.empty() || out.back() == ',' || out.back() == '=')) continue;
    if ((c == ',' || c == '=') && !out.empty() && out.back() == ' ' &&
        (out.size() < 2 || out[out.size() - 2] != '\\'))
      out.pop_back();
    out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
  }
  return out;
}

core::Result<Connection> Connection::open(const Server& server, const TlsOptions& tls,
                                          OpResult* status) {
  auto fail = [&](int rc, std::string what) -> core::Error {
    const bool down = rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
                      rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY;
    std::string msg = server.url + ": " + what + ": " + ldap_err2string(rc);
    if (status != nullptr) *status = {down ? Outcome::kUnavailable : Outcome::kFailed, rc, msg};
    core::Error e = makeError(msg);
    e.cls = core::ErrorClass::kRuntime;
    return e;
  };
  if (tls.ca_file.empty()) return fail(LDAP_PARAM_ERROR, "no CA file configured");
  LDAP* raw = nullptr;
  int rc = ldap_initialize(&raw, server.url.c_str());
  LdapPtr ld(raw);
  if (rc != LDAP_SUCCESS || !ld) return fail(rc, "initialize");
  const int version = LDAP_VERSION3;
  const int hard = LDAP_OPT_X_TLS_HARD;
  const int min_proto = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
  const timeval tv = toTimeval(tls.timeout);
  const int is_server = 0;
  bool ok =
      ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_RESTART, LDAP_OPT_ON) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &tv) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_TIMEOUT, &tv) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_X_TLS_REQUIRE_CERT, &hard) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_X_TLS_PROTOCOL_MIN, &min_proto) == LDAP_OPT_SUCCESS &&
      ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CACERTFILE, tls.ca_file.c_str()) == LDAP_OPT_SUCCESS;
  if (ok && !tls.cert_file.empty())
    ok =
        ldap_set_option(ld.get(), LDAP_OPT_X_TLS_CERTFILE, tls.cert_file.c_str()) ==
            LDAP_OPT_SUCCESS &&
        ldap_set_option(ld.get(), LDAP_OPT_X_TLS_KEYFILE, tls.key_file.c_str()) == LDAP_OPT_SUCCESS;
  // A fresh TLS context for this handle, built from the options above (not the global one).
  if (ok) ok = ldap_set_option(ld.get(), LDAP_OPT_X_TLS_NEWCTX, &is_server) == LDAP_OPT_SUCCESS;
  if (!ok) return fail(LDAP_PARAM_ERROR, "TLS options (CA file " + tls.ca_file + ")");
  if (server.transport == Transport::kStartTls) {
    rc = ldap_start_tls_s(ld.get(), nullptr, nullptr);
    if (rc != LDAP_SUCCESS) return fail(rc, "StartTLS");
  } else {
    rc = ldap_connect(ld.get());
    if (rc != LDAP_SUCCESS) return fail(rc, "TLS connect");
  }
  // Belt and braces: nothing is sent on a connection whose TLS layer is not up.
  if (ldap_tls_inplace(ld.get()) == 0) return fail(LDAP_CONNECT_ERROR, "TLS not established");
  if (status != nullptr) *status = {};
  return Connection(std::move(ld), server, tls.timeout);
}

OpResult Connection::classify(int rc, std::string_view what) {
  if (rc == LDAP_SUCCESS) return {};
  OpResult r;
  r.rc = rc;
  if (rc == LDAP_INVALID_CREDENTIALS)
    r.outcome = Outcome::kInvalidCredentials;
  else if (rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR || rc == LDAP_TIMEOUT ||
           rc == LDAP_UNAVAILABLE || rc == LDAP_BUSY)
    r.outcome = Outcome::kUnavailable;
  else
    r.outcome = Outcome::kFailed;
  r.message = server_.url + ": " + std::string(what) + ": " + ldap_err2string(rc);
  return r;
}

OpResult Connection::simpleBind(std::string_view name, std::string_view password) {
  if (password.empty() || name.empty())
    return {Outcome::kInvalidCredentials, LDAP_INVALID_CREDENTIALS, "empty name or password"};
  if (ldap_tls_inplace(ld_.get()) == 0)
    return {Outcome::kFailed, LDAP_CONFIDENTIALITY_REQUIRED, "bind refused: no TLS"};
  const std::string dn(name);
  berval cred{};
  std::string pw(password);
  cred.bv_val = pw.data();
  cred.bv_len = pw.size();
  const int rc =
      ldap_sasl_bind_s(ld_.get(), dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
  std::fill(pw.begin(), pw.end(), '\0');
  return classify(rc, "bind");
}

OpResult Connection::saslExternal() {
  if (ldap_tls_inplace(ld_.get()) == 0)
    return {Outcome::kFailed, LDAP_CONFIDENTIALITY_REQUIRED, "bind refused: no TLS"};
  // No initial response; the server may ask for one more (empty) step.
  static char kNothing[] = "";
  berval empty{0, kNothing};  // a present, empty credential: "use the TLS identity"
  berval* server_cred = nullptr;
  int rc = ldap_sasl_bind_s(ld_.get(), nullptr, "EXTERNAL", &empty, nullptr, nullptr, &server_cred);
  for (int step = 0; rc == LDAP_SASL_BIND_IN_PROGRESS && step < 2; ++step) {
    if (server_cred != nullptr) ber_bvfree(server_cred);
    server_cred = nullptr;
    rc = ldap_sasl_bind_s(ld_.get(), nullptr, "EXTERNAL", &empty, nullptr, nullptr, &server_cred);
  }
  if (server_cred != nullptr) ber_bvfree(server_cred);
  return classify(rc, "SASL EXTERNAL bind");
}

SearchResult Connection::search(const std::string& base, Scope scope, const std::string& filter,
                                const std::vector<std::string>& attrs, std::size_t page_size,
                                std::size_t max_entries) {
  SearchResult out;
  std::vector<char*> attr_ptrs;
  for (const auto& a : attrs) attr_ptrs.push_back(const_cast<char*>(a.c_str()));
  attr_ptrs.push_back(nullptr);
  berval* cookie = nullptr;
  timeval tv = toTimeval(timeout_);
  for (;;) {
    LDAPControl* page_raw = nullptr;
    int rc = ldap_create_page_control(ld_.get(), static_cast<ber_int_t>(page_size), cookie, 0,
                                      &page_raw);
    std::unique_ptr<LDAPControl, ControlFree> page(page_raw);
    if (cookie != nullptr) {
      ber_bvfree(cookie);
      cookie = nullptr;
    }
    if (rc != LDAP_SUCCESS) {
      out.status = classify(rc, "page control");
      return out;
    }
    LDAPControl* ctrls[] = {page.get(), nullptr};
    LDAPMessage* res_raw = nullptr;
    rc = ldap_search_ext_s(ld_.get(), base.c_str(), static_cast<int>(scope), filter.c_str(),
                           attrs.empty() ? nullptr : attr_ptrs.data(), 0, ctrls, nullptr, &tv, 0,
                           &res_raw);
    MessagePtr res(res_raw);
    if (rc != LDAP_SUCCESS && rc != LDAP_NO_SUCH_OBJECT && rc != LDAP_SIZELIMIT_EXCEEDED) {
      out.status = classify(rc, "search");
      return out;
    }
    if (rc == LDAP_NO_SUCH_OBJECT) return out;
    for (LDAPMessage* e = ldap_first_entry(ld_.get(), res.get()); e != nullptr;
         e = ldap_next_entry(ld_.get(), e)) {
      if (out.entries.size() >= max_entries) return out;
      Entry entry;
      if (char* dn = ldap_get_dn(ld_.get(), e)) {
        entry.dn = dn;
        ldap_memfree(dn);
      }
      BerElement* ber = nullptr;
      for (char* a = ldap_first_attribute(ld_.get(), e, &ber); a != nullptr;
           a = ldap_next_attribute(ld_.get(), e, ber)) {
        std::string key(a);
        for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        auto& vals = entry.attrs[key];
        if (berval** bv = ldap_get_values_len(ld_.get(), e, a)) {
          for (int i = 0; bv[i] != nullptr; ++i) vals.emplace_back(bv[i]->bv_val, bv[i]->bv_len);
          ldap_value_free_len(bv);
        }
        ldap_memfree(a);
      }
      if (ber != nullptr) ber_free(ber, 0);
      out.entries.push_back(std::move(entry));
    }
    int err = LDAP_SUCCESS;
    LDAPControl** sctrls_raw = nullptr;
    rc = ldap_parse_result(ld_.get(), res.get(), &err, nullptr, nullptr, nullptr, &sctrls_raw, 0);
    std::unique_ptr<LDAPControl*, ControlsFree> sctrls(sctrls_raw);
    if (rc != LDAP_SUCCESS) {
      out.status = classify(rc, "search result");
      return out;
    }
    if (err != LDAP_SUCCESS && err != LDAP_SIZELIMIT_EXCEEDED) {
      out.status = classify(err, "search");
      return out;
    }
    LDAPControl* resp = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, sctrls.get(), nullptr);
    if (resp == nullptr) return out;  // server does not page: it sent everything
    berval next{};
    ber_int_t estimate = 0;
    if (ldap_parse_pageresponse_control(ld_.get(), resp, &estimate, &next) != LDAP_SUCCESS)
      return out;
    if (next.bv_val == nullptr || next.bv_len == 0) {
      if (next.bv_val != nullptr) ber_memfree(next.bv_val);
      return out;
    }
    cookie = ber_bvdup(&next);
    ber_memfree(next.bv_val);
  }
}

Pool::Pool(std::vector<Server> servers, TlsOptions tls, Options options)
    : servers_(std::move(servers)),
      tls_(std::move(tls)),
      options_(options),
      idle_(servers_.size()),
      down_until_(servers_.size()) {}

std::size_t Pool::indexOf(const Server& s) const {
  for (std::size_t i = 0; i < servers_.size(); ++i)
    if (servers_[i].url == s.url) return i;
  return servers_.size();
}

void Pool::markDown(std::size_t i) {
  if (i >= servers_.size()) return;
  down_until_[i] = std::chrono::steady_clock::now() + options_.retry_after;
  idle_[i].clear();  // their sockets point at the same dead server
}

std::size_t Pool::serversUp() const {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  std::size_t n = 0;
  for (const auto& d : down_until_)
    if (d <= now) ++n;
  return n;
}

core::Result<Connection> Pool::acquire(OpResult* status) {
  std::vector<std::size_t> candidates;
  {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < servers_.size(); ++i) {
      if (down_until_[i] > now) continue;
      if (!idle_[i].empty()) {
        Connection c = std::move(idle_[i].back());
        idle_[i].pop_back();
        return c;
      }
      candidates.push_back(i);
    }
  }
  OpResult last{Outcome::kUnavailable, LDAP_SERVER_DOWN, "no directory server available"};
  for (std::size_t i : candidates) {
    OpResult st;
    auto c = Connection::open(servers_[i], tls_, &st);
    if (c) {
      if (status != nullptr) *status = {};
      return c;
    }
    last = st;
    if (st.outcome == Outcome::kUnavailable) {
      std::lock_guard lock(mu_);
      markDown(i);
    }
  }
  if (status != nullptr) *status = last;
  core::Error e = core::makeError(last.message);
  e.cls = core::ErrorClass::kRuntime;
  return e;
}

void Pool::release(Connection conn) {
  std::lock_guard lock(mu_);
  const std::size_t i = indexOf(conn.server());
  if (i >= servers_.size() || idle_[i].size() >= options_.max_idle) return;
  idle_[i].push_back(std::move(conn));
}

void Pool::failed(Connection conn) {
  std::lock_guard lock(mu_);
  markDown(indexOf(conn.server()));
}

}  // namespace ccsec::identity
