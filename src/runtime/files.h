// Small POSIX file helpers for durable state: whole-file reads and writes,
// fsync of files and folders, and a CRC-32C to detect damaged files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "karrow/status.h"

namespace karrow::files {

/// Writes `data` to `path` (replacing it) and fsyncs the file.
Status WriteDurably(const std::string& path, std::string_view data);
/// Writes `data` to a temporary file beside `path`, fsyncs it, renames it
/// over `path` and fsyncs the folder: readers see all of it or none of it.
Status PublishAtomically(const std::string& path, std::string_view data);
Result<std::string> Read(const std::string& path);
/// Makes a folder's entries (creations, renames, removals) durable.
Status SyncDir(const std::string& dir);
/// Creates `dir` and its parents as needed.
Status MakeDirs(const std::string& dir);
/// Names of the entries in `dir` (no "." or ".."), sorted.
Result<std::vector<std::string>> List(const std::string& dir);
bool Exists(const std::string& path);
/// Removes a file or a whole folder tree; a missing path is fine.
Status RemoveAll(const std::string& path);

/// CRC-32C (Castagnoli) of `data`.
uint32_t Crc32c(std::string_view data);

}  // namespace karrow::files
