#include "core/x509_info.h"

#include <arpa/inet.h>
#include <openssl/pem.h>

#include <algorithm>
#include <cctype>
#include <ctime>

#include "core/cert_identity.h"
#include "core/hex.h"
#include "core/ip.h"

namespace ccsec::core {
namespace {

std::string nameOneLine(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

Date asn1Day(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return Date{};
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return Date::parse(buf).value_or(Date{});
}

}  // namespace

bool CertificateInfo::matchesDnsName(std::string_view name) const {
  return certificateCarriesName(common_name, dns_names, name);  // the one rule (cert_identity.h)
}

bool CertificateInfo::matchesIp(std::string_view ip) const {
  auto want = IpAddress::parse(ip);
  if (!want) return false;
  return std::any_of(ip_addresses.begin(), ip_addresses.end(), [&](const std::string& s) {
    auto have = IpAddress::parse(s);
    return have && *have == *want;
  });
}

CertificateInfo describeCertificate(X509* cert) {
  CertificateInfo info;
  info.subject = nameOneLine(X509_get_subject_name(cert));
  info.issuer = nameOneLine(X509_get_issuer_name(cert));
  char cn[256];
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn) > 0)
    info.common_name = cn;
  GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans.get()); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans.get(), i);
      if (gn->type == GEN_DNS) {
        const ASN1_IA5STRING* s = gn->d.dNSName;
        info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                    static_cast<size_t>(ASN1_STRING_length(s)));
      } else if (gn->type == GEN_IPADD) {
        const ASN1_OCTET_STRING* s = gn->d.iPAddress;
        char buf[64] = {0};
        int len = ASN1_STRING_length(s);
        const unsigned char* d = ASN1_STRING_get0_data(s);
        if (len == 4) inet_ntop(AF_INET, d, buf, sizeof buf);
        if (len == 16) inet_ntop(AF_INET6, d, buf, sizeof buf);
        if (buf[0]) info.ip_addresses.emplace_back(buf);
      }
    }
  }
  BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr));
  if (bn) {
    char* hex = BN_bn2hex(bn.get());
    info.serial_hex = hex;
    OPENSSL_free(hex);
  }
  info.not_before = asn1Day(X509_get0_notBefore(cert));
  info.not_after = asn1Day(X509_get0_notAfter(cert));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  if (X509_digest(cert, EVP_sha256(), md, &md_len) == 1)
    info.fingerprint_sha256 = "sha256:" + hexLower({md, md_len});
  if (X509_pubkey_digest(cert, EVP_sha256(), md, &md_len) == 1)
    info.public_key_sha256 = "sha256:" + hexLower({md, md_len});
  info.is_ca = X509_check_ca(cert) > 0;
  return info;
}

Result<X509Ptr> loadCertificateFile(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "rb"));
  if (!bio) return makeError("cannot open certificate " + path);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) {
    BIO_reset(bio.get());
    cert.reset(d2i_X509_bio(bio.get(), nullptr));
  }
  if (!cert) return makeError(path + ": not a PEM or DER certificate", opensslError());
  return cert;
}

Result<CertificateInfo> readCertificateFile(const std::string& path) {
  auto cert = loadCertificateFile(path);
  if (!cert) return cert.error();
  return describeCertificate(cert->get());
}

}  // namespace ccsec::core
