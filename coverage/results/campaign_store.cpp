#include "campaign_store.h"

#include "error.h"
#include "utc_time.h"
#include "whole_file.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fmt/format.h>
#include <filesystem>
#include <sqlite3.h>

namespace dlcov {

namespace {

// A prepared statement bound in order, finalized on scope exit.
class Statement {
public:
    Statement(sqlite3* db, const char* sql, const std::string& where) : db_(db) {
        if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK)
            throw UserError(where + ": " + sqlite3_errmsg(db));
    }
    ~Statement() { sqlite3_finalize(stmt_); }
    Statement& bind(const std::string& v) {
        sqlite3_bind_text(stmt_, ++index_, v.c_str(), int(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Statement& bind(int64_t v) {
        sqlite3_bind_int64(stmt_, ++index_, v);
        return *this;
    }
    Statement& bind(double v) {
        sqlite3_bind_double(stmt_, ++index_, v);
        return *this;
    }
    // Steps once; true when a row is available.
    bool step(const std::string& where) {
        int rc = sqlite3_step(stmt_);
        if (rc == SQLITE_ROW) return true;
        if (rc != SQLITE_DONE) throw UserError(where + ": " + sqlite3_errmsg(db_));
        return false;
    }
    void run(const std::string& where) {
        step(where);
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
        index_ = 0;
    }
    std::string text(int i) const {
        const unsigned char* t = sqlite3_column_text(stmt_, i);
        return t ? reinterpret_cast<const char*>(t) : "";
    }
    int64_t integer(int i) const { return sqlite3_column_int64(stmt_, i); }
    double real(int i) const { return sqlite3_column_double(stmt_, i); }

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_ = nullptr;
    int index_ = 0;
};

const char* kSchema =
    "CREATE TABLE IF NOT EXISTS campaign (name TEXT PRIMARY KEY, config TEXT, config_hash TEXT, build TEXT, "
    "status TEXT, started TEXT, finished TEXT, wall_seconds REAL, harness_cpu_seconds REAL);"
    "CREATE TABLE IF NOT EXISTS trials (runner TEXT NOT NULL, trial INTEGER NOT NULL, status TEXT NOT NULL, "
    "started TEXT, finished TEXT, seconds REAL DEFAULT 0, tester_seconds REAL DEFAULT 0, executions INTEGER DEFAULT 0, "
    "findings INTEGER DEFAULT 0, runs INTEGER DEFAULT 0, PRIMARY KEY (runner, trial));"
    "CREATE TABLE IF NOT EXISTS executions (runner TEXT NOT NULL, trial INTEGER NOT NULL, id TEXT, artifact TEXT, "
    "backend TEXT, result TEXT, seconds REAL);"
    "CREATE INDEX IF NOT EXISTS executions_by_trial ON executions (runner, trial);"
    "CREATE TABLE IF NOT EXISTS findings (runner TEXT NOT NULL, trial INTEGER NOT NULL, kind TEXT, artifact TEXT, "
    "input TEXT, backends TEXT, metric TEXT, value REAL, detail TEXT, replay TEXT);"
    "CREATE TABLE IF NOT EXISTS snapshot_costs (runner TEXT NOT NULL, trial INTEGER NOT NULL, elapsed REAL NOT NULL, "
    "folded_profiles INTEGER, profiles_so_far INTEGER, fold_seconds REAL, measure_seconds REAL, "
    "PRIMARY KEY (runner, trial, elapsed));"
    "CREATE TABLE IF NOT EXISTS snapshots (runner TEXT NOT NULL, trial INTEGER NOT NULL, elapsed REAL NOT NULL, "
    "executions INTEGER NOT NULL, component TEXT NOT NULL, lines_covered INTEGER NOT NULL, lines_total INTEGER NOT NULL, "
    "branches_covered INTEGER NOT NULL, branches_total INTEGER NOT NULL, functions_covered INTEGER NOT NULL, "
    "functions_total INTEGER NOT NULL, PRIMARY KEY (runner, trial, elapsed, component));"
    "CREATE TABLE IF NOT EXISTS trial_jobs (job TEXT PRIMARY KEY, runner TEXT NOT NULL, trial INTEGER NOT NULL, "
    "state TEXT NOT NULL, submitted TEXT, ended TEXT);";

// Stores written before executions and findings were unique by identity (trial_events.h) may hold
// repeated rows and lack the runs column: the repeats go, the column comes, then the indexes that
// keep rows unique. Once, for a store without the indexes: the scans cost as much as the table.
const char* kUpgrade =
    "DELETE FROM executions WHERE rowid NOT IN (SELECT MIN(rowid) FROM executions "
    "GROUP BY runner, trial, id, artifact, backend);"
    "DELETE FROM findings WHERE rowid NOT IN (SELECT MIN(rowid) FROM findings "
    "GROUP BY runner, trial, kind, artifact, input, backends, metric);"
    "CREATE UNIQUE INDEX IF NOT EXISTS executions_identity ON executions (runner, trial, id, artifact, backend);"
    "CREATE UNIQUE INDEX IF NOT EXISTS findings_identity ON findings (runner, trial, kind, artifact, input, backends, metric);";

}  // namespace

CampaignStore::CampaignStore(const CampaignFolder& folder) : path_(folder.store_path()) {
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX;
    if (sqlite3_open_v2(path_.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
        sqlite3_close(db_);
        throw UserError(path_ + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db_, 30000);
    exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
    exec(kSchema);
    if (!has_column("trials", "runs")) exec("ALTER TABLE trials ADD COLUMN runs INTEGER DEFAULT 0");
    if (!has_index("findings_identity")) in_transaction([&] { exec(kUpgrade); });
}

bool CampaignStore::has_column(const std::string& table, const std::string& column) {
    Statement s(db_, ("SELECT 1 FROM pragma_table_info('" + table + "') WHERE name = ?").c_str(), path_);
    s.bind(column);
    return s.step(path_);
}

bool CampaignStore::has_index(const std::string& name) {
    Statement s(db_, "SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = ?", path_);
    s.bind(name);
    return s.step(path_);
}

CampaignStore::~CampaignStore() { sqlite3_close(db_); }

template <class Body>
void CampaignStore::in_transaction(Body body) {
    exec("BEGIN IMMEDIATE");
    try {
        body();
    } catch (...) {
        exec("ROLLBACK");  // the connection is shared: never leave a transaction open
        throw;
    }
    exec("COMMIT");
}

void CampaignStore::exec(const std::string& sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
        std::string msg = error ? error : "?";
        sqlite3_free(error);
        throw UserError(path_ + ": " + msg);
    }
}

std::string CampaignStore::recorded_config_hash() {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "SELECT config_hash FROM campaign LIMIT 1", path_);
    return s.step(path_) ? s.text(0) : "";
}

void CampaignStore::begin_campaign(const std::string& name, const std::string& config, const std::string& config_hash,
                                   const std::string& build) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_,
                "INSERT INTO campaign (name, config, config_hash, build, status, started) VALUES (?, ?, ?, ?, 'running', ?) "
                "ON CONFLICT (name) DO UPDATE SET status = 'running', build = excluded.build, finished = NULL",
                path_);
    s.bind(name).bind(config).bind(config_hash).bind(build).bind(utc_now_iso()).run(path_);
}

void CampaignStore::end_campaign(const std::string& status, double wall_seconds, double harness_cpu_seconds) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "UPDATE campaign SET status = ?, finished = ?, wall_seconds = ?, harness_cpu_seconds = ?", path_);
    s.bind(status).bind(utc_now_iso()).bind(wall_seconds).bind(harness_cpu_seconds).run(path_);
}

