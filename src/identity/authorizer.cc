#include "identity/authorizer.h"

#include <deque>

namespace ccsec::identity {

core::Result<std::vector<Server>> serversFromUrls(const std::vector<std::string>& urls,
                                                  const std::vector<std::string>& sites,
                                                  bool starttls, const std::string& own_site) {
  if (urls.empty()) return core::makeError("no directory server URL given");
  std::vector<Server> out;
  for (std::size_t i = 0; i < urls.size(); ++i) {
    auto s = parseServer(urls[i], starttls, i < sites.size() ? sites[i] : std::string());
    if (!s) return s.error();
    out.push_back(std::move(*s));
  }
  return orderBySite(std::move(out), own_site);
}

namespace {
std::string lowerName(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

bool validUserName(std::string_view user) {
  if (user.empty() || user.size() > 128 || user.front() == '-' || user.front() == '.') return false;
  for (char c : user) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) return false;
  }
  return true;
}

Authorizer::Authorizer(DirectoryConfig config, std::vector<std::string> groups_of_interest)
    : config_(std::move(config)), pool_(config_.servers, config_.tls, config_.pool) {
  for (const auto& g : groups_of_interest) interest_.push_back(normalizeDn(g));
}

std::string Authorizer::expand(const std::string& tmpl, std::string_view user, bool dn) const {
  const std::string value = dn ? escapeDnValue(user) : std::string(user);
  std::string out;
  std::size_t pos = 0;
  for (;;) {
    const std::size_t at = tmpl.find("{user}", pos);
    if (at == std::string::npos) break;
    out.append(tmpl, pos, at - pos);
    out += value;
    pos = at + 6;
  }
  out.append(tmpl, pos, std::string::npos);
  return out;
}

OpResult Authorizer::refreshGraph(Connection& conn, int& ops) {
  auto r = conn.search(config_.group_base, Scope::kSub, "(memberOf=*)", {"memberOf"});
  ++ops;
  if (!r.status.ok()) return r.status;
  parents_.clear();
  for (const auto& e : r.entries) {
    auto& p = parents_[normalizeDn(e.dn)];
    if (const auto* m = e.get("memberOf"))
      for (const auto& g : *m) p.push_back(normalizeDn(g));
  }
  graph_at_ = std::chrono::steady_clock::now();
  graph_loaded_ = true;
  return {};
}

OpResult Authorizer::resolveGroups(Connection& conn, Identity& id, int& ops) {
  const bool dn_template = config_.bind_template.find('=') != std::string::npos;
  const std::vector<std::string> attrs = {config_.nested == NestedMode::kMemberOf ? "memberOf"
                                                                                  : "1.1"};
  SearchResult found;
  if (config_.user_filter.empty() && dn_template) {
    found = conn.search(expand(config_.bind_template, id.user, true), Scope::kBase,
                        "(objectClass=*)", attrs, 10, 2);
  } else {
    found =
        conn.search(config_.user_base, Scope::kSub,
                    expand(config_.user_filter, escapeFilterValue(id.user), false), attrs, 10, 2);
  }
  ++ops;
  if (!found.status.ok()) return found.status;
  if (found.entries.size() != 1)
    return {Outcome::kInvalidCredentials, LDAP_NO_SUCH_OBJECT,
            "user entry not found (or not unique) after bind"};
  id.dn = found.entries.front().dn;
  if (config_.nested == NestedMode::kInChain) {
    for (const auto& g : interest_) {
      const std::string filter = "(memberOf:1.2.840.113556.1.4.1941:=" + escapeFilterValue(g) + ")";
      auto r = conn.search(id.dn, Scope::kBase, filter, {"1.1"}, 10, 1);
      ++ops;
      if (!r.status.ok()) return r.status;
      if (!r.entries.empty()) id.groups.insert(g);
    }
    return {};
  }
  std::deque<std::pair<std::string, std::size_t>> todo;
  if (const auto* m = found.entries.front().get("memberOf"))
    for (const auto& g : *m) todo.emplace_back(normalizeDn(g), 1);
  std::lock_guard lock(graph_mu_);
  if (!graph_loaded_ || std::chrono::steady_clock::now() - graph_at_ > config_.group_ttl) {
    if (auto r = refreshGraph(conn, ops); !r.ok()) return r;
  }
  while (!todo.empty()) {
    auto [g, depth] = std::move(todo.front());
    todo.pop_front();
    if (!id.groups.insert(g).second || depth >= config_.max_depth) continue;
    auto it = parents_.find(g);
    if (it == parents_.end()) continue;
    for (const auto& p : it->second) todo.emplace_back(p, depth + 1);
  }
  return {};
}

AuthResult Authorizer::authenticate(std::string_view user, std::string_view password) {
  AuthResult out;
  if (!validUserName(user)) {
    out.outcome = Outcome::kInvalidCredentials;
    out.message = "user name refused (characters or length)";
    return out;
  }
  out.identity.user = std::string(user);
  const bool dn_template = config_.bind_template.find('=') != std::string::npos;
  const std::string bind_name = expand(config_.bind_template, user, dn_template);
  for (int attempt = 0; attempt < 2; ++attempt) {
    OpResult st;
    auto conn = pool_.acquire(&st);
    if (!conn) {
      out.outcome = st.outcome == Outcome::kOk ? Outcome::kUnavailable : st.outcome;
      out.message = st.message;
      return out;
    }
    OpResult r = conn->simpleBind(bind_name, password);
    ++out.ldap_ops;
    if (r.outcome == Outcome::kOk) {
      const std::string key = lowerName(user);
      const auto now = std::chrono::steady_clock::now();
      bool reused = false;
      if (config_.group_ttl.count() > 0) {
        std::lock_guard lock(users_mu_);
        auto it = users_.find(key);
        if (it != users_.end() && now - it->second.at < config_.group_ttl) {
          out.identity.dn = it->second.dn;
          out.identity.groups = it->second.groups;
          reused = true;
        }
      }
      if (!reused) {
        r = resolveGroups(*conn, out.identity, out.ldap_ops);
        if (r.outcome == Outcome::kOk && config_.group_ttl.count() > 0) {
          std::lock_guard lock(users_mu_);
          if (users_.size() >= config_.max_cached_users && !users_.count(key))
            users_.erase(users_.begin());  // bounded: drop one entry, never the whole table
          users_[key] = CachedUser{out.identity.dn, out.identity.groups, now};
        }
      }
    }
    if (r.outcome == Outcome::kUnavailable) {
      // A pooled connection may have been closed by the server while idle: one retry on a
      // fresh connection before the server is declared down.
      if (attempt == 0) continue;
      pool_.failed(std::move(*conn));
    } else {
      pool_.release(std::move(*conn));
    }
    out.outcome = r.outcome;
    out.message = r.message;
    return out;
  }
  return out;
}

}  // namespace ccsec::identity
