#include "pki/verify.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/cert_identity.h"
#include "core/handles.h"
#include "core/x509_info.h"
#include "pki/ca.h"
#include "pki/files.h"

namespace ccsec::pki {
namespace {

using core::makeError;

core::Result<core::X509CrlPtr> loadCrl(const std::string& path) {
  auto text = readFile(path);
  if (!text) return text.error();
  core::BioPtr bio(BIO_new_mem_buf(text->data(), static_cast<int>(text->size())));
  core::X509CrlPtr crl(PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr));
  if (!crl) {
    const auto* p = reinterpret_cast<const unsigned char*>(text->data());
    crl.reset(d2i_X509_CRL(nullptr, &p, static_cast<long>(text->size())));
  }
  ERR_clear_error();
  if (!crl) return makeError(path + ": not a PEM or DER CRL");
  return crl;
}

struct ChainResult {
  int error = X509_V_OK;
  int depth = 0;
};

ChainResult verifyChain(X509* leaf, const std::vector<core::X509Ptr>& extras,
                        const std::vector<core::X509Ptr>& anchors, X509_CRL* crl, std::time_t now,
                        unsigned long extra_flags) {
  core::X509StorePtr store(X509_STORE_new());
  core::X509StackPtr untrusted(sk_X509_new_null());
  core::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx) return {X509_V_ERR_OUT_OF_MEM, 0};
  for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.get());
  unsigned long flags = extra_flags;
  if (crl) {
    X509_STORE_add_crl(store.get(), crl);
    flags |= X509_V_FLAG_CRL_CHECK;
  }
  for (std::size_t i = 1; i < extras.size(); ++i) sk_X509_push(untrusted.get(), extras[i].get());
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1)
    return {X509_V_ERR_UNSPECIFIED, 0};
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  // A set check time overrides X509_V_FLAG_NO_CHECK_TIME, so set it only when times count.
  if ((flags & X509_V_FLAG_NO_CHECK_TIME) == 0) X509_VERIFY_PARAM_set_time(param, now);
  X509_VERIFY_PARAM_set_flags(param, flags);
  ChainResult r;
  if (X509_verify_cert(ctx.get()) != 1) {
    r.error = X509_STORE_CTX_get_error(ctx.get());
    r.depth = X509_STORE_CTX_get_error_depth(ctx.get());
    if (r.error == X509_V_OK) r.error = X509_V_ERR_UNSPECIFIED;
  }
  ERR_clear_error();
  return r;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

const char* severityName(Severity s) { return s == Severity::kError ? "error" : "warning"; }

std::string joinOthers(const std::vector<std::string>& names, const std::string& self) {
  std::string out;
  for (const auto& n : names) {
    if (n == self) continue;
    if (!out.empty()) out += ", ";
    out += n;
  }
  return out;
}

}  // namespace

bool FleetReport::ok() const {
  return std::none_of(problems.begin(), problems.end(),
                      [](const Problem& p) { return p.severity == Severity::kError; });
}

