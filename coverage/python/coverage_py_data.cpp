#include "coverage_py_data.h"

#include "error.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <memory>
#include <set>
#include <sqlite3.h>
#include <sys/stat.h>

namespace dlcov::python {

namespace {

constexpr int kSchemaVersion = 7;
constexpr char kSqliteMagic[] = "SQLite format 3";  // 16 bytes with the terminating NUL
constexpr char kExpected[] =
    "expected a coverage.py data file: SQLite with coverage.py's tables coverage_schema (version 7), "
    "meta, file, line_bits and arc";

[[noreturn]] void fail(const std::string& path, const std::string& what) {
    throw UserError(path + ": " + what + " (" + kExpected + ")");
}

struct DbCloser {
    void operator()(sqlite3* db) const { sqlite3_close(db); }
};
using Db = std::unique_ptr<sqlite3, DbCloser>;

struct StmtFinalizer {
    void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// Runs `sql`, calling `row` for each result row; SQLite errors become UserErrors naming the file.
template <typename Row>
void query(sqlite3* db, const std::string& path, const char* sql, Row row) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK)
        fail(path, std::string("cannot read it: ") + sqlite3_errmsg(db));
    Stmt stmt(raw);
    for (;;) {
        int rc = sqlite3_step(stmt.get());
        if (rc == SQLITE_ROW) {
            row(stmt.get());
            continue;
        }
        if (rc == SQLITE_DONE) return;
        fail(path, std::string("corrupt or truncated: ") + sqlite3_errmsg(db));
    }
}

std::string column_text(sqlite3_stmt* s, int i) {
    const unsigned char* t = sqlite3_column_text(s, i);
    return t ? reinterpret_cast<const char*>(t) : "";
}

bool has_sqlite_magic(const std::string& path, std::string* problem) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) {
        if (problem) *problem = "no such file";
        return false;
    }
    if (!S_ISREG(st.st_mode)) {
        if (problem) *problem = "not a regular file";
        return false;
    }
    if (st.st_size == 0) {
        if (problem) *problem = "empty file";
        return false;
    }
    unsigned char header[100] = {};
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (problem) *problem = "cannot open it";
        return false;
    }
    in.read(reinterpret_cast<char*>(header), sizeof header);
    if (in.gcount() < 16 || std::memcmp(header, kSqliteMagic, 16) != 0) {
        if (problem) *problem = "not a SQLite database";
        return false;
    }
    if (in.gcount() < std::streamsize(sizeof header)) {
        if (problem) *problem = "corrupt or truncated: " + std::to_string(st.st_size) + " bytes, shorter than a SQLite header";
        return false;
    }
    // SQLite reads missing pages at the end of a file as zeros, so a file cut short can look
    // whole: compare its size with the page count its header records (when that is current).
    auto be32 = [&](int at) {
        return uint32_t(header[at]) << 24 | uint32_t(header[at + 1]) << 16 | uint32_t(header[at + 2]) << 8 |
               uint32_t(header[at + 3]);
    };
    uint64_t page_size = uint64_t(header[16]) << 8 | header[17];
    if (page_size == 1) page_size = 65536;
    uint64_t pages = be32(28);
    bool pages_current = be32(24) == be32(92);
    if (page_size >= 512 && pages_current && pages > 0 && uint64_t(st.st_size) < pages * page_size) {
        if (problem)
            *problem = "corrupt or truncated: " + std::to_string(st.st_size) + " bytes, its header says " +
                       std::to_string(pages) + " pages of " + std::to_string(page_size);
        return false;
    }
    return true;
}

Db open_read_only(const std::string& path) {
    sqlite3* raw = nullptr;
    int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    Db db(raw);
    if (rc != SQLITE_OK)
        fail(path, std::string("cannot open it: ") + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    sqlite3_busy_timeout(db.get(), 2000);
    return db;
}

std::set<std::string> table_names(sqlite3* db, const std::string& path) {
    std::set<std::string> names;
    query(db, path, "select name from sqlite_master where type = 'table'",
          [&](sqlite3_stmt* s) { names.insert(column_text(s, 0)); });
    return names;
}

}  // namespace

std::vector<int> numbits_to_numbers(const unsigned char* bytes, size_t size) {
    std::vector<int> out;
    for (size_t i = 0; i < size; ++i)
        for (int bit = 0; bit < 8; ++bit)
            if (bytes[i] & (1u << bit)) out.push_back(int(i * 8 + size_t(bit)));
    return out;
}

bool is_coverage_py_data(const std::string& path) {
    if (!has_sqlite_magic(path, nullptr)) return false;
    try {
        Db db = open_read_only(path);
        auto tables = table_names(db.get(), path);
        if (!tables.count("coverage_schema") || !tables.count("meta")) return false;
        bool has_version = false;
        query(db.get(), path, "select 1 from meta where key = 'version'", [&](sqlite3_stmt*) { has_version = true; });
        return has_version;
    } catch (const UserError&) {
        return false;
    }
}

