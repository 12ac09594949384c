// One campaign, one owner: the `dlcov run` that runs a campaign holds a lock on its folder's
// owner.lock (campaign_folder.h) for as long as it runs, so a second `dlcov run` of the same
// campaign is refused instead of taking the first one's running trials for crashed ones.
//
// The lock is an open file description lock (fcntl F_OFD_SETLK) on a file opened close-on-exec:
// the kernel releases it when the process ends however it ends (SIGKILL, power loss aside), and
// the testers the harness starts do not inherit it, so an orphaned tester does not keep a dead
// harness's campaign locked. The file's text says who holds it:
//   pid 1234
//   host build-box
//   since 2024-05-01T12:00:00Z
//   command dlcov run configs/campaigns/demo.yaml
#pragma once
#include "campaign_folder.h"

#include <optional>
#include <string>

namespace dlcov {

struct CampaignOwner {
    long pid = 0;
    std::string host, since, command;

    // "pid 1234 on build-box since ...: dlcov run ..." (what is known of it).
    std::string describe() const;
};

class CampaignOwnerLock {
public:
    // Creates the folder and its lock file when missing and takes the lock. UserError naming the
    // other process (pid, host, command line) when another process holds it.
    explicit CampaignOwnerLock(const CampaignFolder& folder);
    ~CampaignOwnerLock();  // releases the lock
    CampaignOwnerLock(const CampaignOwnerLock&) = delete;
    CampaignOwnerLock& operator=(const CampaignOwnerLock&) = delete;

private:
    int fd_ = -1;
};

// The process that holds the campaign's lock now; nullopt when none does (the campaign is not
// being run, or its harness was killed). Takes no lock and writes nothing.
std::optional<CampaignOwner> campaign_owner(const CampaignFolder& folder);

}  // namespace dlcov
