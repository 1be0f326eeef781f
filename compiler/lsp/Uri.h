// file:// URIs <-> paths (RFC 3986 percent-encoding). Other schemes (an
// editor's `untitled:` buffers) map to no path; such documents are checked
// as if they lived in the current directory.
#pragma once

#include <string>

namespace aec::lsp {

// The path of a `file://` URI, or "" for any other URI.
std::string uriToPath(const std::string &uri);
std::string pathToUri(const std::string &path);

} // namespace aec::lsp
