#pragma once
// Directory authentication and group-based authorization for one user: bind as the user over
// TLS (the directory checks the password and its own lockout/expiry policy), read the user's
// groups, resolve nested groups, and decide against the allowed group.
//
// Nested groups: OpenLDAP's memberOf overlay writes one level (a user's direct groups, a group's
// direct parents), so kMemberOf walks memberOf upwards from the user's groups through a group
// graph read once per `group_ttl` (one search of group_base); Active Directory answers the
// transitive question itself with the LDAP_MATCHING_RULE_IN_CHAIN rule (kInChain: one search
// per group of interest).
//
// A user's resolved groups are reused for group_ttl (the bind, i.e. the password, lockout and
// expiry check, happens on every call): an uncached decision then costs one bind.
//
// Threading: authenticate() is thread-safe (the pool and the group caches are locked).

#include <chrono>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "identity/ldap.h"

namespace ccsec::identity {

enum class NestedMode { kMemberOf, kInChain };

struct DirectoryConfig {
  std::vector<Server> servers;  // already ordered: own site first
  std::string site;
  TlsOptions tls;
  Pool::Options pool;
  /// How a user name becomes a bind name: "{user}" is replaced by the (validated) user name,
  /// DN-escaped when the template is a DN ("uid={user},ou=people,dc=x") and as is for an AD
  /// user principal name ("{user}@corp.example.com").
  std::string bind_template;
  /// Where and how the user's entry is found after the bind (as the user). Empty filter:
  /// the bind name is the entry's DN (base search).
  std::string user_base;
  std::string user_filter;  // e.g. "(userPrincipalName={user}@corp.example.com)"
  NestedMode nested = NestedMode::kMemberOf;
  std::string group_base;  // kMemberOf: where the group graph is read from
  /// How long the group graph and a user's resolved groups are reused. The password is checked
  /// by a bind on every call regardless; only group membership is reused (0: read every time).
  std::chrono::seconds group_ttl{60};
  std::size_t max_cached_users = 100000;
  std::size_t max_depth = 10;
};

/// Builds a DirectoryConfig's server list from URLs (refuses plaintext) and orders it by site.
core::Result<std::vector<Server>> serversFromUrls(const std::vector<std::string>& urls,
                                                  const std::vector<std::string>& sites,
                                                  bool starttls, const std::string& own_site);

/// A user name accepted for binding: 1..128 bytes of [A-Za-z0-9._@-], not starting with '-' or
/// '.'. Anything else is refused before the directory sees it.
bool validUserName(std::string_view user);

struct Identity {
  std::string user;
  std::string dn;
  std::set<std::string> groups;  // normalized DNs, transitive
};

struct AuthResult {
  Outcome outcome = Outcome::kOk;  // kInvalidCredentials: 401, kUnavailable: 503
  Identity identity;
  std::string message;
  int ldap_ops = 0;
};

class Authorizer {
 public:
  Authorizer(DirectoryConfig config, std::vector<std::string> groups_of_interest);
  /// Binds as `user` and resolves the user's groups (those of interest for kInChain).
  AuthResult authenticate(std::string_view user, std::string_view password);
  Pool& pool() { return pool_; }
  const DirectoryConfig& config() const { return config_; }

 private:
  std::string expand(const std::string& tmpl, std::string_view user, bool dn) const;
  OpResult resolveGroups(Connection& conn, Identity& id, int& ops);
  OpResult refreshGraph(Connection& conn, int& ops);

  DirectoryConfig config_;
  std::vector<std::string> interest_;  // normalized
  Pool pool_;
  std::mutex graph_mu_;
  std::unordered_map<std::string, std::vector<std::string>> parents_;  // group -> its groups
  std::chrono::steady_clock::time_point graph_at_{};
  bool graph_loaded_ = false;
  struct CachedUser {
    std::string dn;
    std::set<std::string> groups;
    std::chrono::steady_clock::time_point at;
  };
  std::mutex users_mu_;
  std::unordered_map<std::string, CachedUser> users_;  // lower-cased user name
};

}  // namespace ccsec::identity
