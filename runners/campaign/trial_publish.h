// Copying a trial's folder from a node's scratch disk into the shared campaign folder while the
// trial runs: only files that are new or changed since the last copy (size or modification time),
// each written whole to `<file>.partial` and renamed, so a reader (the head `dlcov run`, a resumed
// task) sees every file either as it was or as it is. Raw profiles of processes still running (in
// profiles/, their names carry the writer's pid) stay behind; they are folded into the running
// total, which is copied, by a later snapshot.
#pragma once
#include <string>

namespace dlcov {

// Copies the tree `from` into `to` (created on demand); returns how many files it copied.
// UserError naming the file that could not be written.
size_t publish_tree(const std::string& from, const std::string& to);

// The same, with every `folder_from` in the trial's events.jsonl and findings.json written as
// `folder_to`: the replay commands and details of findings name the node's scratch folder, which
// is gone when the task ends; in the shared folder they name the shared campaign folder.
size_t publish_tree(const std::string& from, const std::string& to, const std::string& folder_from,
                    const std::string& folder_to);

}  // namespace dlcov
