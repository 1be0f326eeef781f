// --format=json (see JsonOutput.h). Lines and columns are 1-based, columns
// in bytes, as in `file:line:col`; `end_*` is the end of the range (exclusive).
#include "compiler/driver/JsonOutput.h"

#include "compiler/show/Show.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>

namespace aec {

namespace {

using nlohmann::json;

const char *severityText(Severity s) {
  return s == Severity::Error ? "error" : s == Severity::Warning ? "warning" : "note";
}

json place(const SourceManager &sm, SourceRange r, const std::string &message) {
  json j = {{"message", message}};
  if (!r.valid() || static_cast<size_t>(r.file) >= sm.fileCount()) return j;
  LineCol b = sm.lineCol(r.file, r.begin), e = sm.lineCol(r.file, std::max(r.end, r.begin));
  j["file"] = sm.path(r.file);
  j["line"] = b.line;
  j["column"] = b.col;
  j["end_line"] = e.line;
  j["end_column"] = e.col;
  return j;
}

json diagnosticsJson(const std::vector<Diagnostic> &diags, const SourceManager &sm) {
  json list = json::array();
  for (const Diagnostic &d : diags) {
    json j = place(sm, d.range, d.message);
    j["severity"] = severityText(d.severity);
    j["kind"] = diagKindInfo(d.kind).name;
    j["notes"] = json::array();
    for (const auto &[range, message] : d.notes) j["notes"].push_back(place(sm, range, message));
    list.push_back(std::move(j));
  }
  return list;
}

unsigned count(const std::vector<Diagnostic> &diags, Severity s) {
  return static_cast<unsigned>(
      std::count_if(diags.begin(), diags.end(), [&](const Diagnostic &d) { return d.severity == s; }));
}

int64_t totalMacs(const CheckedModel &m) {
  unsigned __int128 s = 0;
  for (const Layer &l : m.layers) s += static_cast<unsigned __int128>(l.macsPerSample());
  auto max = static_cast<unsigned __int128>(INT64_MAX);
  return static_cast<int64_t>(s > max ? max : s);
}

void write(const json &j, std::FILE *out) {
  // Invalid UTF-8 in a message (a file's bytes quoted back) is replaced, not thrown.
  std::string text = j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  std::fwrite(text.data(), 1, text.size(), out);
}

} // namespace

void printDiagnosticsJson(const std::vector<Diagnostic> &diags, const SourceManager &sources,
                          std::FILE *out) {
  write({{"diagnostics", diagnosticsJson(diags, sources)},
         {"errors", count(diags, Severity::Error)},
         {"warnings", count(diags, Severity::Warning)}},
        out);
}

void printShowJson(const CheckedModel &m, const std::vector<Diagnostic> &diags,
                   const SourceManager &sources, std::FILE *out) {
  json layers = json::array();
  for (const Layer &l : m.layers) {
    json j = {{"name", l.name},
              {"kind", layerKindName(l.kind)},
              {"text", layerKindText(l)},
              {"section", sectionName(l.section)},
              {"in", l.in.dims},
              {"out", l.out.dims},
              {"params", l.paramCount()},
              {"macs", l.macsPerSample()},
              {"tied", l.tiedTo >= 0},
              {"frozen", l.frozen}};
    j["activation"] = l.hasWeights() ? json(activationName(l.activation)) : json(nullptr);
    bool mirrored = l.mirrors >= 0 && static_cast<size_t>(l.mirrors) < m.layers.size();
    j["mirrors"] = mirrored ? json(m.layers[static_cast<size_t>(l.mirrors)].name) : json(nullptr);
    layers.push_back(std::move(j));
  }
  MemoryEstimate tm = m.trainMemory();
  json j = {{"model", m.name},
            {"input", m.input.dims},
            {"code", m.codeIndex >= 0 ? json(m.codeShape().dims) : json(nullptr)},
            {"layers", layers},
            {"total",
             {{"params", m.trainableParams()},
              {"frozen", m.frozenParams()},
              {"macs", totalMacs(m)},
              {"train_memory", tm.total},
              {"batch", m.train.batch}}},
            {"diagnostics", diagnosticsJson(diags, sources)}};
  j["range"] = m.hasRange ? json({m.rangeLo, m.rangeHi}) : json(nullptr);
  write(j, out);
}

} // namespace aec
