#include "pki/ca.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>

#include "core/ip.h"
#include "core/key_file.h"
#include "core/x509_info.h"
#include "pki/files.h"

namespace ccsec::pki {
namespace {

using core::makeError;

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

core::Result<core::Asn1IntegerPtr> serialFromBytes(const std::vector<std::uint8_t>& bytes) {
  if (bytes.empty() || bytes.size() > 20) return makeError("serial source returned a bad length");
  core::BignumPtr bn(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!bn || BN_is_zero(bn.get())) return makeError("serial source returned zero");
  core::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return core::runtimeError("cannot encode serial", core::opensslError());
  return serial;
}

core::Result<core::Asn1IntegerPtr> serialFromHex(const std::string& hex) {
  BIGNUM* raw = nullptr;
  if (BN_hex2bn(&raw, hex.c_str()) == 0) return makeError("bad serial " + hex);
  core::BignumPtr bn(raw);
  core::Asn1IntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!serial) return core::runtimeError("cannot encode serial " + hex, core::opensslError());
  return serial;
}

core::Result<void> addExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  core::X509ExtPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1)
    return core::runtimeError(std::string("cannot add extension ") + OBJ_nid2sn(nid),
                              core::opensslError());
  return {};
}

core::Result<core::GeneralNamesPtr> makeSubjectAltNames(const std::vector<std::string>& dns,
                                                        const std::vector<std::string>& ips) {
  core::GeneralNamesPtr names(sk_GENERAL_NAME_new_null());
  if (!names) return core::runtimeError("out of memory");
  auto push = [&](int type, const std::string& value) -> core::Result<void> {
    core::GeneralNamePtr gn(a2i_GENERAL_NAME(nullptr, nullptr, nullptr, type, value.c_str(), 0));
    if (!gn) return makeError("cannot encode subject alternative name " + value);
    if (sk_GENERAL_NAME_push(names.get(), gn.get()) <= 0)
      return core::runtimeError("out of memory");
    (void)gn.release();  // owned by the stack now
    return {};
  };
  for (const auto& d : dns)
    if (auto r = push(GEN_DNS, d); !r) return r.error();
  for (const auto& ip : ips)
    if (auto r = push(GEN_IPADD, ip); !r) return r.error();
  return names;
}

core::Result<core::X509NamePtr> commonNameOnly(const std::string& cn) {
  core::X509NamePtr name(X509_NAME_new());
  if (!name || X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(cn.c_str()), -1,
                                          -1, 0) != 1)
    return core::runtimeError("cannot encode subject CN=" + cn, core::opensslError());
  return name;
}

core::Result<void> setValidity(X509* cert, std::time_t from, int days) {
  if (days <= 0 || days > 36500) return makeError("--days must be between 1 and 36500");
  const std::time_t to = from + static_cast<std::time_t>(days) * 86400;
  if (!ASN1_TIME_set(X509_getm_notBefore(cert), from) ||
      !ASN1_TIME_set(X509_getm_notAfter(cert), to))
    return core::runtimeError("cannot set validity", core::opensslError());
  return {};
}

std::time_t asn1ToTime(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

core::Result<std::vector<std::string>> canonicalIps(const std::vector<std::string>& ips) {
  std::vector<std::string> out;
  for (const auto& text : ips) {
    auto ip = core::IpAddress::parse(text);
    if (!ip) return makeError("not an IP address: \"" + text + "\"");
    std::string s = ip->str();
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

// Validates a request and fills in defaults (DNS name = host name) and canonical IP text.
core::Result<HostRequest> normalise(const HostRequest& in) {
  if (auto r = validateHostName(in.name); !r) return r.error();
  HostRequest out = in;
  out.dns_names.clear();
  for (const auto& d : in.dns_names.empty() ? std::vector<std::string>{in.name} : in.dns_names) {
    if (auto r = validateDnsName(d); !r) return r.error();
    std::string lower = d;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (std::find(out.dns_names.begin(), out.dns_names.end(), lower) == out.dns_names.end())
      out.dns_names.push_back(std::move(lower));
  }
  auto ips = canonicalIps(in.ips);
  if (!ips) return ips.error();
  out.ips = std::move(*ips);
  if (in.days <= 0 || in.days > 36500) return makeError("--days must be between 1 and 36500");
  return out;
}

bool selfSigned(X509* cert) { return X509_self_signed(cert, 0) == 1; }

}  // namespace

std::vector<std::uint8_t> randomSerial() {
  std::vector<std::uint8_t> bytes(16);
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    bytes.clear();  // serialFromBytes reports the failure
    return bytes;
  }
  bytes[0] &= 0x7f;
  if (std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; })) bytes[15] = 1;
  return bytes;
}

