#include "snapshots.h"

#include "error.h"

#include <filesystem>
#include <sqlite3.h>

namespace dlcov {

const char* const kSnapshotsTableSql =
    "CREATE TABLE IF NOT EXISTS snapshots (runner TEXT NOT NULL, trial INTEGER NOT NULL, elapsed REAL NOT NULL, "
    "executions INTEGER NOT NULL, component TEXT NOT NULL, lines_covered INTEGER NOT NULL, lines_total INTEGER NOT NULL, "
    "branches_covered INTEGER NOT NULL, branches_total INTEGER NOT NULL, functions_covered INTEGER NOT NULL, "
    "functions_total INTEGER NOT NULL, PRIMARY KEY (runner, trial, elapsed, component))";

std::vector<Snapshot> read_snapshots(const std::string& campaign_dir) {
    std::string path = campaign_dir + "/campaign.db";
    std::vector<Snapshot> out;
    if (!std::filesystem::exists(path)) return out;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw UserError(path + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db, 5000);  // the campaign may be writing right now
    const char* sql =
        "SELECT runner, trial, elapsed, executions, component, lines_covered, lines_total, branches_covered, "
        "branches_total, functions_covered, functions_total FROM snapshots ORDER BY runner, trial, elapsed";
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr) != SQLITE_OK) {
        std::string msg = sqlite3_errmsg(db);
        sqlite3_close(db);
        if (msg.find("no such table") != std::string::npos) return out;
        throw UserError(path + ": " + msg);
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        std::string runner = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        int trial = sqlite3_column_int(stmt, 1);
        double elapsed = sqlite3_column_double(stmt, 2);
        if (out.empty() || out.back().runner != runner || out.back().trial != trial || out.back().elapsed_seconds != elapsed)
            out.push_back({runner, trial, elapsed, uint64_t(sqlite3_column_int64(stmt, 3)), {}});
        CoverageTally t;
        auto col = [&](int i) { return uint64_t(sqlite3_column_int64(stmt, i)); };
        t.lines = {col(5), col(6)};
        t.branches = {col(7), col(8)};
        t.functions = {col(9), col(10)};
        out.back().coverage[reinterpret_cast<const char*>(sqlite3_column_text(stmt, 4))] = t;
    }
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return out;
}

}  // namespace dlcov
