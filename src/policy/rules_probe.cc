// The live rules (CCS-PRB-*): verdicts of `ccsec probe` on what the wire shows. They have no
// check function over the inventory; src/probe evaluates them from its observations and emits
// findings through policy::emit() like every other rule (same formats, waivers, baselines).

#include "policy/registry.h"

namespace ccsec::policy {

const std::vector<Rule>& probeRules() {
  using L = Layer;
  using S = Severity;
  static const std::vector<Rule> kRules = [] {
    std::vector<Rule> rules = {
        {"CCS-PRB-001", L::kTls, S::kHigh, "Live: TLS version below the minimum accepted",
         "Security Layers",
         "The solution uses TLS 1.2 by default; a listener that still completes a TLS 1.0 or 1.1 "
         "(or "
         "a version below the channel's min_version) handshake invites downgrade attacks.",
         "Raise the listener's minimum protocol version to TLS 1.2 (or the channel's min_version); "
         "if a legacy peer needs it, declare legacy_tls: true on the channel and plan the "
         "upgrade."},
        {"CCS-PRB-002", L::kTls, S::kMedium, "Live: non-AEAD cipher suite accepted",
         "Security Layers",
         "CBC-mode and other non-AEAD suites are the source of padding-oracle and Lucky13-class "
         "attacks; modern TLS offers only AEAD suites.",
         "Restrict the listener's cipher list to AEAD suites (AES-GCM, ChaCha20-Poly1305)."},
        {"CCS-PRB-003", L::kTls, S::kCritical,
         "Live: personal-data channel does not demand a client certificate",
         "Secured PII in Transit",
         "Personal-data channels (GED-188, GED-125, GED-145, MR) are mutually authenticated: a "
         "server that completes a session without a client certificate serves personal data to "
         "anyone who can connect.",
         "Require a client certificate on the listener (verify peer and fail without one) and pin "
         "the allowed peers."},
        {"CCS-PRB-004", L::kTls, S::kHigh, "Live: plaintext answered on a TLS port",
         "Secured PII in Transit",
         "A TLS port that answers a plaintext request (GED-188 OPEN_REQ, HTTP, SIP OPTIONS) falls "
         "back to clear text.",
         "Configure the listener to accept TLS only; a failed handshake must close the "
         "connection."},
        {"CCS-PRB-005", L::kTls, S::kHigh, "Live: plaintext port of a secured channel is open",
         "Secured PII in Transit",
         "Once a channel is secured, the design allows no fallback to the non-secured mode; an "
         "open "
         "plaintext port (e.g. CTI 42027 next to 42030) is that fallback.",
         "Disable the plaintext listener (non-secured mode) on the host and block the port in the "
         "host firewall."},
        {"CCS-PRB-006", L::kTls, S::kHigh, "Live: certificate or key shared between hosts",
         "Secured PII in Transit",
         "Two hosts serving one certificate or one key let one compromised host impersonate the "
         "others and defeat peer pinning (one certificate per VM).",
         "Issue each host its own key and certificate (ccsec pki issue) and deploy it."},
        {"CCS-PRB-007", L::kTls, S::kHigh, "Live: certificate does not chain to the deployment CA",
         "Secured PII in Transit",
         "A served certificate that does not chain to the deployment CA is either a stray "
         "self-signed certificate or an impostor; peers that verify will refuse it.",
         "Serve a certificate issued by the deployment CA, with its intermediates."},
        {"CCS-PRB-008", L::kTls, S::kHigh, "Live: certificate does not name the host",
         "Secured PII in Transit",
         "A certificate whose SAN names neither the host's DNS name nor its address fails "
         "verification or trains people to ignore it.",
         "Reissue the certificate with the host's DNS name (and address) in subjectAltName."},
        {"CCS-PRB-009", L::kTls, S::kHigh, "Live: certificate expired or expiring",
         "Secured PII in Transit",
         "An expired certificate breaks TLS; one expiring within the warning window "
         "(cert_warn_days) "
         "will soon.",
         "Renew the certificate (ccsec pki renew) and deploy it before it expires."},
        {"CCS-PRB-010", L::kTls, S::kMedium, "Live: weak certificate key", "Secured PII in Transit",
         "RSA keys below 2048 bits and EC keys below 256 bits are below the design's security "
         "level.",
         "Reissue the certificate with an RSA 3072 or ECDSA P-256 (or stronger) key."},
        {"CCS-PRB-011", L::kTls, S::kHigh, "Live: TLS listener does not complete a TLS handshake",
         "Secured PII in Transit",
         "The inventory declares TLS on this listener, but no TLS handshake succeeds: the port "
         "serves something else, or only versions and suites no client should use.",
         "Enable TLS on the listener (the channel's TLS port) with TLS 1.2 or newer."},
        {"CCS-PRB-012", L::kNetwork, S::kMedium, "Live: declared listener absent",
         "Security Layers",
         "The inventory declares this listener but nothing accepts connections on it: the "
         "inventory "
         "and the deployment have drifted, or the service is down.",
         "Start the service or correct the inventory."},
        {"CCS-PRB-013", L::kNetwork, S::kMedium, "Live: undeclared catalog port open",
         "Host-Based Firewall",
         "A port that the catalog knows for another role is open on a host that does not declare "
         "that role: an unexpected service or a stale one.",
         "Stop the service or declare the role in the inventory; close the port in the host "
         "firewall."},
        {"CCS-PRB-014", L::kNetwork, S::kCritical,
         "Live: perimeter-blocked port reachable from outside", "Network Firewall Topology",
         "UDP 135, 137, 138, 445 and TCP 135, 139, 445, 593 must be blocked at the enterprise "
         "perimeter; reachable from an external zone they expose Windows RPC, NetBIOS and SMB.",
         "Block the port at the perimeter firewall (ccsec render for the perimeter's vendor)."},
        {"CCS-PRB-015", L::kDirectory, S::kHigh, "Live: directory traffic without TLS",
         "Active Directory Deployment",
         "Directory binds carry credentials: the domain controller must offer StartTLS on 389 and "
         "LDAPS on 636 (3269 for the global catalog) and refuse simple binds in clear "
         "(confidentiality required).",
         "Install a certificate on the domain controller (LDAPS, StartTLS) and require "
         "signing/confidentiality for simple binds."},
    };
    // Every live rule rests on the same contract and reads the same facts: the listeners the
    // channel graph derives (host address, port, expected protection) and the wire.
    for (Rule& r : rules) {
      r.design =
          "docs/design.md §4 probe: what is live is judged against the inventory's listeners";
      r.keys =
          "hosts[].address, hosts[].roles, channels[] (expected protection), sites[].perimeter";
    }
    return rules;
  }();
  return kRules;
}

}  // namespace ccsec::policy
