// The explicit registry: one entry per rule. To add a rule, write its check in the area's
// rules_<area>.cc, declare it in checks.h and add one entry here (docs/adding-a-rule.md).

#include "policy/registry.h"

#include "policy/checks.h"

namespace ccsec::policy {

namespace c = checks;
using L = Layer;
using S = Severity;

const std::vector<Rule>& checkedRules() {
  static const std::vector<Rule> kRules = {
      // --- network ----------------------------------------------------------------------
      {"CCS-NET-001", L::kNetwork, S::kHigh, "Core-role hosts are not in a DMZ", "Network Firewalls",
       "Core contact center servers exposed in a DMZ are reachable from externally visible networks; the design keeps them out of any DMZ.",
       "Move the host to a datacenter zone and reach it from the DMZ only through the firewall's ACLs.",
       c::coreNotInDmz},
      {"CCS-NET-002", L::kNetwork, S::kHigh, "Core-role hosts sit in segmented datacenter zones", "Network Firewalls",
       "Core servers belong in data centers, segmented from corporate, agent and external networks by firewalls or router ACLs.",
       "Place core hosts in a datacenter zone whose address range does not overlap corporate or agent zones, and filter between them with ACLs.",
       c::coreInDatacenter},
      {"CCS-NET-003", L::kNetwork, S::kCritical, "Perimeter blocks Windows RPC/NetBIOS/SMB ports", "Network Firewall Topology",
       "UDP 135, 137, 138, 445 and TCP 135, 139, 445, 593 must be blocked at the enterprise perimeter firewall.",
       "Remove the perimeter allow exception for this port; reach the service through a VPN or a proxy instead.",
       c::perimeterBlocksWindowsPorts},
      {"CCS-NET-004", L::kNetwork, S::kMedium, "HDS runs on a dedicated host", "Network Firewall Topology",
       "Dedicated historical data servers isolate database and web services from the other core components.",
       "Move the other core roles off the hds host (or the hds role to a host of its own).",
       c::hdsDedicated},
      {"CCS-NET-005", L::kNetwork, S::kMedium, "Few Administration & Data Servers per site", "Network Firewall Topology",
       "Each Administration & Data Server carries a database and a wider attack surface; the design minimises them in favour of Administration Clients.",
       "Reduce the aw hosts of the site (default at most 2, --set aw_per_site=N) and give other administrators admin-client hosts.",
       c::fewAwHosts},
      {"CCS-NET-006", L::kNetwork, S::kHigh, "NAT declares fix-ups for address-carrying protocols", "Network Address Translation",
       "NAT rewrites only IP headers; CTIQBE/JTAPI and SIP carry addresses in the payload and break without the router's or ASA's fix-ups.",
       "Enable the missing fix-ups (inspect ctiqbe / inspect sip) on the NAT device and list them in the nat entry's fixups.",
       c::natFixups},
      {"CCS-NET-007", L::kNetwork, S::kHigh, "Links between sites with core hosts use IPsec", "Network Firewall Topology",
       "Traffic between geographically distributed sites crosses networks the deployment does not control; the design uses IOS IPsec site-to-site VPNs.",
       "Protect the site link with a site-to-site IPsec VPN and set protection: ipsec.",
       c::siteLinksIpsec},
      // --- ipsec ------------------------------------------------------------------------
      {"CCS-IPS-001", L::kIpsec, S::kHigh, "DMP links are IPsec-protected", "IPsec Deployment",
       "The central controller to PG link (DMP) has no TLS variant; the design secures it with Windows IPsec.",
       "Put both ends of the dmp edge under IPsec (isolation, or peer mode listing the edge in channels:).",
       c::dmpIpsec},
      {"CCS-IPS-002", L::kIpsec, S::kHigh, "Core-to-core links without TLS use IPsec", "IPsec Deployment",
       "Intra-server traffic such as private, replication, SQL and JTAPI links is plaintext unless IPsec (ESP) encrypts it.",
       "Enable TLS on the edge or put both hosts under Windows IPsec (isolation policy or a peer rule for the edge).",
       c::coreLinksProtected},
      {"CCS-IPS-003", L::kIpsec, S::kHigh, "Isolated hosts can reach their peers", "IPsec Deployment",
       "The Network Isolation policy secures all paths to or from a host unless an exception is made; a peer without IPsec and without an exception is cut off.",
       "Put the peer under isolation too, or list it (host or zone) in the host's protection.ipsec_boundary.",
       c::isolationReachable},
      {"CCS-IPS-004", L::kIpsec, S::kInfo, "IPsec on hosts that carry many agents", "IPsec Deployment",
       "Enabling IPsec affects scalability; hosts that serve many agent endpoints feel it first.",
       "Size these hosts for the IPsec overhead or move their agent traffic to TLS (threshold --set agents_per_ipsec_host=N).",
       c::ipsecScalability},
      // --- tls --------------------------------------------------------------------------
      {"CCS-TLS-001", L::kTls, S::kCritical, "Personal-data channels use TLS", "Secured PII in Transit",
       "GED-188, GED-125, GED-145 and MR carry personally identifiable information; the solution protects them with TLS.",
       "Enable TLS on the channel (the listener's TLS port) and remove any tls: false override.",
       c::personalDataTls},
      {"CCS-TLS-002", L::kTls, S::kHigh, "TLS minimum version is 1.2", "Security Layers",
       "The solution uses TLS 1.2 by default; older versions are enabled only where a component needs them.",
       "Raise min_version to 1.2; where a legacy peer forces an older version, set legacy_tls: true and plan its upgrade.",
       c::tlsMinimumVersion},
      {"CCS-TLS-003", L::kTls, S::kHigh, "No fallback to plaintext", "Secured PII in Transit",
       "A channel that falls back to plaintext when the handshake fails gives an attacker a downgrade to clear text.",
       "Set fallback: false so that a failed handshake closes the connection.",
       c::noPlaintextFallback},
      {"CCS-TLS-004", L::kTls, S::kHigh, "One certificate per host", "Secured PII in Transit",
       "A certificate or key shared between hosts lets one compromised host impersonate the others and defeats peer pinning.",
       "Issue each host its own key and certificate (ccsec pki issue).",
       c::uniqueCertificates},
      {"CCS-TLS-005", L::kTls, S::kHigh, "Host certificates are valid and name the host", "Secured PII in Transit",
       "An expired certificate or one whose names do not match the host breaks TLS or trains people to ignore verification.",
       "Renew the certificate before it expires (--set cert_warn_days=N for the warning window) with the host's name, dns_name or address in its subjectAltName.",
       c::certificatesValid},
      {"CCS-TLS-006", L::kTls, S::kHigh, "Agent desktop channels use TLS", "Security Layers",
       "The solution supports TLS for agent desktops to protect customer-sensitive information from eavesdropping.",
       "Serve the agent desktop over HTTPS only and remove any tls: false override.",
       c::desktopTls},
      {"CCS-TLS-007", L::kTls, S::kHigh, "VXML remote server uses TLS and password authentication", "Secure Signaling and Media Design and Configuration",
       "The VXML server's connection to a custom remote server supports TLS for RPC and HTTP calls and user name/password authentication.",
       "Set media.vxml_remote_server to tls: true and auth: basic.",
       c::vxmlRemoteServer},
      // --- media ------------------------------------------------------------------------
      {"CCS-MED-001", L::kMedia, S::kHigh, "SIP uses TLS under secured signaling", "Deployment Models",
       "From the secured-signaling model up, all SIP call setup is carried over TLS.",
       "Use SIP over TLS (port 5061) on this edge and remove any tls: false override.",
       c::sipTls},
      {"CCS-MED-002", L::kMedia, S::kHigh, "Agent phones are SRTP-capable", "Media Encryption (SRTP) Considerations",
       "Secure media on the agent leg needs IP phones compatible with SRTP.",
       "Replace or upgrade the group's phones with SRTP-capable models and set srtp: true.",
       c::phonesSrtp},
      {"CCS-MED-003", L::kMedia, S::kMedium, "Mobile agent legs stay in clear", "Media Encryption (SRTP) Considerations",
       "Mobile agents cannot use SRTP, so their legs stay in clear under the media-security models.",
       "Terminate their SRTP in the ccsec media anchor (media.anchor.srtp_for: [mobile-agent]) or accept the clear legs with a waiver.",
       c::mobileAgentsClear},
      {"CCS-MED-004", L::kMedia, S::kMedium, "No SRTP while a call is on the outbound dialer", "Media Encryption (SRTP) Considerations",
       "Outbound Option dialers do not support SRTP; calls connected to a dialer cannot use SRTP until they leave it.",
       "Anchor the dialer legs (media.anchor.srtp_for: [dialer]) or accept the clear legs with a waiver.",
       c::dialerNoSrtp},
      {"CCS-MED-005", L::kMedia, S::kHigh, "End-to-end media security needs an SRTP-capable IVR", "Media Encryption (SRTP) Considerations",
       "The IOS VXML Gateway does not support SRTP; the Virtualized Voice Browser does, for the VRU leg.",
       "Use vvb as the IVR platform (media.ivr.platform: vvb).",
       c::ivrSrtpCapable},
      {"CCS-MED-006", L::kMedia, S::kMedium, "Whisper announcement needs matching codecs under SRTP", "Deployment Models",
       "With CVP and VVB in G.711 and agents in G.729, Unified CM cannot transcode securely on the whisper announcement leg.",
       "Play the whisper announcement from a VVB in G.729 (media.ivr.codec: g729).",
       c::whisperTranscoding},
      {"CCS-MED-007", L::kMedia, S::kMedium, "Unsecured model: signaling and media in clear", "Deployment Models",
       "The unsecured model keeps earlier releases' behaviour: neither signaling nor media is protected.",
       "Move to security_model signaling or higher (end-to-end where the IVR and phones allow).",
       c::unsecuredModel},
      // --- directory --------------------------------------------------------------------
      {"CCS-AD-001", L::kDirectory, S::kMedium, "Every domain with ccsec hosts publishes a global catalog", "Global Catalog Requirements",
       "Contact center components look objects up through a global catalog in every domain of the forest.",
       "Make at least one domain controller of the domain a global catalog and set global_catalog: true.",
       c::globalCatalogPerDomain},
      {"CCS-AD-002", L::kDirectory, S::kHigh, "No cross-forest references", "Active Directory Deployment",
       "The solution's hosts, accounts and groups live in one forest; cross-forest trusts are outside the design.",
       "Keep every host, service account and user of the deployment in one forest.",
       c::singleForest},
      {"CCS-AD-003", L::kDirectory, S::kHigh, "Two domain controllers and a global catalog per site", "Active Directory Site Topology",
       "Each site with core servers needs local, redundant authentication and a global catalog that survive a WAN outage.",
       "Add domain controllers to the site until it has two, one of them a global catalog.",
       c::controllersPerSite},
      {"CCS-AD-004", L::kDirectory, S::kMedium, "Domains are in native mode", "Active Directory Deployment",
       "Mixed-mode domains keep down-level behaviour the solution does not support.",
       "Raise the domain functional level to native mode.",
       c::nativeMode},
      {"CCS-AD-005", L::kDirectory, S::kMedium, "Core hosts in an administrator-created OU", "Active Directory Administrator-Created OUs",
       "An administrator-created OU controls who administers the servers and which domain security policies they inherit.",
       "Move the host's computer object into an administrator-created OU for contact center servers and record it in ou.",
       c::adminCreatedOu},
      {"CCS-AD-006", L::kDirectory, S::kMedium, "Service accounts in local UcceService", "User Health in Service Account Manager",
       "A service account outside the local UcceService group has no SQL authorization and shows as Unhealthy.",
       "Run Fix Group Membership in Service Account Manager (or add the account to UcceService) on the host.",
       c::serviceAccountGroups},
      {"CCS-AD-007", L::kDirectory, S::kMedium, "Setup users in Administrators, config users in UcceService", "Decouple CCE Authorizations from Active Directory",
       "Authorization is local: Setup rights come from the local Administrators group, Config rights from the local UcceService group.",
       "Add setup users to the local Administrators group and config users to the local UcceService group (User List tool).",
       c::userLocalGroups},
      {"CCS-AD-008", L::kDirectory, S::kInfo, "ADSecurityGroupUpdate left at 0", "ADSecurityGroupUpdate Registry Key",
       "With the key at 1 the User List tool writes to Config and Setup groups in the domain, which needs delegated AD write access.",
       "Set security_group_update: 0 unless AD write delegation is intended; then waive this finding with the reason.",
       c::securityGroupUpdate},
      // --- host -------------------------------------------------------------------------
      {"CCS-HST-001", L::kHost, S::kHigh, "Host firewall enabled", "Host-Based Firewall",
       "The host firewall protects servers from unsolicited incoming traffic from malicious users and programs.",
       "Enable the host firewall (Windows Firewall via the Security Wizard; nftables on Linux) with ccsec's rendered rules.",
       c::hostFirewall},
      {"CCS-HST-002", L::kHost, S::kHigh, "Antivirus installed with current definitions", "Virus Protection",
       "Run a supported antivirus application with the latest definitions, updated daily, on all VMs.",
       "Install a supported antivirus and schedule daily definition updates (--set av_definitions_age_days=N).",
       c::antivirusCurrent},
      {"CCS-HST-003", L::kHost, S::kHigh, "Security patches are current", "Patch Management",
       "Keep all hosts up to date with operating system, SQL Server and third-party security patches.",
       "Apply the approved security updates (WSUS or the distribution's updates) and record last_patched (--set patch_age_days=N).",
       c::patchesCurrent},
      {"CCS-HST-004", L::kHost, S::kHigh, "SQL Server hardening on SQL hosts", "Security Design Elements",
       "Hosts running SQL Server (logger, aw, hds) get the automated SQL Server hardening.",
       "Apply SQL Server hardening with the Security Wizard and set sql_hardened: true.",
       c::sqlHardened},
      {"CCS-HST-005", L::kHost, S::kMedium, "Antivirus scanning follows the guidance", "Virus Protection",
       "On-access scanning of reads and remote drives costs performance without protection; full scans belong in low-usage windows.",
       "Scan on access on writes only, do not scan remote drives, and schedule full scans outside 07:00-19:00.",
       c::antivirusGuidance},
      // --- endpoint ---------------------------------------------------------------------
      {"CCS-END-001", L::kEndpoint, S::kHigh, "Phones use device authentication", "Unified IP Phone Device Authentication",
       "Authenticated or encrypted device security gives phones X.509 mutual authentication and signaling integrity.",
       "Set the phones' device security mode to authenticated or encrypted in Unified CM.",
       c::phoneDeviceSecurity},
      {"CCS-END-002", L::kEndpoint, S::kMedium, "Gratuitous ARP disabled on phones", "IP Phone Hardening",
       "Phones that learn MAC addresses from gratuitous ARP are open to man-in-the-middle attacks.",
       "Disable Gratuitous ARP in the phones' device configuration and set gratuitous_arp: false.",
       c::gratuitousArpOff},
      {"CCS-END-003", L::kEndpoint, S::kMedium, "Phone hardening does not break desktop recording", "IP Phone Hardening",
       "Disabling PC voice VLAN access or span to PC port disables desktop-based monitoring and recording.",
       "Keep PC voice VLAN access and span to PC port enabled for desktop recording, or record in the network (recording: network).",
       c::recordingConflict},
      {"CCS-END-004", L::kEndpoint, S::kMedium, "Span to PC port needs PC voice VLAN access", "IP Phone Hardening",
       "Span to PC port only works when PC voice VLAN access is enabled.",
       "Enable PC voice VLAN access or disable span to PC port.",
       c::spanNeedsVoiceVlan},
      // --- collaboration ----------------------------------------------------------------
      {"CCS-CCP-001", L::kCollaboration, S::kMedium, "Collaboration platform restricted to one group", "Active Directory and Customer Collaboration Platform User Accounts",
       "Any account the directory authenticates can use the platform unless it is limited to one AD group.",
       "Create an AD group for its users and set collaboration.allowed_group to it.",
       c::ccpGroupRestricted},
      {"CCS-CCP-002", L::kCollaboration, S::kHigh, "Collaboration platform authenticates against the directory", "Active Directory and Customer Collaboration Platform User Accounts",
       "The platform should store no agent credentials: agents authenticate against Active Directory.",
       "Set collaboration.authentication: active-directory and remove local agent accounts.",
       c::ccpDirectoryAuth},
      // --- physical ---------------------------------------------------------------------
      {"CCS-PHY-001", L::kPhysical, S::kHigh, "Sites with core hosts have controlled physical access", "Security Layers",
       "Servers, cabling, routers and switches of the contact center sit where only authorized personnel have access.",
       "Host the core servers in a data center with controlled access and set physical_access: controlled.",
       c::physicalAccess},
  };
  return kRules;
}

const std::vector<Rule>& catalogue() {
  static const std::vector<Rule> kAll = [] {
    std::vector<Rule> all = checkedRules();
    all.push_back({kWaiverMatchesNothing, L::kPolicy, S::kInfo, "A waiver matches no finding",
                   "Security Layers",
                   "A waiver that matches nothing is stale or misspelt; left alone it may silently "
                   "waive a future finding it was never meant for.",
                   "Fix the waiver's rule or target (edges are kind:server<-client) or remove it.",
                   nullptr});
    return all;
  }();
  return kAll;
}

const Rule* findRule(std::string_view id) {
  for (const Rule& r : catalogue()) {
    if (r.id == id) return &r;
  }
  for (const Rule& r : probeRules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

}  // namespace ccsec::policy