SerialSource sequentialSerials(std::uint64_t first) {
  auto next = std::make_shared<std::uint64_t>(first);
  return [next] {
    std::uint64_t v = (*next)++;
    std::vector<std::uint8_t> bytes(8);
    for (int i = 7; i >= 0; --i) {
      bytes[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v & 0xff);
      v >>= 8;
    }
    return bytes;
  };
}

core::Result<void> validateHostName(std::string_view name) {
  auto ok_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '_' || c == '-';
  };
  if (name.empty() || name.size() > 63 || !std::isalnum(static_cast<unsigned char>(name[0])) ||
      !std::all_of(name.begin(), name.end(), ok_char) || name.find("..") != std::string_view::npos)
    return makeError("invalid host name \"" + std::string(name) +
                     "\": use 1-63 of A-Z a-z 0-9 . _ - starting with a letter or digit");
  return {};
}

core::Result<void> validateDnsName(std::string_view name) {
  auto bad = [&] {
    return makeError("invalid DNS name \"" + std::string(name) +
                     "\": expected letters, digits and hyphens in dot-separated labels");
  };
  if (name.empty() || name.size() > 253 || name.back() == '.') return bad();
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t end = name.find('.', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view label = name.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
      return bad();
    for (char c : label)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return bad();
    start = end + 1;
  }
  return {};
}

std::string toPem(X509* cert) {
  core::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return bioText(bio.get());
}

core::Result<std::vector<core::X509Ptr>> parseCertificates(std::string_view pem,
                                                           const std::string& source) {
  std::vector<core::X509Ptr> certs;
  if (pem.size() > 16u * 1024u * 1024u) return makeError(source + ": larger than 16 MiB");
  core::BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) return core::runtimeError("out of memory");
  while (true) {
    core::X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!cert) break;
    certs.push_back(std::move(cert));
  }
  ERR_clear_error();  // the end of the PEM stream is reported as an error
  if (certs.empty()) {
    const auto* p = reinterpret_cast<const unsigned char*>(pem.data());
    core::X509Ptr der(d2i_X509(nullptr, &p, static_cast<long>(pem.size())));
    ERR_clear_error();
    if (der) certs.push_back(std::move(der));
  }
  if (certs.empty()) return makeError(source + ": no PEM or DER certificate");
  return certs;
}

core::Result<CaDirectory> CaDirectory::init(const std::string& dir, KeyType type,
                                            const std::string& common_name, int days,
                                            Options options) {
  if (fileExists(dir + "/ca.key") || fileExists(dir + "/ca.pem"))
    return makeError(dir + " already holds a CA (ca.pem/ca.key); refusing to overwrite it");
  if (common_name.empty() || common_name.size() > 64)
    return makeError("CA name must be 1-64 characters");
  if (auto r = makeDirectories(dir, 0700); !r) return r.error();
  auto lock = DirectoryLock::acquire(dir);
  if (!lock) return lock.error();

  auto key = generateKey(type);
  if (!key) return key.error();
  core::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return core::runtimeError("out of memory");
  auto serial = serialFromBytes(options.serial());
  if (!serial) return serial.error();
  X509_set_serialNumber(cert.get(), serial->get());
  auto name = commonNameOnly(common_name);
  if (!name) return name.error();
  X509_set_subject_name(cert.get(), name->get());
  X509_set_issuer_name(cert.get(), name->get());
  if (auto r = setValidity(cert.get(), options.now(), days); !r) return r.error();
  X509_set_pubkey(cert.get(), key->get());
  for (auto [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE,pathlen:0"},
                            std::pair{NID_key_usage, "critical,keyCertSign,cRLSign"},
                            std::pair{NID_subject_key_identifier, "hash"},
                            std::pair{NID_authority_key_identifier, "keyid:always"}})
    if (auto r = addExtension(cert.get(), cert.get(), nid, value); !r) return r.error();
  if (X509_sign(cert.get(), key->get(), signingDigest(key->get())) <= 0)
    return core::runtimeError("cannot sign the CA certificate", core::opensslError());

  if (auto r = writePrivateKey(dir + "/ca.key", key->get(), true); !r) return r.error();
  if (auto r = writeFileAtomic(dir + "/ca.pem", toPem(cert.get()), kPublicMode, true); !r)
    return r.error();
  if (!fileExists(dir + "/index.json"))
    if (auto r = saveIndex(dir + "/index.json", CertificateIndex{}); !r) return r.error();

  CaDirectory ca;
  ca.dir_ = dir;
  ca.cert_ = std::move(cert);
  ca.key_ = std::move(*key);
  ca.options_ = std::move(options);
  return ca;
}