core::Result<FleetReport> verifyFleet(const std::vector<FleetHost>& hosts,
                                      const VerifyOptions& options) {
  std::vector<core::X509Ptr> anchors;
  for (const auto& path : options.ca_files) {
    auto text = readFile(path);
    if (!text) return text.error();
    auto certs = parseCertificates(*text, path);
    if (!certs) return certs.error();
    for (auto& c : *certs) anchors.push_back(std::move(c));
  }
  core::X509CrlPtr crl;
  if (options.crl_file) {
    auto loaded = loadCrl(*options.crl_file);
    if (!loaded) return loaded.error();
    crl = std::move(*loaded);
  }

  FleetReport report;
  report.chain_checked = !anchors.empty();
  report.crl_checked = report.chain_checked && crl != nullptr;
  const std::time_t now = options.now;
  const std::time_t warn_at = now + static_cast<std::time_t>(options.expiry_warning_days) * 86400;
  std::map<std::string, std::vector<std::string>> by_fingerprint, by_key;
  std::vector<Problem> problems;
  auto add = [&](const std::string& host, const char* code, Severity sev, std::string message) {
    problems.push_back(Problem{host, code, sev, std::move(message)});
  };

  for (const auto& host : hosts) {
    HostResult r;
    r.name = host.name;
    if (!host.cert_path) {
      if (host.fingerprint) {
        r.fingerprint = lower(*host.fingerprint);
        by_fingerprint[r.fingerprint].push_back(host.name);
      } else {
        add(host.name, "no-certificate", Severity::kWarning,
            "the inventory declares no certificate for this host");
      }
      report.hosts.push_back(std::move(r));
      continue;
    }
    r.cert_path = *host.cert_path;
    auto text = readFile(*host.cert_path);
    auto certs = text ? parseCertificates(*text, *host.cert_path)
                      : core::Result<std::vector<core::X509Ptr>>(text.error());
    if (!certs) {
      add(host.name, "unreadable", Severity::kError, certs.error().message);
      report.hosts.push_back(std::move(r));
      continue;
    }
    X509* leaf = certs->front().get();
    auto info = core::describeCertificate(leaf);
    r.checked = true;
    r.subject = info.subject;
    r.serial = info.serial_hex;
    r.not_after = info.not_after.str();
    r.fingerprint = info.fingerprint_sha256;
    r.public_key = info.public_key_sha256;
    by_fingerprint[r.fingerprint].push_back(host.name);
    by_key[r.public_key].push_back(host.name);

    if (!anchors.empty()) {
      ChainResult chain = verifyChain(leaf, *certs, anchors, crl.get(), now, 0);
      if ((chain.error == X509_V_ERR_CERT_HAS_EXPIRED ||
           chain.error == X509_V_ERR_CERT_NOT_YET_VALID) &&
          chain.depth == 0)  // reported below as expiry; check the rest of the chain without it
        chain = verifyChain(leaf, *certs, anchors, crl.get(), now, X509_V_FLAG_NO_CHECK_TIME);
      if (chain.error == X509_V_ERR_CERT_REVOKED) {
        add(host.name, "revoked", Severity::kError,
            "certificate " + info.serial_hex + " is revoked by the CRL");
      } else if (chain.error != X509_V_OK) {
        add(host.name, "chain", Severity::kError,
            std::string("does not chain to the CA: ") + X509_verify_cert_error_string(chain.error) +
                " (issuer " + info.issuer + ")");
      }
    }
    if (ASN1_TIME_cmp_time_t(X509_get0_notAfter(leaf), now) < 0) {
      add(host.name, "expired", Severity::kError, "expired on " + info.not_after.str());
    } else if (ASN1_TIME_cmp_time_t(X509_get0_notBefore(leaf), now) > 0) {
      add(host.name, "not-yet-valid", Severity::kError,
          "not valid before " + info.not_before.str());
    } else if (ASN1_TIME_cmp_time_t(X509_get0_notAfter(leaf), warn_at) < 0) {
      add(host.name, "expiring", Severity::kWarning,
          "expires on " + info.not_after.str() + ", within " +
              std::to_string(options.expiry_warning_days) + " days");
    }
    // The one name rule, shared with rules CCS-TLS-004/005 and the gateway (core/cert_identity.h).
    if (auto p = core::certificateNameProblem(
            info, core::HostIdentity{host.name, host.dns_name, host.address})) {
      add(host.name, p->kind == core::NameProblem::Kind::kName ? "name" : "address",
          Severity::kError, "certificate " + p->message);
    }
    report.hosts.push_back(std::move(r));
  }

  // Fleet-wide uniqueness (CCS-TLS-004). A shared certificate implies a shared key: report the
  // key only between hosts whose certificates differ.
  std::map<std::string, std::string> fingerprint_of;
  for (const auto& h : report.hosts) fingerprint_of[h.name] = h.fingerprint;
  for (const auto& h : report.hosts) {
    if (h.fingerprint.empty()) continue;
    const auto& same_cert = by_fingerprint[h.fingerprint];
    if (same_cert.size() > 1)
      add(h.name, "shared-certificate", Severity::kError,
          "shares its certificate (" + h.fingerprint + ") with " + joinOthers(same_cert, h.name));
    if (h.public_key.empty()) continue;
    std::vector<std::string> other_certs;
    for (const auto& n : by_key[h.public_key])
      if (fingerprint_of[n] != h.fingerprint) other_certs.push_back(n);
    if (!other_certs.empty())
      add(h.name, "shared-key", Severity::kError,
          "shares its key (" + h.public_key + ") with " + joinOthers(other_certs, h.name));
  }
  std::map<std::string, std::size_t> order;
  for (std::size_t i = 0; i < hosts.size(); ++i) order.emplace(hosts[i].name, i);
  std::stable_sort(problems.begin(), problems.end(), [&](const Problem& a, const Problem& b) {
    return order[a.host] < order[b.host];
  });
  report.problems = std::move(problems);
  return report;
}

