#pragma once
// The deployment inventory, schema v1 (docs/design.md §2), as an immutable typed model.
//
// Contract: a Model is produced only by inventory::load*() (loader.h) after full validation:
// every reference (site, zone, domain, host, role, endpoint) resolves, names are unique per kind,
// addresses lie in their zone's CIDR. Consumers (policy, render, pki, gateway, probe) may rely on
// that and look names up with the find*() helpers. Every element keeps the SourceLoc of the
// YAML node it came from so that findings and rendered rules point back at the inventory line.
// Optional facts the inventory may omit are std::optional: rules report "not stated" for them
// rather than guessing (docs/design.md §3, scope and missing facts).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/ip.h"
#include "yaml/diagnostic.h"

namespace ccsec::inventory {

/// 1-based line and column of a YAML node in `Model::source_file`; 0 when synthesised.
using SourceLoc = yaml::SourceLoc;

enum class SecurityModel { kUnsecured, kSignaling, kAgentMedia, kEndToEnd };  // design models 1-4
enum class ZoneKind { kDatacenter, kDmz, kCorporate, kAgent, kExternal };
enum class PhysicalAccess { kControlled, kUncontrolled };
enum class PerimeterVendor { kAsa, kNftables };
enum class LinkProtection { kIpsec, kNone };
enum class DomainMode { kNative, kMixed };
enum class Os { kWindows, kVos, kLinux };
enum class IpsecMode { kNone, kIsolation, kPeer };
enum class OnAccessScan { kWrites, kAll, kOff };
enum class EndpointKind { kIpPhone, kSoftphone, kMobileAgent };
enum class DeviceSecurity { kNone, kAuthenticated, kEncrypted };
enum class Recording { kDesktop, kNetwork, kNone };
enum class IvrPlatform { kVvb, kIosVxmlGateway };
enum class Codec { kG711Ulaw, kG711Alaw, kG729 };
enum class CollabAuth { kActiveDirectory, kLocal };
enum class Transport { kTcp, kUdp };

/// The YAML spelling of each enum value ("end-to-end", "datacenter", ...).
const char* toString(SecurityModel v);
const char* toString(ZoneKind v);
const char* toString(PhysicalAccess v);
const char* toString(PerimeterVendor v);
const char* toString(LinkProtection v);
const char* toString(DomainMode v);
const char* toString(Os v);
const char* toString(IpsecMode v);
const char* toString(OnAccessScan v);
const char* toString(EndpointKind v);
const char* toString(DeviceSecurity v);
const char* toString(Recording v);
const char* toString(IvrPlatform v);
const char* toString(Codec v);
const char* toString(CollabAuth v);
const char* toString(Transport v);

struct Deployment {
  std::string name;
  SecurityModel security_model = SecurityModel::kEndToEnd;
  std::string tls_min_version = "1.2";  // "1.2" or "1.3"
  int instance = 0;                     // catalog ports shift by 40 * instance
  /// Local hours of heavy contact-center use, "HH:MM-HH:MM" (may wrap midnight). Scheduled
  /// work (antivirus scans) is placed outside it. Default "06:00-22:00".
  std::string busy_hours = "06:00-22:00";
  SourceLoc loc;
};

struct Zone {
  std::string name;
  std::string site;  // owning site (filled by the loader)
  ZoneKind kind = ZoneKind::kDatacenter;
  core::Cidr cidr;
  SourceLoc loc;
};

struct PerimeterAllow {
  Transport proto = Transport::kTcp;
  std::uint16_t port = 0;
  std::string to;  // host name
  std::string reason;
  SourceLoc loc;
};

struct Perimeter {
  PerimeterVendor vendor = PerimeterVendor::kAsa;
  std::vector<std::string> contexts;  // ASA security contexts
  std::vector<PerimeterAllow> allow;
  SourceLoc loc;
};

struct Site {
  std::string name;
  PhysicalAccess physical_access = PhysicalAccess::kControlled;
  std::vector<Zone> zones;
  std::optional<Perimeter> perimeter;
  SourceLoc loc;
};

struct SiteLink {
  std::string a, b;  // site names
  LinkProtection protection = LinkProtection::kNone;
  SourceLoc loc;
};

struct DirectoryDomain {
  std::string name;
  std::string forest;  // owning forest (filled by the loader)
  DomainMode mode = DomainMode::kNative;
  bool global_catalog = false;
  SourceLoc loc;
};

struct Forest {
  std::string name;
  std::vector<DirectoryDomain> domains;
  SourceLoc loc;
};

struct DomainController {
  std::string name;
  core::IpAddress address;
  std::string domain;
  std::string site;
  bool global_catalog = false;
  SourceLoc loc;
};

struct Directory {
  std::vector<Forest> forests;
  std::vector<DomainController> controllers;
  int security_group_update = 0;  // ADSecurityGroupUpdate: 0 or 1
  SourceLoc loc;
};

struct Antivirus {
  bool installed = false;
  std::optional<int> definitions_age_days;
  std::optional<OnAccessScan> on_access;
  std::optional<bool> scan_remote_drives;
  std::optional<std::string> scheduled_window;  // "HH:MM-HH:MM"
  SourceLoc loc;
};

struct Protection {
  std::optional<bool> host_firewall;
  IpsecMode ipsec = IpsecMode::kNone;
  std::vector<std::string> ipsec_boundary;  // host or zone names
  std::optional<Antivirus> antivirus;
  std::optional<core::Date> last_patched;
  std::optional<bool> sql_hardened;
  SourceLoc loc;
};

struct CertificateRef {
  std::optional<std::string> path;         // as written; relative to the inventory file
  std::optional<std::string> fingerprint;  // "sha256:<hex>"
  SourceLoc loc;
};

/// A listener declared by the inventory for a host with the `custom` role.
struct CustomListener {
  std::string channel;  // channel kind it serves, e.g. "mr" or "ged-188"
  Transport proto = Transport::kTcp;
  std::uint16_t port = 0;
  std::optional<std::uint16_t> tls_port;
  SourceLoc loc;
};

struct Host {
  std::string name;
  std::string site;
  std::string zone;
  core::IpAddress address;
  std::optional<std::string> dns_name;  // FQDN for certificates; defaults to name
  Os os = Os::kWindows;
  std::optional<std::string> domain;
  std::optional<std::string> ou;
  std::optional<char> side;  // 'a' | 'b'
  std::vector<std::string> roles;
  std::vector<CustomListener> listeners;  // only with role `custom`
  Protection protection;
  std::optional<CertificateRef> certificate;
  SourceLoc loc;