core::Result<CaDirectory> CaDirectory::open(const std::string& dir, Options options) {
  const std::string cert_path = dir + "/ca.pem";
  const std::string key_path = dir + "/ca.key";
  if (!fileExists(cert_path) || !fileExists(key_path))
    return makeError(dir + " holds no CA (ca.pem, ca.key); run `ccsec pki init --dir " + dir + "`");
  auto cert = core::loadCertificateFile(cert_path);
  if (!cert) return cert.error();
  if (auto r = core::checkKeyFileMode(key_path); !r) return r.error();
  auto key = loadPrivateKey(key_path);
  if (!key) return key.error();
  if (X509_check_private_key(cert->get(), key->get()) != 1) {
    ERR_clear_error();
    return makeError(key_path + " does not match " + cert_path);
  }
  CaDirectory ca;
  ca.dir_ = dir;
  ca.cert_ = std::move(*cert);
  ca.key_ = std::move(*key);
  ca.options_ = std::move(options);
  return ca;
}

core::Result<core::X509Ptr> CaDirectory::signHost(EVP_PKEY* host_key, const HostRequest& request) {
  core::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1)
    return core::runtimeError("out of memory");
  auto serial = serialFromBytes(options_.serial());
  if (!serial) return serial.error();
  X509_set_serialNumber(cert.get(), serial->get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(cert_.get()));
  auto subject = commonNameOnly(request.name);
  if (!subject) return subject.error();
  X509_set_subject_name(cert.get(), subject->get());
  if (auto r = setValidity(cert.get(), options_.now(), request.days); !r) return r.error();
  if (ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(cert_.get())) > 0)
    return makeError("a certificate for " + request.name + " valid " +
                     std::to_string(request.days) + " days would outlive the CA (until " +
                     core::describeCertificate(cert_.get()).not_after.str() +
                     "); use fewer --days");
  X509_set_pubkey(cert.get(), host_key);
  const char* usage = EVP_PKEY_is_a(host_key, "RSA") ? "critical,digitalSignature,keyEncipherment"
                                                     : "critical,digitalSignature";
  for (auto [nid, value] :
       {std::pair{NID_basic_constraints, "critical,CA:FALSE"}, std::pair{NID_key_usage, usage},
        std::pair{NID_ext_key_usage, "serverAuth,clientAuth"},
        std::pair{NID_subject_key_identifier, "hash"},
        std::pair{NID_authority_key_identifier, "keyid:always"}})
    if (auto r = addExtension(cert.get(), cert_.get(), nid, value); !r) return r.error();
  auto sans = makeSubjectAltNames(request.dns_names, request.ips);
  if (!sans) return sans.error();
  if (X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, sans->get(), 0, X509V3_ADD_DEFAULT) != 1)
    return core::runtimeError("cannot add subjectAltName", core::opensslError());
  if (X509_sign(cert.get(), key_.get(), signingDigest(key_.get())) <= 0)
    return core::runtimeError("cannot sign the certificate for " + request.name,
                              core::opensslError());
  return cert;
}

core::Result<void> CaDirectory::record(X509* cert, const std::string& name) {
  const std::string path = dir_ + "/index.json";
  auto index = loadIndex(path);
  if (!index) return index.error();
  auto info = core::describeCertificate(cert);
  IndexEntry e;
  e.serial = info.serial_hex;
  e.name = name;
  e.fingerprint = info.fingerprint_sha256;
  e.not_before = asn1ToTime(X509_get0_notBefore(cert));
  e.not_after = asn1ToTime(X509_get0_notAfter(cert));
  if (index->findSerial(e.serial)) return makeError("serial " + e.serial + " was issued before");
  index->entries.push_back(std::move(e));
  return saveIndex(path, *index);
}

