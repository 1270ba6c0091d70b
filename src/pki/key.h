#pragma once
// Private keys: generation (OpenSSL 3 EVP), PEM encoding into secure memory, 0600 files.
// Key material is never logged and never appears in an Error.

#include <optional>
#include <string>
#include <string_view>

#include "core/handles.h"
#include "core/result.h"

namespace ccsec::pki {

enum class KeyType { kEcdsaP256, kEcdsaP384, kRsa3072 };

/// "ecdsa-p256" | "ecdsa-p384" | "rsa-3072"
std::optional<KeyType> parseKeyType(std::string_view text);
const char* toString(KeyType type);
/// "ecdsa-p256", "ecdsa-p384", "rsa-3072" or e.g. "rsa-2048"/"ec-secp521r1" for other keys.
std::string describeKey(EVP_PKEY* key);
/// The key type a certificate's public key has, when it is one of ours.
std::optional<KeyType> keyTypeOf(EVP_PKEY* key);

core::Result<core::EvpPkeyPtr> generateKey(KeyType type);
/// The digest to sign with: SHA-384 for P-384 keys, SHA-256 otherwise.
const EVP_MD* signingDigest(EVP_PKEY* key);

/// Writes `key` as unencrypted PKCS#8 PEM to `path`, mode 0600 from creation. With `exclusive`,
/// an existing file is an error.
core::Result<void> writePrivateKey(const std::string& path, EVP_PKEY* key, bool exclusive);
core::Result<core::EvpPkeyPtr> loadPrivateKey(const std::string& path);

}  // namespace ccsec::pki
