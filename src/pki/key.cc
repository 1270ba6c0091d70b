#include "pki/key.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/pem.h>

#include "pki/files.h"

namespace ccsec::pki {

std::optional<KeyType> parseKeyType(std::string_view text) {
  if (text == "ecdsa-p256") return KeyType::kEcdsaP256;
  if (text == "ecdsa-p384") return KeyType::kEcdsaP384;
  if (text == "rsa-3072") return KeyType::kRsa3072;
  return std::nullopt;
}

const char* toString(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEcdsaP384:
      return "ecdsa-p384";
    case KeyType::kRsa3072:
      return "rsa-3072";
  }
  return "unknown";
}

std::string describeKey(EVP_PKEY* key) {
  if (EVP_PKEY_is_a(key, "EC")) {
    char group[80] = {0};
    size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
      return "ec-unknown";
    std::string g(group, len);
    if (g == "prime256v1" || g == "P-256") return "ecdsa-p256";
    if (g == "secp384r1" || g == "P-384") return "ecdsa-p384";
    return "ec-" + g;
  }
  if (EVP_PKEY_is_a(key, "RSA")) return "rsa-" + std::to_string(EVP_PKEY_get_bits(key));
  const char* name = EVP_PKEY_get0_type_name(key);
  return name ? name : "unknown";
}

std::optional<KeyType> keyTypeOf(EVP_PKEY* key) { return parseKeyType(describeKey(key)); }

core::Result<core::EvpPkeyPtr> generateKey(KeyType type) {
  const bool rsa = type == KeyType::kRsa3072;
  core::EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, rsa ? "RSA" : "EC", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1)
    return core::runtimeError("key generation setup failed", core::opensslError());
  int rc =
      rsa ? EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), 3072)
          : EVP_PKEY_CTX_set_group_name(ctx.get(), type == KeyType::kEcdsaP384 ? "P-384" : "P-256");
  if (rc != 1)
    return core::runtimeError("key generation parameters rejected", core::opensslError());
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1)
    return core::runtimeError("key generation failed", core::opensslError());
  return core::EvpPkeyPtr(raw);
}

const EVP_MD* signingDigest(EVP_PKEY* key) {
  return describeKey(key) == "ecdsa-p384" ? EVP_sha384() : EVP_sha256();
}

core::Result<void> writePrivateKey(const std::string& path, EVP_PKEY* key, bool exclusive) {
  // Secure-heap BIO when available; either way the buffer is cleansed before it is freed.
  core::BioPtr bio(BIO_new(BIO_s_secmem()));
  if (!bio) return core::runtimeError("cannot allocate key buffer", core::opensslError());
  if (PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    return core::runtimeError("cannot encode private key for " + path, core::opensslError());
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  auto written = writeFileAtomic(path, std::string_view(data, static_cast<std::size_t>(len)),
                                 kKeyMode, exclusive);
  OPENSSL_cleanse(data, static_cast<std::size_t>(len));
  return written;
}

core::Result<core::EvpPkeyPtr> loadPrivateKey(const std::string& path) {
  core::BioPtr bio(BIO_new_file(path.c_str(), "rb"));
  if (!bio) return core::makeError("cannot open private key " + path);
  // A refusing passphrase callback: an encrypted key is an error, never a terminal prompt.
  pem_password_cb* no_prompt = [](char*, int, int, void*) -> int { return 0; };
  core::EvpPkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_prompt, nullptr));
  if (!key) return core::makeError(path + ": not a PEM private key (or it is encrypted)");
  return key;
}

}  // namespace ccsec::pki