core::Result<IssuedFiles> CaDirectory::issue(const HostRequest& raw) {
  auto request = normalise(raw);
  if (!request) return request.error();
  const std::string& name = request->name;
  if (auto r = makeDirectories(hostsDir(), 0700); !r) return r.error();
  auto lock = DirectoryLock::acquire(dir_);
  if (!lock) return lock.error();
  if (fileExists(certPath(name)) || fileExists(keyPath(name)))
    return makeError("host " + name + " already has a certificate or key in " + hostsDir() +
                     "; use `ccsec pki rotate --name " + name + "`");
  auto key =
      generateKey(request->key_type.value_or(keyTypeOf(key_.get()).value_or(KeyType::kEcdsaP256)));
  if (!key) return key.error();
  auto cert = signHost(key->get(), *request);
  if (!cert) return cert.error();
  if (auto r = record(cert->get(), name); !r) return r.error();
  if (auto r = writePrivateKey(keyPath(name), key->get(), true); !r) return r.error();
  if (auto r = writeFileAtomic(certPath(name), toPem(cert->get()), kPublicMode, true); !r) {
    ::unlink(keyPath(name).c_str());
    return r.error();
  }
  auto info = core::describeCertificate(cert->get());
  return IssuedFiles{certPath(name), keyPath(name), info.serial_hex, info.fingerprint_sha256};
}

core::Result<IssuedFiles> CaDirectory::rotate(const std::string& name, std::optional<int> days) {
  if (auto r = validateHostName(name); !r) return r.error();
  auto lock = DirectoryLock::acquire(dir_);
  if (!lock) return lock.error();
  auto old = core::loadCertificateFile(certPath(name));
  if (!old)
    return makeError("host " + name + " has no certificate to rotate (" + certPath(name) + ")");
  auto info = core::describeCertificate(old->get());
  auto index = loadIndex(dir_ + "/index.json");
  if (!index) return index.error();
  if (!index->findSerial(info.serial_hex) ||
      X509_check_issued(cert_.get(), old->get()) != X509_V_OK)
    return makeError(certPath(name) +
                     " was not issued by this CA; renew it with `ccsec pki csr` "
                     "and `ccsec pki import`");
  HostRequest request;
  request.name = name;
  request.dns_names = info.dns_names;
  request.ips = info.ip_addresses;
  if (days) {
    request.days = *days;
  } else {
    int pday = 0, psec = 0;
    ASN1_TIME_diff(&pday, &psec, X509_get0_notBefore(old->get()), X509_get0_notAfter(old->get()));
    request.days = std::max(1, pday + (psec > 0 ? 1 : 0));
  }
  auto normal = normalise(request);
  if (!normal) return normal.error();
  core::EvpPkeyPtr old_pub(X509_get_pubkey(old->get()));
  auto key = generateKey(keyTypeOf(old_pub.get()).value_or(KeyType::kEcdsaP256));
  if (!key) return key.error();
  auto cert = signHost(key->get(), *normal);
  if (!cert) return cert.error();

  // All or nothing: the new pair is written beside the old one (NAME.next.*), the renames into
  // place are undone in reverse order if one fails, and the index records the new serial last
  // (a failure to record undoes the renames too). The directory lock is held throughout.
  const std::string next_key = hostsDir() + "/" + name + ".next.key";
  const std::string next_cert = hostsDir() + "/" + name + ".next.pem";
  auto discard_next = [&] {
    ::unlink(next_key.c_str());
    ::unlink(next_cert.c_str());
  };
  if (auto r = writePrivateKey(next_key, key->get(), false); !r) {
    discard_next();
    return r.error();
  }
  if (auto r = writeFileAtomic(next_cert, toPem(cert->get()), kPublicMode); !r) {
    discard_next();
    return r.error();
  }
  const std::string prev_key = hostsDir() + "/" + name + ".prev.key";
  const std::string prev_cert = hostsDir() + "/" + name + ".prev.pem";
  std::vector<std::pair<std::string, std::string>> moved;  // (from, to), in order
  auto move = [&](const std::string& from, const std::string& to) {
    if (options_.rename(from.c_str(), to.c_str()) != 0) return false;
    moved.emplace_back(from, to);
    return true;
  };
  auto undo = [&] {
    for (auto it = moved.rbegin(); it != moved.rend(); ++it)
      (void)::rename(it->second.c_str(), it->first.c_str());
    discard_next();
  };
  if (!move(certPath(name), prev_cert) ||
      (fileExists(keyPath(name)) && !move(keyPath(name), prev_key)) ||
      !move(next_key, keyPath(name)) || !move(next_cert, certPath(name))) {
    const std::string why = errno != 0 ? std::strerror(errno) : "rename failed";
    undo();
    return core::runtimeError("cannot move the rotated files into place in " + hostsDir() + ": " +
                              why + "; the previous certificate and key are unchanged");
  }
  if (auto r = record(cert->get(), name); !r) {
    undo();
    return r.error();
  }
  auto ninfo = core::describeCertificate(cert->get());
  return IssuedFiles{certPath(name), keyPath(name), ninfo.serial_hex, ninfo.fingerprint_sha256};
}

