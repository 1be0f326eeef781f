// "Did you mean" suggestions: the closest known name by edit distance.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aec {

// Optimal-string-alignment distance (insert, delete, substitute, swap two
// neighbours), case-insensitive.
size_t editDistance(std::string_view a, std::string_view b);

// The candidate closest to `name`, if it is close enough to be a plausible
// typo (distance <= max(1, len/3)); ties go to the earlier candidate.
std::optional<std::string> closestName(std::string_view name,
                                       const std::vector<std::string> &candidates);

} // namespace aec
