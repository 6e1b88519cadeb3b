// --summary: per-stroke facts of a recorded session, as JSON or CSV.
#include "follow/summary.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

namespace strokeviz::follow {
using namespace protocol;
using namespace session;

namespace {

void find_gaps(StrokeSummary& s) {
  int prev = -1;
  for (int p : s.poses) {
    if (prev >= 0 && p - prev > protocol::kReportEveryNthPose) s.gaps.emplace_back(prev, p);
    prev = p;
  }
}
}  // namespace

SessionSummary summarize(const session::Recording& rec) {
  SessionSummary out;
  out.header = rec.header();
  std::map<int, std::size_t> index;  // stroke -> position in out.strokes
  StrokeSummary* current = nullptr;
  for (std::size_t i = 0; i < rec.size(); ++i) {
    const auto item = rec.item(i);
    if (!item) continue;
    if (const auto* ev = std::get_if<protocol::Event>(&*item)) {
      if (const auto* p = std::get_if<protocol::ProgressUpdate>(ev)) {
        out.stroke_length = p->stroke_length;
        const int s = static_cast<int>(p->stroke_idx);
        auto [it, fresh] = index.try_emplace(s, out.strokes.size());
        if (fresh) out.strokes.push_back(StrokeSummary{s, rec.time(i), rec.time(i), {}, {}, {}, {}, {}});
        current = &out.strokes[it->second];
        current->end_us = rec.time(i);
        current->poses.insert(static_cast<int>(p->pose_idx));
      } else if (const auto* e = std::get_if<protocol::ErrorEvent>(ev)) {
        const std::string text = e->header.timestamp + " " + e->category + ": " + e->message;
        (current ? current->errors : out.errors_outside_strokes).push_back(text);
      }
    } else if (const auto* h = std::get_if<protocol::HistoryEntry>(&*item)) {
      const int s = static_cast<int>(h->entry.stroke_idx);
      auto [it, fresh] = index.try_emplace(s, out.strokes.size());
      if (fresh) out.strokes.push_back(StrokeSummary{s, rec.time(i), rec.time(i), {}, {}, {}, {}, {}});
      current = &out.strokes[it->second];
      current->end_us = rec.time(i);
      current->poses.insert(static_cast<int>(h->entry.pose_idx));
    } else if (const auto* snap = std::get_if<protocol::ProgressSnapshot>(&*item)) {
      if (current && snap->progress.stroke_idx == current->stroke) {
        current->offsets_l.insert(static_cast<int>(snap->progress.offset_idx_l));
        current->offsets_r.insert(static_cast<int>(snap->progress.offset_idx_r));
      }
      if (snap->progress.stroke_length > 0) out.stroke_length = snap->progress.stroke_length;
    }
  }
  for (StrokeSummary& s : out.strokes) find_gaps(s);
  out.recording_gaps = rec.gaps();
  return out;
}

std::string summary_json(const SessionSummary& s) {
  using nlohmann::json;
  json j;
  j["session_id"] = s.header.session_id;
  j["scene"] = s.header.scene;
  j["node"] = s.header.node;
  j["start_time"] = s.header.start_time;
  j["stroke_length"] = s.stroke_length;
  j["strokes"] = json::array();
  for (const StrokeSummary& st : s.strokes) {
    json gaps = json::array();
    for (auto [a, b] : st.gaps) gaps.push_back({a, b});
    j["strokes"].push_back({{"stroke", st.stroke},
                            {"start", format_timestamp(st.start_us)},
                            {"end", format_timestamp(st.end_us)},
                            {"duration_s", static_cast<double>(st.end_us - st.start_us) / 1e6},
                            {"poses_seen", st.poses.size()},
                            {"offsets_l", st.offsets_l},
                            {"offsets_r", st.offsets_r},
                            {"gaps", gaps},
                            {"errors", st.errors}});
  }
  j["errors_outside_strokes"] = s.errors_outside_strokes;
  j["recording_gaps"] = json::array();
  for (const session::Gap& g : s.recording_gaps)
    j["recording_gaps"].push_back({{"start", format_timestamp(g.begin_us)},
                                   {"end", format_timestamp(g.end_us)},
                                   {"duration_s", static_cast<double>(g.end_us - g.begin_us) / 1e6},
                                   {"reason", g.reason}});
  return j.dump(2) + "\n";
}

namespace {
std::string join(const std::set<int>& v) {
  std::string out;
  for (int x : v) out += (out.empty() ? "" : " ") + std::to_string(x);
  return out;
}
// Seconds of recording gaps inside [a, b].
double gap_seconds_within(const std::vector<session::Gap>& gaps, TimeUs a, TimeUs b) {
  TimeUs total = 0;
  for (const session::Gap& g : gaps) total += std::max<TimeUs>(0, std::min(b, g.end_us) - std::max(a, g.begin_us));
  return static_cast<double>(total) / 1e6;
}
std::string csv_quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

std::string summary_csv(const SessionSummary& s) {
  std::ostringstream out;
  out << "stroke,start,end,duration_s,poses_seen,offsets_l,offsets_r,gaps,errors,recording_gap_s\n";
  for (const StrokeSummary& st : s.strokes) {
    std::string gaps;
    for (auto [a, b] : st.gaps) gaps += (gaps.empty() ? "" : " ") + std::to_string(a) + "-" + std::to_string(b);
    std::string errors;
    for (const auto& e : st.errors) errors += (errors.empty() ? "" : "; ") + e;
    out << st.stroke << ',' << format_timestamp(st.start_us) << ',' << format_timestamp(st.end_us) << ','
        << static_cast<double>(st.end_us - st.start_us) / 1e6 << ',' << st.poses.size() << ','
        << csv_quote(join(st.offsets_l)) << ',' << csv_quote(join(st.offsets_r)) << ',' << csv_quote(gaps) << ','
        << csv_quote(errors) << ',' << gap_seconds_within(s.recording_gaps, st.start_us, st.end_us) << '\n';
  }
  return out.str();
}

Expected<void> write_summary(const SessionSummary& s, const std::filesystem::path& file) {
  const std::string ext = file.extension().string();
  if (ext != ".json" && ext != ".csv")
    return Error{file.string(), 0, "--summary needs a .json or .csv file name"};
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) return Error{file.string(), 0, "cannot open for writing"};
  out << (ext == ".json" ? summary_json(s) : summary_csv(s));
  if (!out.flush()) return Error{file.string(), 0, "write failed"};
  return {};
}

}  // namespace strokeviz::follow
