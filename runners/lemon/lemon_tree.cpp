#include "lemon_tree.h"

#include <filesystem>
#include <fmt/format.h>
#include <stdexcept>

namespace fs = std::filesystem;

namespace dlcov::lemon {

const char* outcome_name(Outcome outcome) {
    switch (outcome) {
        case Outcome::Origin: return "origin";
        case Outcome::Kept: return "kept";
        case Outcome::Rejected: return "rejected";
        case Outcome::Crash: return "crash";
        case Outcome::NaN: return "nan";
        case Outcome::Unusable: return "unusable";
        case Outcome::NotApplicable: return "not-applicable";
    }
    return "?";
}

LemonTree::LemonTree(const std::string& work_dir) : root_((fs::path(work_dir) / "lemon").string()) {
    for (const char* sub : {"mut_model", "crash", "nan"}) fs::create_directories(fs::path(root_) / sub);
    std::string path = (fs::path(root_) / "mutant_history.txt").string();
    bool fresh = !fs::exists(path) || fs::file_size(path) == 0;
    history_.open(path, std::ios::app);
    if (!history_) throw std::runtime_error(path + ": cannot write");
    if (fresh) history_ << "# name\tparent\toperator\toutcome\tD_MAD\tdetail\n";
}

std::string LemonTree::model_path(const std::string& name) const {
    return (fs::path(root_) / "mut_model" / (name + ".json")).string();
}

void LemonTree::file_under(Outcome outcome, const std::string& name) const {
    const char* folder = outcome == Outcome::NaN ? "nan" : "crash";
    fs::path target = fs::path(root_) / folder / (name + ".json");
    std::error_code error;
    fs::remove(target, error);
    fs::create_hard_link(model_path(name), target, error);
    if (error) fs::copy_file(model_path(name), target, fs::copy_options::overwrite_existing);
}

void LemonTree::history(const std::string& name, const std::string& parent, const std::string& op, Outcome outcome,
                        double d_mad, const std::string& detail) {
    std::string flat = detail;
    for (char& c : flat)
        if (c == '\t' || c == '\n' || c == '\r') c = ' ';
    history_ << fmt::format("{}\t{}\t{}\t{}\t{}\t{}\n", name, parent, op, outcome_name(outcome),
                            d_mad < 0 ? std::string("-") : fmt::format("{:.6g}", d_mad), flat);
    history_.flush();
}

std::string safe_name(const std::string& name) {
    std::string safe;
    for (char c : name) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.';
        safe += ok ? c : '_';
    }
    if (safe.empty() || safe == "." || safe == "..") safe = "seed";
    return safe;
}

std::string mutant_name(const std::string& parent, const std::string& op, size_t counter) {
    constexpr size_t kMaxName = 160;
    std::string name = parent + "-" + op + std::to_string(counter);
    if (name.size() <= kMaxName) return name;
    size_t origin = name.find("_origin0");
    std::string prefix = origin == std::string::npos ? name.substr(0, 40) : name.substr(0, origin + 8);
    if (prefix.size() > kMaxName / 2) prefix.resize(kMaxName / 2);
    prefix += "~";
    std::string tail = name.substr(name.size() - (kMaxName - prefix.size()));
    size_t step = tail.find('-');
    return prefix + (step == std::string::npos ? tail : tail.substr(step));
}

}  // namespace dlcov::lemon
