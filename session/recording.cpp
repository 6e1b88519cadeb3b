// Recording: a compact, time-indexed item table (built by appending, or loaded) and its queries.
#include "session/recording.hpp"

#include "session/recording_impl.hpp"

namespace strokeviz::session {
using namespace protocol;

// ============================================================================
// 4. queries
// ============================================================================

Recording::Recording() : impl_(std::make_unique<Impl>()) {}
Recording::~Recording() = default;
Recording::Recording(Recording&&) noexcept = default;
Recording& Recording::operator=(Recording&&) noexcept = default;

Recording::Recording(SessionHeader header) : impl_(std::make_unique<Impl>()) { impl_->header = std::move(header); }

void Recording::append(TimeUs t, FeedItem item) { impl_->add_item(t, std::move(item)); }

void Recording::append_rejected(TimeUs t) { impl_->add_rejected(t); }
void Recording::reserve(std::size_t items) { impl_->reserve(items); }

std::size_t Recording::drop_oldest(std::size_t keep) {
  const std::size_t n = size();
  if (n <= keep) return 0;
  const std::size_t from = n - keep;
  auto fresh = std::make_unique<Impl>();
  fresh->header = impl_->header;
  fresh->reserve(keep);
  for (std::size_t i = from; i < n; ++i) {
    if (auto it = item(i)) fresh->add_item(impl_->times[i], std::move(*it));
    else fresh->add_rejected(impl_->times[i]);
  }
  impl_ = std::move(fresh);
  return from;
}

const SessionHeader& Recording::header() const { return impl_->header; }
SessionHeader& Recording::header() { return impl_->header; }
std::size_t Recording::size() const { return impl_->times.size(); }
TimeUs Recording::time(std::size_t i) const { return impl_->times[i]; }
ItemKind Recording::kind(std::size_t i) const { return impl_->kinds[i]; }

std::optional<FeedItem> Recording::item(std::size_t i) const {
  if (i >= size()) return std::nullopt;
  const ItemKind k = impl_->kinds[i];
  if (k == ItemKind::Rejected) return std::nullopt;
  const std::uint32_t ref = impl_->refs[i];
  if (ref & kSide) return impl_->side[ref & ~kSide];
  return impl_->materialize(static_cast<std::uint32_t>(i));
}

namespace {
// Position in `l` of the last index <= i, or -1.
std::ptrdiff_t last_at_or_before(const std::vector<std::uint32_t>& l, std::size_t i) {
  const auto it = std::upper_bound(l.begin(), l.end(), i, [](std::size_t a, std::uint32_t b) { return a < b; });
  return (it - l.begin()) - 1;
}
}  // namespace

int Recording::stroke_at(std::size_t i) const {
  const auto p = last_at_or_before(impl_->list(ItemKind::Progress), i);
  return p < 0 ? -1 : impl_->p_stroke[static_cast<std::size_t>(p)];
}

int Recording::pose_at(std::size_t i) const {
  const auto p = last_at_or_before(impl_->list(ItemKind::Progress), i);
  return p < 0 ? -1 : impl_->p_pose[static_cast<std::size_t>(p)];
}

std::size_t Recording::index_at(TimeUs t) const {
  const auto& T = impl_->times;
  const auto it = std::upper_bound(T.begin(), T.end(), t);
  return it == T.begin() ? 0 : static_cast<std::size_t>(it - T.begin()) - 1;
}

std::vector<std::size_t> Recording::state_indices(std::size_t i, std::size_t errors) const {
  std::vector<std::size_t> picks;
  if (size() == 0) return picks;
  i = std::min(i, size() - 1);
  auto latest = [&](const std::vector<std::uint32_t>& l) -> std::ptrdiff_t {
    const auto p = last_at_or_before(l, i);
    return p < 0 ? -1 : static_cast<std::ptrdiff_t>(l[static_cast<std::size_t>(p)]);
  };
  const auto start = latest(impl_->list(ItemKind::SessionStart));
  const auto end = latest(impl_->list(ItemKind::SessionEnd));
  if (start >= 0) picks.push_back(static_cast<std::size_t>(start));
  if (end > start) picks.push_back(static_cast<std::size_t>(end));
  for (const auto* l : {&impl_->prog_snaps, &impl_->robot_snaps, &impl_->list(ItemKind::RobotEvent),
                        &impl_->list(ItemKind::Progress)})
    if (const auto k = latest(*l); k >= 0) picks.push_back(static_cast<std::size_t>(k));
  const auto& E = impl_->list(ItemKind::Error);
  for (auto p = last_at_or_before(E, i); p >= 0 && errors > 0; --p, --errors) picks.push_back(E[static_cast<std::size_t>(p)]);
  std::sort(picks.begin(), picks.end());
  picks.erase(std::unique(picks.begin(), picks.end()), picks.end());
  return picks;
}

std::vector<FeedItem> Recording::state_at(std::size_t i) const {
  std::vector<FeedItem> out;
  for (const std::size_t k : state_indices(i, 0))
    if (auto it = item(k)) out.push_back(std::move(*it));
  return out;
}

std::size_t Recording::find_progress(int stroke, int pose) const {
  const auto& P = impl_->list(ItemKind::Progress);
  std::size_t last = npos;
  for (std::size_t j = 0; j < P.size(); ++j) {
    if (impl_->p_stroke[j] != stroke) continue;
    if (impl_->p_pose[j] >= pose) return P[j];
    last = P[j];
  }
  return last;
}

std::size_t Recording::next_stroke(std::size_t i) const {
  const auto& P = impl_->list(ItemKind::Progress);
  if (P.empty()) return npos;
  const auto p = last_at_or_before(P, i);
  if (p < 0) return P.front();
  const auto& R = impl_->runs;
  const auto r = std::upper_bound(R.begin(), R.end(), static_cast<std::uint32_t>(p));
  return r == R.end() ? npos : P[*r];
}

std::size_t Recording::prev_stroke(std::size_t i) const {
  const auto& P = impl_->list(ItemKind::Progress);
  const auto p = last_at_or_before(P, i);
  if (p < 0) return npos;
  const auto& R = impl_->runs;
  const auto r = std::upper_bound(R.begin(), R.end(), static_cast<std::uint32_t>(p)) - R.begin() - 1;  // run of p
  return r <= 0 ? npos : P[R[static_cast<std::size_t>(r - 1)]];
}

std::size_t Recording::next_of(std::size_t i, ItemKind k) const {
  const auto& l = impl_->list(k);
  const auto it = std::upper_bound(l.begin(), l.end(), i, [](std::size_t a, std::uint32_t b) { return a < b; });
  return it == l.end() ? npos : *it;
}

std::size_t Recording::prev_of(std::size_t i, ItemKind k) const {
  const auto& l = impl_->list(k);
  const auto it = std::lower_bound(l.begin(), l.end(), i, [](std::uint32_t a, std::size_t b) { return a < b; });
  return it == l.begin() ? npos : *(it - 1);
}

std::vector<Gap> Recording::gaps() const {
  std::vector<Gap> out;
  for (const std::uint32_t i : impl_->list(ItemKind::Reconnected)) {
    if (i == 0 || impl_->kinds[i - 1] == ItemKind::Reconnected) continue;
    Gap g{impl_->times[i - 1], impl_->times[i], i, {}};
    if (const auto it = item(i))
      if (const auto* r = std::get_if<Reconnected>(&*it)) g.reason = r->reason;
    out.push_back(std::move(g));
  }
  return out;
}

std::size_t Recording::memory_bytes() const {
  const Impl& m = *impl_;
  std::size_t n = sizeof(Impl);
  n += m.times.capacity() * sizeof(TimeUs) + m.kinds.capacity() + m.refs.capacity() * 4 +
       m.prog.capacity() * sizeof(ProgRec) + m.side.capacity() * sizeof(FeedItem) + m.side_heap +
       (m.p_stroke.capacity() + m.p_pose.capacity()) * 4 + m.runs.capacity() * 4 +
       (m.prog_snaps.capacity() + m.robot_snaps.capacity()) * 4 + m.strings.memory();
  for (const auto& l : m.by_kind) n += l.capacity() * 4;
  return n;
}

}  // namespace strokeviz::session