CoveragePyData read_coverage_py_data(const std::string& path) {
    std::string problem;
    if (!has_sqlite_magic(path, &problem)) fail(path, problem);
    Db db = open_read_only(path);
    sqlite3* d = db.get();

    // A truncated file can still answer queries that touch only its first pages.
    std::vector<std::string> check;
    query(d, path, "pragma quick_check", [&](sqlite3_stmt* s) { check.push_back(column_text(s, 0)); });
    if (check.size() != 1 || check[0] != "ok")
        fail(path, "corrupt or truncated: " + (check.empty() ? std::string("integrity check failed") : check[0]));

    auto tables = table_names(d, path);
    std::string missing;
    for (const char* t : {"coverage_schema", "meta", "file", "line_bits", "arc"})
        if (!tables.count(t)) missing += std::string(missing.empty() ? "" : ", ") + t;
    if (!tables.count("coverage_schema") || !tables.count("meta"))
        fail(path, "not a coverage.py data file: no table " + missing);

    std::vector<long long> versions;
    query(d, path, "select version from coverage_schema",
          [&](sqlite3_stmt* s) { versions.push_back(sqlite3_column_int64(s, 0)); });
    if (versions.size() != 1) fail(path, "corrupt: coverage_schema has " + std::to_string(versions.size()) + " rows, not 1");
    if (versions[0] != kSchemaVersion)
        fail(path, "coverage.py data of schema version " + std::to_string(versions[0]) +
                       " (written by coverage.py older than 5.0?); dlcov reads schema version 7");
    if (!missing.empty()) fail(path, "corrupt: no table " + missing);

    CoveragePyData out;
    out.data_file = path;
    bool has_version = false;
    query(d, path, "select key, value from meta", [&](sqlite3_stmt* s) {
        std::string key = column_text(s, 0), value = column_text(s, 1);
        if (key == "version") {
            out.coverage_version = value;
            has_version = true;
        } else if (key == "has_arcs") {
            if (value != "0" && value != "1") fail(path, "corrupt: meta has_arcs is '" + value + "', not 0 or 1");
            out.has_arcs = value == "1";
        }
    });
    if (!has_version) fail(path, "not a coverage.py data file: its meta table has no 'version'");

    std::map<long long, ExecutedFile*> by_id;
    query(d, path, "select id, path from file", [&](sqlite3_stmt* s) {
        std::string source = column_text(s, 1);
        if (source.empty()) fail(path, "corrupt: a measured file without a path");
        by_id[sqlite3_column_int64(s, 0)] = &out.files[source];
    });
    auto file_of = [&](sqlite3_stmt* s) -> ExecutedFile& {
        auto it = by_id.find(sqlite3_column_int64(s, 0));
        if (it == by_id.end()) fail(path, "corrupt: executed lines of a file id missing from the file table");
        return *it->second;
    };
    query(d, path, "select file_id, numbits from line_bits", [&](sqlite3_stmt* s) {
        ExecutedFile& f = file_of(s);
        if (sqlite3_column_type(s, 1) != SQLITE_BLOB && sqlite3_column_type(s, 1) != SQLITE_NULL)
            fail(path, "corrupt: line_bits.numbits is not a blob");
        auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(s, 1));
        auto nums = numbits_to_numbers(bytes, size_t(sqlite3_column_bytes(s, 1)));
        f.lines.insert(f.lines.end(), nums.begin(), nums.end());
    });
    query(d, path, "select file_id, fromno, tono from arc", [&](sqlite3_stmt* s) {
        ExecutedFile& f = file_of(s);
        f.arcs.emplace_back(sqlite3_column_int(s, 1), sqlite3_column_int(s, 2));
    });

    for (auto& [source, f] : out.files) {
        // In branch mode the executed lines are the positive ends of the executed arcs.
        for (const auto& [a, b] : f.arcs) {
            if (a > 0) f.lines.push_back(a);
            if (b > 0) f.lines.push_back(b);
        }
        std::sort(f.lines.begin(), f.lines.end());
        f.lines.erase(std::unique(f.lines.begin(), f.lines.end()), f.lines.end());
        f.lines.erase(std::remove_if(f.lines.begin(), f.lines.end(), [](int l) { return l <= 0; }), f.lines.end());
        std::sort(f.arcs.begin(), f.arcs.end());
        f.arcs.erase(std::unique(f.arcs.begin(), f.arcs.end()), f.arcs.end());
    }
    return out;
}

}  // namespace dlcov::python