core::Result<std::string> CaDirectory::revoke(const std::string& name, RevocationReason reason,
                                              bool previous) {
  if (auto r = validateHostName(name); !r) return r.error();
  auto lock = DirectoryLock::acquire(dir_);  // the certificate is read under the lock too
  if (!lock) return lock.error();
  const std::string path = previous ? hostsDir() + "/" + name + ".prev.pem" : certPath(name);
  auto cert = core::loadCertificateFile(path);
  if (!cert) return makeError("no certificate to revoke: " + path);
  return revokeLocked(core::describeCertificate(cert->get()).serial_hex, reason);
}

core::Result<std::string> CaDirectory::revokeSerial(const std::string& serial,
                                                    RevocationReason reason) {
  auto lock = DirectoryLock::acquire(dir_);
  if (!lock) return lock.error();
  return revokeLocked(serial, reason);
}

// Caller holds the directory lock.
core::Result<std::string> CaDirectory::revokeLocked(const std::string& serial,
                                                    RevocationReason reason) {
  const std::string path = dir_ + "/index.json";
  auto index = loadIndex(path);
  if (!index) return index.error();
  IndexEntry* e = index->findSerial(serial);
  if (!e) return makeError("serial " + serial + " was not issued by the CA in " + dir_);
  if (e->revoked)
    return makeError("certificate " + serial + " of " + e->name + " is already revoked (" +
                     toString(e->reason) + ", " + formatUtc(e->revoked_at) + ")");
  e->revoked = true;
  e->revoked_at = options_.now();
  e->reason = reason;
  if (auto r = saveIndex(path, *index); !r) return r.error();
  return serial;
}