void CampaignStore::add_trials(const std::vector<std::pair<std::string, int>>& trials) {
    std::lock_guard<std::mutex> lock(mutex_);
    in_transaction([&] {
        Statement s(db_, "INSERT OR IGNORE INTO trials (runner, trial, status) VALUES (?, ?, 'pending')", path_);
        for (const auto& [runner, trial] : trials) s.bind(runner).bind(int64_t(trial)).run(path_);
    });
}

namespace {

const char* kSelectTrials =
    "SELECT runner, trial, status, seconds, tester_seconds, executions, findings FROM trials ORDER BY runner, trial";

std::vector<TrialRecord> trial_rows(Statement& s, const std::string& path) {
    std::vector<TrialRecord> out;
    while (s.step(path)) {
        TrialRecord r;
        r.runner = s.text(0);
        r.trial = int(s.integer(1));
        r.status = s.text(2);
        r.seconds = s.real(3);
        r.tester_seconds = s.real(4);
        r.executions = uint64_t(s.integer(5));
        r.findings = uint64_t(s.integer(6));
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

std::vector<TrialRecord> CampaignStore::trials() {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, kSelectTrials, path_);
    return trial_rows(s, path_);
}

int CampaignStore::start_trial_run(const std::string& runner, int trial, bool resume) {
    std::lock_guard<std::mutex> lock(mutex_);
    int run = 1;
    in_transaction([&] {
        // A trial resumed from a store without the runs column ran once before at least.
        Statement s(db_,
                    resume ? "UPDATE trials SET runs = MAX(runs, 1) + 1, status = 'running', started = COALESCE(started, ?) "
                             "WHERE runner = ? AND trial = ? RETURNING runs"
                           : "UPDATE trials SET runs = 1, status = 'running', started = ? "
                             "WHERE runner = ? AND trial = ? RETURNING runs",
                    path_);
        s.bind(utc_now_iso()).bind(runner).bind(int64_t(trial));
        if (s.step(path_)) run = int(s.integer(0));
    });
    return run;
}

void CampaignStore::set_trial_status(const std::string& runner, int trial, const std::string& status) {
    std::lock_guard<std::mutex> lock(mutex_);
    const char* sql = status == "running"
                          ? "UPDATE trials SET status = ?, started = COALESCE(started, ?) WHERE runner = ? AND trial = ?"
                          : "UPDATE trials SET status = ?, finished = ? WHERE runner = ? AND trial = ?";
    Statement s(db_, sql, path_);
    s.bind(status).bind(utc_now_iso()).bind(runner).bind(int64_t(trial)).run(path_);
}

void CampaignStore::finish_trial(const TrialRecord& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_,
                "UPDATE trials SET status = ?, finished = ?, seconds = ?, tester_seconds = ?, executions = ?, "
                "findings = ? WHERE runner = ? AND trial = ?",
                path_);
    s.bind(r.status).bind(utc_now_iso()).bind(r.seconds).bind(r.tester_seconds).bind(int64_t(r.executions))
        .bind(int64_t(r.findings)).bind(r.runner).bind(int64_t(r.trial)).run(path_);
}

void CampaignStore::clear_trial_events(const std::string& runner, int trial) {
    std::lock_guard<std::mutex> lock(mutex_);
    in_transaction([&] {
        for (const char* sql : {"DELETE FROM executions WHERE runner = ? AND trial = ?",
                                "DELETE FROM findings WHERE runner = ? AND trial = ?"}) {
            Statement s(db_, sql, path_);
            s.bind(runner).bind(int64_t(trial)).run(path_);
        }
    });
}

void CampaignStore::restart_trial(const std::string& runner, int trial) {
    std::lock_guard<std::mutex> lock(mutex_);
    in_transaction([&] {
        for (const char* sql : {"DELETE FROM executions WHERE runner = ? AND trial = ?",
                                "DELETE FROM findings WHERE runner = ? AND trial = ?",
                                "DELETE FROM snapshots WHERE runner = ? AND trial = ?",
                                "DELETE FROM snapshot_costs WHERE runner = ? AND trial = ?",
                                "UPDATE trials SET status = 'pending', started = NULL, finished = NULL, seconds = 0, "
                                "tester_seconds = 0, executions = 0, findings = 0, runs = 0 WHERE runner = ? AND trial = ?"}) {
            Statement s(db_, sql, path_);
            s.bind(runner).bind(int64_t(trial)).run(path_);
        }
    });
}

double CampaignStore::last_snapshot_elapsed(const std::string& runner, int trial) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "SELECT MAX(elapsed) FROM snapshots WHERE runner = ? AND trial = ?", path_);
    s.bind(runner).bind(int64_t(trial));
    return s.step(path_) ? s.real(0) : 0.0;
}

