#include "media/ng.h"

#include <openssl/crypto.h>

#include <functional>

namespace ccsec::media {
namespace {

BValue errorReply(std::string reason) {
  BValue::Dict d;
  d["result"] = "error";
  d["error-reason"] = std::move(reason);
  return BValue(std::move(d));
}

BValue okReply() {
  BValue::Dict d;
  d["result"] = "ok";
  return BValue(std::move(d));
}

void forEachString(const BValue* v, const std::function<void(const std::string&)>& f) {
  if (v == nullptr) return;
  if (v->isString()) f(v->str());
  if (v->isList())
    for (const auto& i : v->list())
      if (i.isString()) f(i.str());
}

}  // namespace

core::Result<SignalRequest> signalRequestFrom(const BValue& d) {
  SignalRequest r;
  r.callId = std::string(d.getString("call-id"));
  r.fromTag = std::string(d.getString("from-tag"));
  r.toTag = std::string(d.getString("to-tag"));
  r.viaBranch = std::string(d.getString("via-branch"));
  r.label = std::string(d.getString("label"));
  r.sdp = std::string(d.getString("sdp"));
  if (r.callId.empty()) return core::makeError("No call-id in message");
  if (r.fromTag.empty()) return core::makeError("No from-tag in message");
  if (r.sdp.empty()) return core::makeError("No SDP body in message");
  if (auto tp = d.getString("transport-protocol"); !tp.empty()) {
    if (tp != "RTP/AVP" && tp != "RTP/SAVP" && tp != "RTP/AVPF" && tp != "RTP/SAVPF")
      return core::makeError("Unsupported transport-protocol '" + std::string(tp) + "'");
    r.transportProtocol = std::string(tp);
  }
  if (auto ice = d.getString("ICE"); !ice.empty() && ice != "remove" && ice != "default")
    return core::makeError("ICE=" + std::string(ice) + " not supported (the anchor removes ICE)");
  forEachString(d.find("replace"), [&r](const std::string& s) {
    if (s == "origin") r.replaceOrigin = true;
    if (s == "session-connection" || s == "session connection") r.replaceSessionConnection = true;
  });
  forEachString(d.find("rtcp-mux"), [&r](const std::string& s) {
    if (s == "offer" || s == "require") r.rtcpMux = RtcpMuxMode::kOffer;
    if (s == "demux" || s == "reject") r.rtcpMux = RtcpMuxMode::kRemove;
  });
  forEachString(d.find("SDES"), [&r](const std::string& s) { r.sdes.push_back(s); });
  forEachString(d.find("flags"), [&r](const std::string& s) {
    if (s.rfind("SDES-", 0) == 0) r.sdes.push_back(s.substr(5));
  });
  // "direction", "received-from", "flags" (trust-address, symmetric, ...) and "via-branch" are
  // accepted: the anchor has one interface and always relays symmetrically.
  return r;
}

BValue NgProcessor::handle(const BValue& req) {
  if (!req.isDict()) return errorReply("Could not decode dictionary");
  const std::string command(req.getString("command"));
  if (command.empty()) return errorReply("No command in message");
  if (command == "ping") {
    BValue::Dict d;
    d["result"] = "pong";
    return BValue(std::move(d));
  }
  if (command == "offer" || command == "answer") {
    auto sr = signalRequestFrom(req);
    if (!sr) return errorReply(sr.error().message);
    auto sdp = command == "offer" ? relay_.offer(*sr) : relay_.answer(*sr);
    if (!sdp) return errorReply(sdp.error().message);
    BValue out = okReply();
    out["sdp"] = std::move(*sdp);
    return out;
  }
  const std::string callId(req.getString("call-id"));
  if (command == "delete") {
    if (callId.empty()) return errorReply("No call-id in message");
    if (auto r = relay_.remove(callId); !r) return errorReply(r.error().message);
    return okReply();
  }
  if (command == "query") {
    if (callId.empty()) return errorReply("No call-id in message");
    auto q = relay_.query(callId);
    if (!q) return errorReply(q.error().message);
    BValue out = std::move(*q);
    out["result"] = "ok";
    return out;
  }
  if (command == "list") {
    std::size_t limit = 32;
    if (const BValue* l = req.find("limit"); l && l->isInteger() && l->integer() > 0)
      limit = static_cast<std::size_t>(l->integer());
    BValue::List calls;
    for (auto& id : relay_.listCalls(limit)) calls.emplace_back(std::move(id));
    BValue out = okReply();
    out["calls"] = BValue(std::move(calls));
    return out;
  }
  if (command == "statistics") {
    const RelayTotals& t = relay_.totals();
    BValue::Dict cur;
    cur["sessionsown"] = static_cast<std::int64_t>(relay_.callCount());
    cur["sessionstotal"] = static_cast<std::int64_t>(t.callsCreated.load());
    cur["packetsforwarded"] = static_cast<std::int64_t>(t.packets.load());
    cur["bytesforwarded"] = static_cast<std::int64_t>(t.bytes.load());
    cur["srtpauthfailures"] = static_cast<std::int64_t>(t.authFailures.load());
    cur["srtpreplays"] = static_cast<std::int64_t>(t.replays.load());
    cur["timedoutsessions"] = static_cast<std::int64_t>(t.callsTimedOut.load());
    BValue::Dict stats;
    stats["currentstatistics"] = BValue(std::move(cur));
    BValue out = okReply();
    out["statistics"] = BValue(std::move(stats));
    return out;
  }
  return errorReply("Unrecognized command '" + command + "'");
}

std::string NgProcessor::handleDatagram(std::string_view datagram) {
  const auto sp = datagram.find(' ');
  if (sp == std::string_view::npos || sp == 0 || sp > kNgMaxCookie) return {};
  std::string cookie(datagram.substr(0, sp));
  expire(std::chrono::steady_clock::now());
  if (auto it = replies_.find(cookie); it != replies_.end()) return it->second;
  auto decoded = bdecode(datagram.substr(sp + 1));
  const BValue reply = decoded ? handle(*decoded)
                               : errorReply("Could not decode bencode: " + decoded.error().message);
  std::string out = cookie + " " + bencode(reply);
  const auto now = std::chrono::steady_clock::now();
  expire(now);
  if (replies_.emplace(cookie, out).second) order_.emplace_back(std::move(cookie), now);
  return out;
}

void NgProcessor::expire(std::chrono::steady_clock::time_point now) {
  while (!order_.empty() &&
         (order_.size() >= kNgCookieCache || now - order_.front().second > kNgCookieLifetime)) {
    if (auto it = replies_.find(order_.front().first); it != replies_.end()) {
      OPENSSL_cleanse(it->second.data(), it->second.size());
      replies_.erase(it);
    }
    order_.pop_front();
  }
}

}  // namespace ccsec::media
