#include "mtmatch/error.hpp"

namespace mtmatch {

// Compiler style when a file is known ("profiles.hsd:12:31"), words otherwise ("line 3, column 5").
std::string source_location::describe() const {
  std::string out;
  if (!file.empty()) {
    out = file;
    if (line != 0) out += ':' + std::to_string(line);
    if (line != 0 && column != 0) out += ':' + std::to_string(column);
  } else if (line != 0) {
    out = "line " + std::to_string(line);
    if (column != 0) out += ", column " + std::to_string(column);
  } else if (column != 0) {
    out = "column " + std::to_string(column);
  }
  if (!token.empty()) out += out.empty() ? token : ": " + token;
  return out;
}

std::string error::compose(const source_location& where, const std::string& reason) {
  std::string prefix = where.describe();
  return prefix.empty() ? reason : prefix + ": " + reason;
}

}  // namespace mtmatch