core::Result<std::uint64_t> CaDirectory::writeCrl(int days) {
  if (days <= 0 || days > 3650) return makeError("--days must be between 1 and 3650");
  auto lock = DirectoryLock::acquire(dir_);
  if (!lock) return lock.error();
  const std::string index_path = dir_ + "/index.json";
  auto index = loadIndex(index_path);
  if (!index) return index.error();
  const std::uint64_t number = index->crl_number + 1;
  const std::time_t now = options_.now();

  core::X509CrlPtr crl(X509_CRL_new());
  if (!crl || X509_CRL_set_version(crl.get(), X509_CRL_VERSION_2) != 1)
    return core::runtimeError("out of memory");
  X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(cert_.get()));
  core::Asn1TimePtr last(ASN1_TIME_set(nullptr, now));
  core::Asn1TimePtr next(ASN1_TIME_set(nullptr, now + static_cast<std::time_t>(days) * 86400));
  if (!last || !next || X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1)
    return core::runtimeError("cannot set CRL dates", core::opensslError());
  for (const auto& e : index->entries) {
    if (!e.revoked) continue;
    core::X509RevokedPtr rev(X509_REVOKED_new());
    auto serial = serialFromHex(e.serial);
    if (!serial) return serial.error();
    core::Asn1TimePtr when(ASN1_TIME_set(nullptr, e.revoked_at));
    if (!rev || !when || X509_REVOKED_set_serialNumber(rev.get(), serial->get()) != 1 ||
        X509_REVOKED_set_revocationDate(rev.get(), when.get()) != 1)
      return core::runtimeError("cannot encode revoked entry " + e.serial, core::opensslError());
    if (e.reason != RevocationReason::kUnspecified) {  // RFC 5280: omit "unspecified"
      core::Asn1EnumeratedPtr code(ASN1_ENUMERATED_new());
      if (!code || ASN1_ENUMERATED_set(code.get(), static_cast<long>(e.reason)) != 1 ||
          X509_REVOKED_add1_ext_i2d(rev.get(), NID_crl_reason, code.get(), 0, 0) != 1)
        return core::runtimeError("cannot encode revocation reason", core::opensslError());
    }
    if (X509_CRL_add0_revoked(crl.get(), rev.get()) != 1)
      return core::runtimeError("cannot add revoked entry", core::opensslError());
    (void)rev.release();  // owned by the CRL now
  }
  X509_CRL_sort(crl.get());
  core::Asn1IntegerPtr crl_number(ASN1_INTEGER_new());
  if (!crl_number || ASN1_INTEGER_set_uint64(crl_number.get(), number) != 1 ||
      X509_CRL_add1_ext_i2d(crl.get(), NID_crl_number, crl_number.get(), 0, 0) != 1)
    return core::runtimeError("cannot add CRL number", core::opensslError());
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, cert_.get(), nullptr, nullptr, crl.get(), 0);
  core::X509ExtPtr aki(
      X509V3_EXT_nconf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1)
    return core::runtimeError("cannot add CRL authority key identifier", core::opensslError());
  if (X509_CRL_sign(crl.get(), key_.get(), signingDigest(key_.get())) <= 0)
    return core::runtimeError("cannot sign the CRL", core::opensslError());

  core::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1)
    return core::runtimeError("cannot encode the CRL", core::opensslError());
  index->crl_number = number;
  if (auto r = saveIndex(index_path, *index); !r) return r.error();
  if (auto r = writeFileAtomic(dir_ + "/crl.pem", bioText(bio.get()), kPublicMode); !r)
    return r.error();
  return number;
}

core::Result<std::string> createRequest(const std::string& dir, const HostRequest& raw) {
  auto request = normalise(raw);
  if (!request) return request.error();
  const std::string hosts = dir + "/hosts";
  const std::string key_path = hosts + "/" + request->name + ".key";
  const std::string csr_path = hosts + "/" + request->name + ".csr";
  if (auto r = makeDirectories(hosts, 0700); !r) return r.error();
  auto lock = DirectoryLock::acquire(dir);
  if (!lock) return lock.error();
  if (fileExists(key_path) || fileExists(csr_path))
    return makeError("host " + request->name + " already has a key or request in " + hosts);
  auto key = generateKey(request->key_type.value_or(KeyType::kEcdsaP256));
  if (!key) return key.error();

  core::X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1)
    return core::runtimeError("out of memory");
  auto subject = commonNameOnly(request->name);
  if (!subject) return subject.error();
  X509_REQ_set_subject_name(req.get(), subject->get());
  X509_REQ_set_pubkey(req.get(), key->get());
  auto sans = makeSubjectAltNames(request->dns_names, request->ips);
  if (!sans) return sans.error();
  core::X509ExtPtr san_ext(X509V3_EXT_i2d(NID_subject_alt_name, 0, sans->get()));
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
  core::X509ExtPtr eku_ext(
      X509V3_EXT_nconf_nid(nullptr, &ctx, NID_ext_key_usage, "serverAuth,clientAuth"));
  core::X509ExtStackPtr exts(sk_X509_EXTENSION_new_null());
  if (!san_ext || !eku_ext || !exts || sk_X509_EXTENSION_push(exts.get(), san_ext.get()) <= 0 ||
      sk_X509_EXTENSION_push(exts.get(), eku_ext.get()) <= 0 ||
      X509_REQ_add_extensions(req.get(), exts.get()) != 1)
    return core::runtimeError("cannot add request extensions", core::opensslError());
  if (X509_REQ_sign(req.get(), key->get(), signingDigest(key->get())) <= 0)
    return core::runtimeError("cannot sign the request", core::opensslError());
  core::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1)
    return core::runtimeError("cannot encode the request", core::opensslError());
  if (auto r = writePrivateKey(key_path, key->get(), true); !r) return r.error();
  if (auto r = writeFileAtomic(csr_path, bioText(bio.get()), kPublicMode, true); !r) {
    ::unlink(key_path.c_str());
    return r.error();
  }
  return csr_path;
}