  bool hasRole(std::string_view role) const;
};

/// A `channels:` entry: overrides properties of a derived edge (matched by kind, server, client)
/// or adds an edge the catalog does not derive.
struct ChannelSpec {
  std::string kind;
  std::string server;  // host name
  std::string client;  // host or endpoint-group name
  std::optional<bool> tls;
  std::optional<bool> legacy_tls;
  std::optional<std::string> min_version;  // "1.0" | "1.1" | "1.2" | "1.3"
  std::optional<bool> fallback;
  std::optional<std::uint16_t> port;  // for added edges; defaults to the catalog listener
  SourceLoc loc;
};

struct NatRule {
  std::vector<std::string> between;  // two zone names
  std::vector<std::string> fixups;   // e.g. "ctiqbe", "sip"
  SourceLoc loc;
};

struct EndpointGroup {
  std::string name;
  EndpointKind kind = EndpointKind::kIpPhone;
  std::string site;
  std::string zone;
  int count = 0;
  std::optional<bool> srtp;
  std::optional<DeviceSecurity> device_security;
  std::optional<bool> pc_voice_vlan_access;  // phone default: enabled
  std::optional<bool> span_to_pc_port;       // phone default: enabled
  std::optional<bool> gratuitous_arp;        // phone default: enabled (the design wants it off)
  std::optional<Recording> recording;
  SourceLoc loc;
};

struct Media {
  std::optional<IvrPlatform> ivr_platform;
  std::optional<Codec> ivr_codec;
  std::optional<Codec> agent_codec;
  bool whisper_announcement = false;
  bool outbound_dialer = false;
  std::vector<std::string> anchor_srtp_for;  // "mobile-agent", "dialer", ...
  std::optional<bool> vxml_remote_tls;
  std::optional<std::string> vxml_remote_auth;  // "basic" | "none"
  SourceLoc loc;
  SourceLoc vxml_remote_loc;
};

struct Collaboration {
  std::string host;
  CollabAuth authentication = CollabAuth::kActiveDirectory;
  std::optional<std::string> allowed_group;
  std::vector<std::string> blocked_urls;
  SourceLoc loc;
};

struct ServiceAccount {
  std::string name;
  std::string domain;
  std::vector<std::string> hosts;
  std::vector<std::string> local_groups;
  SourceLoc loc;
};

struct UserAccount {
  std::string name;
  bool setup = false;
  bool config = false;
  std::vector<std::string> local_groups;
  std::optional<std::string> domain;
  SourceLoc loc;
};

struct Waiver {
  std::string rule;    // CCS-XXX-NNN
  std::string target;  // as in the finding's target
  std::string reason;
  std::string owner;
  core::Date expires;
  SourceLoc loc;
};

struct Model {
  Model() = default;
  Model(const Model&) = delete;  // indexes point into the vectors: move, never copy
  Model& operator=(const Model&) = delete;
  Model(Model&&) = default;
  Model& operator=(Model&&) = default;

  std::string source_file;  // path as given to the loader
  int version = 1;
  Deployment deployment;
  std::vector<Site> sites;
  std::vector<SiteLink> site_links;
  Directory directory;
  std::vector<Host> hosts;
  std::vector<ChannelSpec> channels;
  std::vector<NatRule> nat;
  std::vector<EndpointGroup> endpoints;
  std::optional<Media> media;
  std::optional<Collaboration> collaboration;
  std::vector<ServiceAccount> service_accounts;
  std::vector<UserAccount> users;
  std::vector<Waiver> waivers;

  // Lookups by name (nullptr when absent). O(1): indexes are built by the loader.
  const Site* findSite(std::string_view name) const;
  const Zone* findZone(std::string_view name) const;
  const Host* findHost(std::string_view name) const;
  const EndpointGroup* findEndpoint(std::string_view name) const;
  const DirectoryDomain* findDomain(std::string_view name) const;
  const DomainController* findController(std::string_view name) const;

  /// Called by the loader once the vectors are final; lookups are invalid before.
  void buildIndexes();

 private:
  std::map<std::string, const Site*, std::less<>> site_index_;
  std::map<std::string, const Zone*, std::less<>> zone_index_;
  std::map<std::string, const Host*, std::less<>> host_index_;
  std::map<std::string, const EndpointGroup*, std::less<>> endpoint_index_;
  std::map<std::string, const DirectoryDomain*, std::less<>> domain_index_;
  std::map<std::string, const DomainController*, std::less<>> controller_index_;
};

}  // namespace ccsec::inventory
