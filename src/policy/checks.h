#pragma once
// Check functions of every rule, one rules_<area>.cc per area; registry.cc pairs each with its
// Rule data. Internal to ccsec_policy: other modules use registry.h and engine.h.

#include <vector>

#include "policy/rule.h"

namespace ccsec::policy::checks {

#define CCSEC_CHECK(name) void name(const Rule& rule, const Context& ctx, std::vector<Finding>& out)

// rules_net.cc
CCSEC_CHECK(coreNotInDmz);
CCSEC_CHECK(coreInDatacenter);
CCSEC_CHECK(perimeterBlocksWindowsPorts);
CCSEC_CHECK(hdsDedicated);
CCSEC_CHECK(fewAwHosts);
CCSEC_CHECK(natFixups);
CCSEC_CHECK(siteLinksIpsec);
CCSEC_CHECK(perimeterSparesCore);
// rules_ipsec.cc
CCSEC_CHECK(dmpIpsec);
CCSEC_CHECK(coreLinksProtected);
CCSEC_CHECK(isolationReachable);
CCSEC_CHECK(ipsecScalability);
// rules_tls.cc
CCSEC_CHECK(personalDataTls);
CCSEC_CHECK(tlsMinimumVersion);
CCSEC_CHECK(noPlaintextFallback);
CCSEC_CHECK(uniqueCertificates);
CCSEC_CHECK(certificatesValid);
CCSEC_CHECK(desktopTls);
CCSEC_CHECK(vxmlRemoteServer);
// rules_media.cc
CCSEC_CHECK(sipTls);
CCSEC_CHECK(phonesSrtp);
CCSEC_CHECK(mobileAgentsClear);
CCSEC_CHECK(dialerNoSrtp);
CCSEC_CHECK(ivrSrtpCapable);
CCSEC_CHECK(whisperTranscoding);
CCSEC_CHECK(unsecuredModel);
// rules_directory.cc
CCSEC_CHECK(globalCatalogPerDomain);
CCSEC_CHECK(singleForest);
CCSEC_CHECK(controllersPerSite);
CCSEC_CHECK(nativeMode);
CCSEC_CHECK(adminCreatedOu);
CCSEC_CHECK(serviceAccountGroups);
CCSEC_CHECK(userLocalGroups);
CCSEC_CHECK(securityGroupUpdate);
// rules_host.cc
CCSEC_CHECK(hostFirewall);
CCSEC_CHECK(antivirusCurrent);
CCSEC_CHECK(patchesCurrent);
CCSEC_CHECK(sqlHardened);
CCSEC_CHECK(antivirusGuidance);
// rules_endpoint.cc
CCSEC_CHECK(phoneDeviceSecurity);
CCSEC_CHECK(gratuitousArpOff);
CCSEC_CHECK(recordingConflict);
CCSEC_CHECK(spanNeedsVoiceVlan);
// rules_ccp.cc
CCSEC_CHECK(ccpGroupRestricted);
CCSEC_CHECK(ccpDirectoryAuth);
// rules_physical.cc
CCSEC_CHECK(physicalAccess);

#undef CCSEC_CHECK

}  // namespace ccsec::policy::checks
