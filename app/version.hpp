// The viewer's version string.
#pragma once

namespace strokeviz::app {
inline constexpr const char* kVersion = STROKEVIZ_VERSION;
}