void CampaignStore::add_events(const std::string& runner, int trial, const TrialEvents& events) {
    if (events.executions.empty() && events.findings.empty()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    in_transaction([&] {
        Statement e(db_,
                    "INSERT OR IGNORE INTO executions (runner, trial, id, artifact, backend, result, seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    path_);
        for (const auto& x : events.executions)
            e.bind(runner).bind(int64_t(trial)).bind(x.id).bind(x.artifact).bind(x.backend).bind(x.result).bind(x.seconds).run(path_);
        Statement f(db_,
                    "INSERT OR IGNORE INTO findings (runner, trial, kind, artifact, input, backends, metric, value, detail, replay) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    path_);
        for (const auto& x : events.findings)
            f.bind(runner).bind(int64_t(trial)).bind(x.kind).bind(x.artifact).bind(x.input).bind(x.backends).bind(x.metric)
                .bind(x.value).bind(x.detail).bind(x.replay).run(path_);
    });
}

void CampaignStore::add_snapshot(const Snapshot& snap, const SnapshotCost& cost) {
    std::lock_guard<std::mutex> lock(mutex_);
    in_transaction([&] {
        Statement s(db_,
                    "INSERT OR REPLACE INTO snapshots (runner, trial, elapsed, executions, component, lines_covered, "
                    "lines_total, branches_covered, branches_total, functions_covered, functions_total) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    path_);
        for (const auto& [component, t] : snap.coverage)
            s.bind(snap.runner).bind(int64_t(snap.trial)).bind(snap.elapsed_seconds).bind(int64_t(snap.executions))
                .bind(component).bind(int64_t(t.lines.covered)).bind(int64_t(t.lines.total))
                .bind(int64_t(t.branches.covered)).bind(int64_t(t.branches.total)).bind(int64_t(t.functions.covered))
                .bind(int64_t(t.functions.total)).run(path_);
        Statement c(db_,
                    "INSERT OR REPLACE INTO snapshot_costs (runner, trial, elapsed, folded_profiles, profiles_so_far, "
                    "fold_seconds, measure_seconds) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    path_);
        c.bind(snap.runner).bind(int64_t(snap.trial)).bind(snap.elapsed_seconds).bind(int64_t(cost.folded_profiles))
            .bind(int64_t(cost.profiles_so_far)).bind(cost.fold_seconds).bind(cost.measure_seconds).run(path_);
        Statement t(db_, "UPDATE trials SET seconds = ?, executions = ? WHERE runner = ? AND trial = ?", path_);
        t.bind(snap.elapsed_seconds).bind(int64_t(snap.executions)).bind(snap.runner).bind(int64_t(snap.trial)).run(path_);
    });
}

namespace {

// Runs `body(db, path)` on a read-only connection to the folder's store; returns `empty` when the
// campaign has no store, or no such table yet (a store opened before its first write).
template <class Result, class Body>
Result read_store(const CampaignFolder& folder, Result empty, Body body) {
    std::string path = folder.store_path();
    if (!std::filesystem::exists(path)) return empty;
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::string msg = db ? sqlite3_errmsg(db) : "out of memory";
        sqlite3_close(db);
        throw UserError(path + ": cannot open: " + msg);
    }
    sqlite3_busy_timeout(db, 5000);  // the campaign may be writing right now
    try {
        Result out = body(db, path);
        sqlite3_close(db);
        return out;
    } catch (const UserError& e) {
        sqlite3_close(db);
        if (std::string(e.what()).find("no such table") != std::string::npos) return empty;
        throw;
    }
}

}  // namespace

std::vector<TrialRecord> read_trials(const CampaignFolder& folder) {
    return read_store(folder, std::vector<TrialRecord>{}, [](sqlite3* db, const std::string& path) {
        Statement s(db, kSelectTrials, path);
        return trial_rows(s, path);
    });
}

std::vector<Snapshot> read_snapshots(const CampaignFolder& folder) {
    return read_store(folder, std::vector<Snapshot>{}, [](sqlite3* db, const std::string& path) {
        std::vector<Snapshot> out;
        Statement s(db,
                    "SELECT runner, trial, elapsed, executions, component, lines_covered, lines_total, branches_covered, "
                    "branches_total, functions_covered, functions_total FROM snapshots ORDER BY runner, trial, elapsed",
                    path);
        while (s.step(path)) {
            std::string runner = s.text(0);
            int trial = int(s.integer(1));
            double elapsed = s.real(2);
            if (out.empty() || out.back().runner != runner || out.back().trial != trial ||
                out.back().elapsed_seconds != elapsed)
                out.push_back({runner, trial, elapsed, uint64_t(s.integer(3)), {}});
            auto col = [&](int i) { return uint64_t(s.integer(i)); };
            CoverageTally t;
            t.lines = {col(5), col(6)};
            t.branches = {col(7), col(8)};
            t.functions = {col(9), col(10)};
            out.back().coverage[s.text(4)] = t;
        }
        return out;
    });
}

namespace {

std::string sql_text(const std::string& text) {  // a string literal for SQL text
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

}  // namespace

void CampaignStore::copy_to(const std::string& path) {
    std::lock_guard<std::mutex> lock(mutex_);
    std::string partial = partial_path(path);
    std::remove(partial.c_str());  // VACUUM INTO refuses to write over a file
    try {
        exec("VACUUM INTO " + sql_text(partial));
    } catch (const UserError& e) {
        std::remove(partial.c_str());
        throw UserError(fmt::format("cannot copy the store to {}: {}", path, e.what()));
    }
    if (std::rename(partial.c_str(), path.c_str()) != 0) {
        int error = errno;
        std::remove(partial.c_str());
        throw UserError(fmt::format("cannot rename {} to {}: {}", partial, path, std::strerror(error)));
    }
}

void CampaignStore::import_trial(const std::string& other, const std::string& runner, int trial,
                                 const std::string& from_dir, const std::string& to_dir) {
    std::lock_guard<std::mutex> lock(mutex_);
    exec("ATTACH DATABASE " + sql_text(other) + " AS other");  // not inside a transaction
    try {
        in_transaction([&] {
            std::string where = " WHERE runner = ? AND trial = ?";
            for (const char* table : {"executions", "findings", "snapshots", "snapshot_costs"}) {
                Statement d(db_, (std::string("DELETE FROM main.") + table + where).c_str(), path_);
                d.bind(runner).bind(int64_t(trial)).run(path_);
                Statement i(db_, (std::string("INSERT INTO main.") + table + " SELECT * FROM other." + table + where).c_str(),
                            path_);
                i.bind(runner).bind(int64_t(trial)).run(path_);
            }
            if (!from_dir.empty()) {
                Statement r(db_, "UPDATE main.findings SET replay = REPLACE(replay, ?, ?) WHERE runner = ? AND trial = ?",
                            path_);
                r.bind(from_dir).bind(to_dir).bind(runner).bind(int64_t(trial)).run(path_);
            }
            Statement t(db_,
                        "UPDATE main.trials SET (status, started, finished, seconds, tester_seconds, executions, findings, "
                        "runs) = (SELECT status, started, finished, seconds, tester_seconds, executions, findings, runs "
                        "FROM other.trials o WHERE o.runner = ? AND o.trial = ?) WHERE runner = ? AND trial = ? "
                        "AND EXISTS (SELECT 1 FROM other.trials o WHERE o.runner = ? AND o.trial = ?)",
                        path_);
            t.bind(runner).bind(int64_t(trial)).bind(runner).bind(int64_t(trial)).bind(runner).bind(int64_t(trial)).run(path_);
        });
    } catch (...) {
        exec("DETACH DATABASE other");
        throw;
    }
    exec("DETACH DATABASE other");
}

CampaignStore::LastSnapshot CampaignStore::last_snapshot(const std::string& runner, int trial) {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_,
                "SELECT elapsed, executions, lines_covered, lines_total FROM snapshots WHERE runner = ? AND trial = ? "
                "AND component = 'overall' ORDER BY elapsed DESC LIMIT 1",
                path_);
    s.bind(runner).bind(int64_t(trial));
    LastSnapshot last;
    if (s.step(path_)) last = {s.real(0), uint64_t(s.integer(1)), uint64_t(s.integer(2)), uint64_t(s.integer(3))};
    return last;
}

void CampaignStore::add_jobs(const std::vector<TrialJobRow>& jobs) {
    std::lock_guard<std::mutex> lock(mutex_);
    in_transaction([&] {
        Statement s(db_,
                    "INSERT OR IGNORE INTO trial_jobs (job, runner, trial, state, submitted) VALUES (?, ?, ?, 'submitted', ?)",
                    path_);
        for (const auto& j : jobs) s.bind(j.job).bind(j.runner).bind(int64_t(j.trial)).bind(utc_now_iso()).run(path_);
    });
}

void CampaignStore::set_job_state(const std::string& job, const std::string& state) {
    std::lock_guard<std::mutex> lock(mutex_);
    bool ended = state != "submitted" && state != "running";
    Statement s(db_, "UPDATE trial_jobs SET state = ?, ended = ? WHERE job = ?", path_);
    s.bind(state).bind(ended ? utc_now_iso() : std::string()).bind(job).run(path_);
}

std::vector<CampaignStore::TrialJobRow> CampaignStore::jobs() {
    std::lock_guard<std::mutex> lock(mutex_);
    Statement s(db_, "SELECT job, runner, trial, state FROM trial_jobs ORDER BY rowid", path_);
    std::vector<TrialJobRow> out;
    while (s.step(path_)) out.push_back({s.text(0), s.text(1), int(s.integer(2)), s.text(3)});
    return out;
}

}  // namespace dlcov
