#include "report/html.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>

#include "policy/registry.h"
#include "policy/rule.h"
#include "report/graph_dot.h"

namespace ccsec::report {

namespace {

constexpr std::array<policy::Severity, 5> kSeverities = {
    policy::Severity::kCritical, policy::Severity::kHigh, policy::Severity::kMedium,
    policy::Severity::kLow, policy::Severity::kInfo};
constexpr std::array<const char*, 5> kSeverityColours = {"#b71c1c", "#e65100", "#f9a825", "#1976d2",
                                                         "#78909c"};

std::size_t utf8Length(unsigned char c) {
  if (c < 0x80) return 1;
  if ((c & 0xe0) == 0xc0 && c >= 0xc2) return 2;
  if ((c & 0xf0) == 0xe0) return 3;
  if ((c & 0xf8) == 0xf0 && c <= 0xf4) return 4;
  return 0;
}

const char* layerTitle(policy::Layer l) {
  switch (l) {
    case policy::Layer::kNetwork:
      return "Network segmentation and firewalls";
    case policy::Layer::kIpsec:
      return "IPsec";
    case policy::Layer::kTls:
      return "TLS and certificates";
    case policy::Layer::kMedia:
      return "Media and signaling";
    case policy::Layer::kDirectory:
      return "Directory";
    case policy::Layer::kHost:
      return "Host hardening";
    case policy::Layer::kEndpoint:
      return "Endpoints";
    case policy::Layer::kCollaboration:
      return "Collaboration platform";
    case policy::Layer::kPhysical:
      return "Physical security";
    case policy::Layer::kPolicy:
      return "Waivers and the check itself";
  }
  return "Other";
}

constexpr std::array<policy::Layer, 10> kLayers = {
    policy::Layer::kNetwork,  policy::Layer::kIpsec,         policy::Layer::kTls,
    policy::Layer::kMedia,    policy::Layer::kDirectory,     policy::Layer::kHost,
    policy::Layer::kEndpoint, policy::Layer::kCollaboration, policy::Layer::kPhysical,
    policy::Layer::kPolicy};

policy::Layer layerOf(const policy::Finding& f) {
  const policy::Rule* r = policy::findRule(f.rule);
  return r != nullptr ? r->layer : policy::Layer::kPolicy;
}

constexpr const char* kCss = R"CSS(
:root{--bg:#fafbfc;--fg:#1c2733;--muted:#5f6f7f;--line:#dde3e9;--card:#fff}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;background:var(--bg);color:var(--fg)}
header.top{padding:18px 28px;background:#12263a;color:#fff}
header.top h1{margin:0 0 4px;font-size:22px}
header.top .meta{color:#b8c7d6;font-size:12.5px}
header.top code{color:#fff}
nav{padding:8px 28px;background:#1d3a56;position:sticky;top:0;z-index:2}
nav a{color:#dfe9f3;margin-right:18px;text-decoration:none;font-size:13px}
main{padding:8px 28px 40px;max-width:1500px}
h2{margin:28px 0 10px;font-size:18px;border-bottom:1px solid var(--line);padding-bottom:4px}
h3{margin:18px 0 8px;font-size:15px}
.cards{display:flex;gap:10px;flex-wrap:wrap}
.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 14px;min-width:96px}
.card .n{font-size:24px;font-weight:600}
.card .l{font-size:12px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
table{border-collapse:collapse;background:var(--card);font-size:13px}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef2f5}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.sev{display:inline-block;padding:0 7px;border-radius:9px;color:#fff;font-size:11.5px;font-weight:600;text-transform:uppercase}
.sev-critical{background:#b71c1c}.sev-high{background:#e65100}.sev-medium{background:#f9a825;color:#222}
.sev-low{background:#1976d2}.sev-info{background:#78909c}
.controls{display:flex;gap:14px;align-items:center;margin:8px 0 6px;flex-wrap:wrap}
.controls input[type=search]{width:320px;padding:4px 8px}
.finding{background:var(--card);border:1px solid var(--line);border-left:4px solid #78909c;border-radius:4px;padding:7px 12px;margin:6px 0}
.finding.s-critical{border-left-color:#b71c1c}.finding.s-high{border-left-color:#e65100}
.finding.s-medium{border-left-color:#f9a825}.finding.s-low{border-left-color:#1976d2}
.finding.waived{opacity:.72}
.finding .head{display:flex;gap:8px;align-items:baseline;flex-wrap:wrap}
.finding .target{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12.5px;color:#37474f}
.finding .msg{margin:4px 0}
.finding dl{display:grid;grid-template-columns:110px 1fr;gap:2px 10px;margin:4px 0 0;font-size:12.5px}
.finding dt{color:var(--muted)}.finding dd{margin:0}
.tag{font-size:11px;border:1px solid var(--line);border-radius:8px;padding:0 6px;color:var(--muted)}
.layer-count{color:var(--muted);font-weight:normal;font-size:13px}
.topology{background:var(--card);border:1px solid var(--line);border-radius:6px;overflow:auto;max-height:80vh;padding:6px}
.topology svg{height:auto;max-width:none}
.legend span{display:inline-block;margin-right:16px;font-size:12.5px}
.legend i{display:inline-block;width:26px;height:0;border-top:3px solid;vertical-align:middle;margin-right:5px}
.st-protected{background:#e8f5e9}.st-anchored{background:#e3f2fd}.st-mixed{background:#fff8e1}
.st-clear{background:#ffebee}.st-not-stated{background:#f3e5f5}.st-none{background:#f5f5f5;color:var(--muted)}
.muted{color:var(--muted)}
.empty{color:var(--muted);font-style:italic}
#no-match{display:none}
)CSS";

// The filter: severity ("at or above"), text search, waived shown or hidden; state in the URL
// fragment (#severity=high&q=text&waived=hide) so that a link reproduces the view.
constexpr const char* kJs = R"JS(
(function(){
  var order={info:0,low:1,medium:2,high:3,critical:4};
  var sev=document.getElementById('severity'), q=document.getElementById('search'),
      waived=document.getElementById('show-waived');
  function readHash(){
    var h=(location.hash||'').replace(/^#/,'');
    h.split('&').forEach(function(kv){
      var i=kv.indexOf('='); if(i<0) return;
      var k=kv.slice(0,i), v=decodeURIComponent(kv.slice(i+1).replace(/\+/g,' '));
      if(k==='severity'&&order.hasOwnProperty(v)) sev.value=v;
      if(k==='q') q.value=v;
      if(k==='waived') waived.checked=(v!=='hide');
    });
  }
  function apply(write){
    var min=order[sev.value], text=q.value.trim().toLowerCase(), shown=0;
    document.querySelectorAll('.finding').forEach(function(f){
      var ok=order[f.getAttribute('data-severity')]>=min &&
             (waived.checked||f.getAttribute('data-waived')!=='yes') &&
             (!text||f.textContent.toLowerCase().indexOf(text)>=0);
      if(ok){f.removeAttribute('hidden');shown++;} else f.setAttribute('hidden','');
    });
    document.querySelectorAll('section.layer').forEach(function(s){
      var n=s.querySelectorAll('.finding:not([hidden])').length;
      s.querySelector('.layer-count').textContent='('+n+' shown)';
      if(n===0) s.setAttribute('hidden',''); else s.removeAttribute('hidden');
    });
    document.getElementById('shown').textContent=shown;
    var total=document.querySelectorAll('.finding').length;
    document.getElementById('no-match').style.display=(shown||!total)?'none':'block';
    if(write){
      var parts=[];
      if(sev.value!=='info') parts.push('severity='+sev.value);
      if(q.value) parts.push('q='+encodeURIComponent(q.value));
      if(!waived.checked) parts.push('waived=hide');
      history.replaceState(null,'',parts.length?'#'+parts.join('&'):location.pathname+location.search);
    }
  }
  readHash();
  sev.addEventListener('change',function(){apply(true);});
  q.addEventListener('input',function(){apply(true);});
  waived.addEventListener('change',function(){apply(true);});
  window.addEventListener('hashchange',function(){readHash();apply(false);});
  apply(false);
})();
)JS";

std::string esc(std::string_view s) { return htmlEscape(s); }

std::string sevBadge(policy::Severity s) {
  return fmt::format("<span class=\"sev sev-{0}\">{0}</span>", policy::toString(s));
}

void summarySection(const ReportInput& in, std::string& out) {
  const policy::Summary sum = policy::summarize(in.findings);
  out += "<section id=\"summary\"><h2>Summary</h2>\n<div class=\"cards\">\n";
  const int counts[] = {sum.critical, sum.high, sum.medium, sum.low, sum.info};
  for (std::size_t i = 0; i < kSeverities.size(); ++i)
    out += fmt::format(
        "<div class=\"card\" data-summary=\"{0}\"><div class=\"n\" style=\"color:{2}\">{1}</div>"
        "<div class=\"l\">{0}</div></div>\n",
        policy::toString(kSeverities[i]), counts[i], kSeverityColours[i]);
  int assumed_findings = 0;
  for (const auto& f : in.findings) assumed_findings += f.assumed ? 1 : 0;
  out += fmt::format(
      "<div class=\"card\" data-summary=\"waived\"><div class=\"n\">{}</div><div "
      "class=\"l\">waived</div></div>\n<div class=\"card\" data-summary=\"assumed\"><div "
      "class=\"n\">{}</div><div class=\"l\">rest on defaults</div></div>\n</div>\n",
      sum.waived, assumed_findings);

  // Layer × severity (unwaived), waived apart.
  std::map<policy::Layer, std::array<int, 6>> by_layer;
  for (const auto& f : in.findings) {
    auto& row = by_layer[layerOf(f)];
    if (f.waived) {
      ++row[5];
      continue;
    }
    for (std::size_t i = 0; i < kSeverities.size(); ++i)
      if (kSeverities[i] == f.severity) ++row[i];
  }
  out += "<h3>By layer</h3>\n<table id=\"by-layer\"><tr><th>Layer</th>";
  for (auto s : kSeverities) out += fmt::format("<th>{}</th>", policy::toString(s));
  out += "<th>waived</th></tr>\n";
  for (auto l : kLayers) {
    auto it = by_layer.find(l);
    if (it == by_layer.end()) continue;
    out += fmt::format("<tr><td>{}</td>", esc(layerTitle(l)));
    for (int n : it->second) out += fmt::format("<td class=\"num\">{}</td>", n);
    out += "</tr>\n";
  }
  out += "</table>\n";
  if (!in.assumed.empty()) {
    out += "<h3>Verdicts resting on schema defaults</h3>\n<ul id=\"assumed\">\n";
    for (const auto& a : in.assumed) out += "<li>" + esc(a) + "</li>\n";
    out += "</ul>\n";
  }

  // Trend: one stacked bar per stored run (unwaived findings by severity).
  out += "<h3>Trend</h3>\n";
  if (in.trend.empty()) {
    out += in.store.empty()
               ? "<p class=\"empty\" id=\"trend\">No findings store (--no-store).</p>\n"
               : "<p class=\"empty\" id=\"trend\">No stored check runs of this inventory yet in " +
                     esc(in.store) + ": each <code>ccsec check</code> records one.</p>\n";
  } else {
    const std::size_t n = in.trend.size();
    int max_total = 1;
    for (const auto& r : in.trend) {
      int t = 0;
      for (const auto& [k, v] : r.unwaived) t += v;
      max_total = std::max(max_total, t);
    }
    const int bar = 22, gap = 10, h = 120, left = 34, top = 8;
    const int width = left + static_cast<int>(n) * (bar + gap) + 10;
    out += fmt::format(
        "<svg id=\"trend\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" "
        "role=\"img\" aria-label=\"unwaived findings per stored run\">\n",
        width, h + top + 30);
    out += fmt::format(
        "<line x1=\"{0}\" y1=\"{1}\" x2=\"{0}\" y2=\"{2}\" stroke=\"#90a4ae\"/>"
        "<text x=\"{3}\" y=\"{4}\" font-size=\"10\" text-anchor=\"end\">{5}</text>"
        "<text x=\"{3}\" y=\"{2}\" font-size=\"10\" text-anchor=\"end\">0</text>\n",
        left - 2, top, top + h, left - 5, top + 8, max_total);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& r = in.trend[i];
      const int x = left + static_cast<int>(i) * (bar + gap) + gap / 2;
      int y = top + h;
      int total = 0;
      std::string tip;
      for (std::size_t s = kSeverities.size(); s-- > 0;) {
        const char* name = policy::toString(kSeverities[s]);
        auto it = r.unwaived.find(name);
        const int v = it == r.unwaived.end() ? 0 : it->second;
        total += v;
        if (v == 0) continue;
        const int bh = std::max(1, v * h / max_total);
        y -= bh;
        out += fmt::format(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>run {} {}: "
            "{}</title></rect>\n",
            x, y, bar, bh, kSeverityColours[s], r.id, name, v);
      }
      out += fmt::format(
          "<text x=\"{}\" y=\"{}\" font-size=\"10\" text-anchor=\"middle\">#{}</text>"
          "<text x=\"{}\" y=\"{}\" font-size=\"9\" text-anchor=\"middle\" "
          "fill=\"#5f6f7f\">{}</text>\n",
          x + bar / 2, top + h + 12, r.id, x + bar / 2, y - 2, total);
    }
    out +=
        "</svg>\n<p class=\"muted\">Unwaived findings of each stored <code>check</code> run "
        "of this inventory (same path or content; run id below each bar), oldest first.</p>\n";
  }
  out += "</section>\n";
}

void findingsSection(const ReportInput& in, std::string& out) {
  out +=
      "<section id=\"findings\"><h2>Findings</h2>\n<div class=\"controls\">"
      "<label>Severity at or above <select id=\"severity\">";
  for (auto s : kSeverities) {
    const char* n = policy::toString(s);
    out += fmt::format("<option value=\"{0}\"{1}>{0}</option>", n,
                       s == policy::Severity::kInfo ? " selected" : "");
  }
  out += fmt::format(
      "</select></label><label><input type=\"search\" id=\"search\" placeholder=\"Search rule, "
      "host, text…\"></label><label><input type=\"checkbox\" id=\"show-waived\" checked> show "
      "waived</label><span class=\"muted\"><span id=\"shown\">{0}</span> of {0} "
      "shown</span></div>\n"
      "<p id=\"no-match\" class=\"empty\">No finding matches the filter.</p>\n",
      in.findings.size());
  std::size_t index = 0;
  for (auto l : kLayers) {
    std::vector<const policy::Finding*> list;
    for (const auto& f : in.findings)
      if (layerOf(f) == l) list.push_back(&f);
    if (list.empty()) continue;
    out += fmt::format(
        "<section class=\"layer\" data-layer=\"{}\"><h3>{} <span "
        "class=\"layer-count\"></span></h3>\n",
        policy::toString(l), esc(layerTitle(l)));
    for (const policy::Finding* f : list) {
      const policy::Rule* rule = policy::findRule(f->rule);
      const char* sev = policy::toString(f->severity);
      out += fmt::format(
          "<article class=\"finding s-{0}{1}\" id=\"finding-{2}\" data-severity=\"{0}\" "
          "data-rule=\"{3}\" data-target=\"{4}\" data-waived=\"{5}\">\n<div class=\"head\">{6} "
          "<code>{3}</code> <b>{7}</b> <span class=\"target\">{4}</span>{8}{9}</div>\n"
          "<p class=\"msg\">{10}</p>\n<dl>",
          sev, f->waived ? " waived" : "", index++, esc(f->rule), esc(f->target),
          f->waived ? "yes" : "no", sevBadge(f->severity),
          esc(rule != nullptr ? rule->title : std::string_view()),
          f->waived ? " <span class=\"tag\">waived</span>" : "",
          f->assumed ? " <span class=\"tag\">rests on a default</span>" : "", esc(f->message));
      if (!f->remediation.empty())
        out += "<dt>Remediation</dt><dd>" + esc(f->remediation) + "</dd>";
      if (rule != nullptr && (!rule->design.empty() || !rule->reference.empty())) {
        std::string d = std::string(rule->design);
        if (!rule->reference.empty())
          d += (d.empty() ? "" : " — ") + std::string("seed: ") + std::string(rule->reference);
        out += "<dt>Design</dt><dd>" + esc(d) + "</dd>";
      }
      out += "<dt>Inventory</dt><dd>" +
             (f->loc.line > 0 ? "<code>" + esc(in.inventory_path) + ":" +
                                    std::to_string(f->loc.line) + "</code>"
                              : std::string("<span class=\"muted\">no inventory line</span>")) +
             "</dd>";
      if (f->waived)
        out += fmt::format("<dt>Waiver</dt><dd>owner {}, expires {}: {}</dd>", esc(f->waiver_owner),
                           esc(f->waiver_expires), esc(f->waiver_reason));
      out += "</dl>\n</article>\n";
    }
    out += "</section>\n";
  }
  if (in.findings.empty()) out += "<p class=\"empty\">No findings.</p>\n";
  out += "</section>\n";
}

void topologySection(const ReportInput& in, std::string& out) {
  out += "<section id=\"topology\"><h2>Topology</h2>\n<p class=\"legend\">";
  for (auto p : {Protection::kTls, Protection::kIpsec, Protection::kBoth, Protection::kPlaintext})
    out += fmt::format("<span><i style=\"border-color:{}{}\"></i>{}</span>", colourOf(p),
                       p == Protection::kPlaintext ? ";border-top-style:dashed" : "", toString(p));
  out += "<span>⚠n: unwaived findings on the host or channel (thick outline)</span></p>\n";
  if (!in.topology_svg.empty())
    out += "<div class=\"topology\">" + in.topology_svg + "</div>\n";
  else
    out += "<p class=\"empty\" id=\"topology-missing\">No topology diagram: " +
           esc(in.topology_error) + "</p>\n";

  // Every host, also in words (the diagram's tooltips hold the same).
  std::map<std::string, int, std::less<>> per_target;
  for (const auto& f : in.findings)
    if (!f.waived) ++per_target[f.target];
  out +=
      "<h3>Hosts</h3>\n<table id=\"hosts\"><tr><th>Host</th><th>Site</th><th>Zone</th>"
      "<th>Address</th><th>OS</th><th>Roles</th><th>Findings</th></tr>\n";
  for (const auto& h : in.model.hosts) {
    std::string roles;
    for (const auto& r : h.roles) roles += (roles.empty() ? "" : ", ") + r;
    auto it = per_target.find(h.name);
    out += fmt::format(
        "<tr data-host=\"{0}\"><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td><td>{4}</td>"
        "<td>{5}</td><td class=\"num\">{6}</td></tr>\n",
        esc(h.name), esc(h.site), esc(h.zone), esc(h.address.str()), inventory::toString(h.os),
        esc(roles), it == per_target.end() ? 0 : it->second);
  }
  out += "</table>\n";
  if (!in.model.endpoints.empty()) {
    out +=
        "<h3>Endpoint groups</h3>\n<table id=\"endpoints\"><tr><th>Group</th><th>Kind</th>"
        "<th>Site</th><th>Zone</th><th>Count</th></tr>\n";
    for (const auto& e : in.model.endpoints)
      out += fmt::format(
          "<tr data-group=\"{0}\"><td>{0}</td><td>{1}</td><td>{2}</td><td>{3}</td><td "
          "class=\"num\">{4}</td></tr>\n",
          esc(e.name), inventory::toString(e.kind), esc(e.site), esc(e.zone), e.count);
    out += "</table>\n";
  }
  out += "</section>\n";
}

void legsSection(const ReportInput& in, std::string& out) {
  out += fmt::format(
      "<section id=\"call-legs\"><h2>Call legs under security model <code>{}</code></h2>\n"
      "<table id=\"call-leg-matrix\"><tr><th>From</th><th>To</th><th>Hosts</th>"
      "<th>Signaling</th><th>Media</th><th>Judged by</th></tr>\n",
      inventory::toString(in.model.deployment.security_model));
  for (const auto& l : in.legs)
    out += fmt::format(
        "<tr class=\"leg\"><td>{}</td><td>{}</td><td>{}</td><td class=\"st-{}\" "
        "data-signaling=\"{}\">{}</td><td class=\"st-{}\" data-media=\"{}\">{}</td>"
        "<td>{}</td></tr>\n",
        esc(l.from), esc(l.to), esc(l.hosts), policy::toString(l.signaling),
        policy::toString(l.signaling), esc(l.signaling_text), policy::toString(l.media),
        policy::toString(l.media), esc(l.media_text), esc(l.rules));
  out +=
      "</table>\n<p class=\"muted\">Signaling from the derived sip edges (TLS or not), media "
      "from the security model, the endpoint groups and media.anchor, as the CCS-MED rules "
      "read them.</p>\n</section>\n";
}

void probeSectionHtml(const ProbeSection& p, std::string& out) {
  out += fmt::format(
      "<section id=\"probe\"><h2>Live: probe run {} ({})</h2>\n<p>{}</p>\n"
      "<table id=\"probe-endpoints\"><tr><th>Endpoint</th><th>Host</th><th>Purpose</th>"
      "<th>Declared</th><th>Observed</th><th>Findings</th></tr>\n",
      p.run_id, esc(p.time), esc(p.summary));
  for (const auto& e : p.endpoints) {
    std::string f;
    for (const auto& x : e.findings) f += (f.empty() ? "" : "<br>") + esc(x);
    out += fmt::format(
        "<tr class=\"{}\"><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>"
        "<td>{}</td></tr>\n",
        e.findings.empty() ? "st-protected" : "st-clear", esc(e.target), esc(e.host),
        esc(e.purpose), esc(e.declared), esc(e.observed),
        f.empty() ? "<span class=\"muted\">as declared</span>" : f);
  }
  out += "</table>\n";
  if (!p.other.empty()) {
    out += "<h3>Findings of the run not tied to a probed endpoint</h3>\n<ul id=\"probe-other\">\n";
    for (const auto& o : p.other) out += "<li>" + esc(o) + "</li>\n";
    out += "</ul>\n";
  }
  out += "</section>\n";
}

}  // namespace

std::string htmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size();) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t n = utf8Length(c);
    bool valid = n != 0 && i + n <= text.size();
    for (std::size_t k = 1; valid && k < n; ++k)
      valid = (static_cast<unsigned char>(text[i + k]) & 0xc0) == 0x80;
    if (!valid) {
      out += "\xef\xbf\xbd";
      ++i;
      continue;
    }
    if (n > 1) {
      out.append(text.substr(i, n));
      i += n;
      continue;
    }
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (c < 0x20 && c != '\n' && c != '\t')
          out += "\xef\xbf\xbd";
        else
          out += static_cast<char>(c);
    }
    ++i;
  }
  return out;
}

core::Result<std::string> inlineSvg(std::string_view svg) {
  const auto start = svg.find("<svg");
  if (start == std::string_view::npos) return core::makeError("Graphviz output holds no <svg>");
  std::string out;
  std::string_view rest = svg.substr(start);
  while (!rest.empty()) {
    const auto c = rest.find("<!--");
    if (c == std::string_view::npos) {
      out.append(rest);
      break;
    }
    out.append(rest.substr(0, c));
    const auto e = rest.find("-->", c + 4);
    if (e == std::string_view::npos) break;
    rest = rest.substr(e + 3);
  }
  std::string lower = out;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  for (const char* bad : {"<script", "<foreignobject", "javascript:", " onload", " onclick",
                          " onerror", " onmouse", "<iframe", "<image"})
    if (lower.find(bad) != std::string::npos)
      return core::makeError(std::string("Graphviz output holds an unexpected ") + bad);
  return out;
}

core::Result<ProbeSection> probeSection(const store::RunRecord& run,
                                        const std::vector<store::StoredFinding>& findings) {
  auto doc = nlohmann::json::parse(run.facts, nullptr, false);
  if (doc.is_discarded() || !doc.is_object() || !doc.contains("endpoints") ||
      !doc["endpoints"].is_array())
    return core::makeError("run " + std::to_string(run.id) +
                           " holds no probe facts (is it a `ccsec probe` run?)");
  ProbeSection p;
  p.run_id = run.id;
  p.summary = run.summary;
  auto str = [](const nlohmann::json& j, const char* k) {
    return j.contains(k) && j[k].is_string() ? j[k].get<std::string>() : std::string();
  };
  auto flag = [](const nlohmann::json& j, const char* k) {
    return j.contains(k) && j[k].is_boolean() && j[k].get<bool>();
  };
  for (const auto& e : doc["endpoints"]) {
    if (!e.is_object()) continue;
    ProbeEndpoint ep;
    ep.target = str(e, "target");
    ep.host = str(e, "host");
    ep.purpose = str(e, "purpose");
    const nlohmann::json ex = e.contains("expect") ? e["expect"] : nlohmann::json::object();
    if (flag(ex, "tls")) {
      ep.declared = "TLS ≥" + str(ex, "min_version") + (flag(ex, "mutual_tls") ? ", mutual" : "");
    } else {
      ep.declared = "plaintext";
    }
    if (flag(ex, "personal_data")) ep.declared += "; personal data";
    ep.declared += " (" + str(e, "kind") + ")";
    std::string obs = str(e, "reach");
    if (e.contains("tls") && e["tls"].is_object()) {
      const auto& t = e["tls"];
      std::string versions;
      if (t.contains("versions") && t["versions"].is_array())
        for (const auto& v : t["versions"])
          if (v.is_string()) versions += (versions.empty() ? "" : ", ") + v.get<std::string>();
      obs += "; TLS " + (versions.empty() ? std::string("none") : versions);
      if (t.contains("client_certificate") && t["client_certificate"].is_object())
        obs += flag(t["client_certificate"], "required")    ? "; client certificate required"
               : flag(t["client_certificate"], "requested") ? "; client certificate requested"
                                                            : "; no client certificate asked";
      if (t.contains("certificate") && t["certificate"].is_object())
        obs += "; certificate " + str(t["certificate"], "subject") + " until " +
               str(t["certificate"], "not_after");
    }
    if (e.contains("plaintext") && e["plaintext"].is_object())
      obs += flag(e["plaintext"], "answered") ? "; answers in plaintext" : "; refuses plaintext";
    ep.observed = obs;
    p.endpoints.push_back(std::move(ep));
  }
  auto text = [](const store::StoredFinding& f) {
    return f.severity + " " + f.rule + (f.waived ? " (waived)" : "") + ": " + f.message;
  };
  for (const auto& f : findings) {
    bool placed = false;
    for (auto& ep : p.endpoints) {
      if (ep.target.empty() || (f.target != ep.target && f.target.rfind(ep.target, 0) != 0))
        continue;
      ep.findings.push_back(text(f));
      placed = true;
    }
    if (!placed) p.other.push_back(f.target + " — " + text(f));
  }
  return p;
}

std::string renderHtml(const ReportInput& in) {
  std::string out;
  out.reserve(1u << 20);
  const std::string name =
      in.model.deployment.name.empty() ? in.inventory_path : in.model.deployment.name;
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<title>ccsec report — " + esc(name) + "</title>\n<style>" + kCss + "</style>\n</head>\n";
  out += fmt::format(
      "<body>\n<header class=\"top\"><h1>Security report: {}</h1>\n<div class=\"meta\">"
      "Inventory <code>{}</code>{} · security model <code>{}</code> · {} hosts, {} endpoint "
      "groups, {} channels · generated <span id=\"generated\">{}</span> by ccsec {}</div>"
      "</header>\n",
      esc(name), esc(in.inventory_path),
      in.inventory_hash.empty() ? "" : " (" + esc(in.inventory_hash.substr(0, 19)) + "…)",
      inventory::toString(in.model.deployment.security_model), in.model.hosts.size(),
      in.model.endpoints.size(), in.graph.edges.size(), esc(in.generated), esc(in.tool_version));
  out +=
      "<nav><a href=\"#summary\">Summary</a><a href=\"#findings\">Findings</a>"
      "<a href=\"#topology\">Topology</a><a href=\"#call-legs\">Call legs</a>";
  if (in.probe) out += "<a href=\"#probe\">Live (probe)</a>";
  out += "</nav>\n<main>\n";
  summarySection(in, out);
  findingsSection(in, out);
  topologySection(in, out);
  legsSection(in, out);
  if (in.probe) probeSectionHtml(*in.probe, out);
  out += "</main>\n<script>";
  out += kJs;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

}  // namespace ccsec::report