core::Result<std::string> importCertificate(const std::string& dir, const std::string& name,
                                            const std::string& cert_path,
                                            const std::optional<std::string>& ca_chain_path,
                                            std::time_t now) {
  if (auto r = validateHostName(name); !r) return r.error();
  const std::string hosts = dir + "/hosts";
  const std::string key_path = hosts + "/" + name + ".key";
  const std::string out_path = hosts + "/" + name + ".pem";
  auto lock = DirectoryLock::acquire(dir);
  if (!lock) return lock.error();
  auto text = readFile(cert_path);
  if (!text) return text.error();
  auto certs = parseCertificates(*text, cert_path);
  if (!certs) return certs.error();
  X509* leaf = certs->front().get();
  if (!fileExists(key_path))
    return makeError("no key " + key_path + " for " + name + "; run `ccsec pki csr` first");
  auto key = loadPrivateKey(key_path);
  if (!key) return key.error();
  if (X509_check_private_key(leaf, key->get()) != 1) {
    ERR_clear_error();
    return makeError(cert_path + " does not match the key " + key_path);
  }
  if (X509_check_purpose(leaf, X509_PURPOSE_SSL_SERVER, 0) != 1 ||
      X509_check_purpose(leaf, X509_PURPOSE_SSL_CLIENT, 0) != 1)
    return makeError(cert_path +
                     " is not valid for both TLS server and client authentication "
                     "(extendedKeyUsage serverAuth, clientAuth)");

  std::vector<core::X509Ptr> anchors;
  if (ca_chain_path) {
    auto chain_text = readFile(*ca_chain_path);
    if (!chain_text) return chain_text.error();
    auto chain = parseCertificates(*chain_text, *ca_chain_path);
    if (!chain) return chain.error();
    anchors = std::move(*chain);
  } else if (fileExists(dir + "/ca.pem")) {
    auto ca = core::loadCertificateFile(dir + "/ca.pem");
    if (!ca) return ca.error();
    anchors.push_back(std::move(*ca));
  }
  if (!anchors.empty()) {
    core::X509StorePtr store(X509_STORE_new());
    core::X509StackPtr untrusted(sk_X509_new_null());
    core::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx) return core::runtimeError("out of memory");
    for (const auto& a : anchors) X509_STORE_add_cert(store.get(), a.get());
    for (std::size_t i = 1; i < certs->size(); ++i)
      sk_X509_push(untrusted.get(), (*certs)[i].get());
    if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf, untrusted.get()) != 1)
      return core::runtimeError("cannot set up verification", core::opensslError());
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, now);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_PARTIAL_CHAIN);
    if (X509_verify_cert(ctx.get()) != 1) {
      const char* why = X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get()));
      ERR_clear_error();
      return makeError(cert_path + " does not chain to " +
                       (ca_chain_path ? *ca_chain_path : dir + "/ca.pem") + ": " + why);
    }
  }
  // NAME.pem: the leaf, then intermediates (from the file, then from the chain), no roots.
  std::string out = toPem(leaf);
  std::vector<std::string> seen{core::describeCertificate(leaf).fingerprint_sha256};
  auto append = [&](X509* c) {
    if (selfSigned(c)) return;
    auto fp = core::describeCertificate(c).fingerprint_sha256;
    if (std::find(seen.begin(), seen.end(), fp) != seen.end()) return;
    seen.push_back(fp);
    out += toPem(c);
  };
  for (std::size_t i = 1; i < certs->size(); ++i) append((*certs)[i].get());
  if (ca_chain_path)
    for (const auto& a : anchors) append(a.get());
  if (fileExists(out_path) &&
      ::rename(out_path.c_str(), (hosts + "/" + name + ".prev.pem").c_str()) != 0)
    return core::runtimeError("cannot keep the previous certificate of " + name);
  if (auto r = writeFileAtomic(out_path, out, kPublicMode); !r) return r.error();
  return out_path;
}

}  // namespace ccsec::pki