std::string FleetReport::text() const {
  std::size_t wname = 4, wpath = 11;
  for (const auto& h : hosts) {
    wname = std::max(wname, h.name.size());
    wpath = std::max(wpath, h.cert_path.size());
  }
  auto pad = [](std::string s, std::size_t w) {
    s.resize(std::max(w, s.size()), ' ');
    return s;
  };
  std::ostringstream out;
  out << pad("HOST", wname) << "  " << pad("STATUS", 7) << "  " << pad("NOT AFTER", 10) << "  "
      << "CERTIFICATE\n";
  std::size_t errors = 0, warnings = 0, checked = 0;
  for (const auto& h : hosts) {
    std::string status = h.checked ? "ok" : "-";
    for (const auto& p : problems) {
      if (p.host != h.name) continue;
      if (p.severity == Severity::kError)
        status = "error";
      else if (status != "error")
        status = "warning";
    }
    if (h.checked) ++checked;
    out << pad(h.name, wname) << "  " << pad(status, 7) << "  "
        << pad(h.not_after.empty() ? "-" : h.not_after, 10) << "  "
        << (h.cert_path.empty() ? (h.fingerprint.empty() ? "-" : h.fingerprint) : h.cert_path)
        << "\n";
  }
  if (!problems.empty()) out << "\n";
  for (const auto& p : problems) {
    (p.severity == Severity::kError ? errors : warnings)++;
    out << severityName(p.severity) << ": " << p.host << ": " << p.code << ": " << p.message
        << "\n";
  }
  out << "\n"
      << hosts.size() << " hosts, " << checked << " certificates checked, " << errors << " errors, "
      << warnings << " warnings; chain "
      << (chain_checked ? (crl_checked ? "and CRL checked" : "checked (no CRL)")
                        : "not checked (no CA given)")
      << "\n";
  return out.str();
}

std::string FleetReport::json() const {
  nlohmann::json j;
  j["ok"] = ok();
  j["chain_checked"] = chain_checked;
  j["crl_checked"] = crl_checked;
  j["hosts"] = nlohmann::json::array();
  for (const auto& h : hosts) {
    nlohmann::json e;
    e["name"] = h.name;
    e["checked"] = h.checked;
    e["certificate"] = h.cert_path;
    e["subject"] = h.subject;
    e["serial"] = h.serial;
    e["not_after"] = h.not_after;
    e["fingerprint"] = h.fingerprint;
    e["public_key"] = h.public_key;
    j["hosts"].push_back(std::move(e));
  }
  j["problems"] = nlohmann::json::array();
  for (const auto& p : problems)
    j["problems"].push_back({{"host", p.host},
                             {"code", p.code},
                             {"severity", severityName(p.severity)},
                             {"message", p.message}});
  return j.dump(2) + "\n";
}

}  // namespace ccsec::pki
