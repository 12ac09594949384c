/* dlcov's SanitizerCoverage runtime, linked into every binary of a sancov build (README.md).
 *
 * clang's -fsanitize-coverage=trace-pc-guard,pc-table gives every edge of every instrumented
 * function a 32-bit guard and calls __sanitizer_cov_trace_pc_guard(guard) when the edge runs.
 * At start-up (each module's constructor calls __sanitizer_cov_trace_pc_guard_init) this runtime
 * appends a record for the module to the process's profile file, named by DLCOV_SANCOV_FILE
 * (%p = the pid), and maps the record's counters from the file (MAP_SHARED) into one reserved
 * area of memory; each guard then holds its counter's index in that area. An edge's call adds one
 * to a counter in the file's own pages, so the kernel has every count the moment it is made: a
 * process killed by SIGKILL keeps everything it covered (sancov_format.h has the layout).
 *
 * Without DLCOV_SANCOV_FILE every guard is set to 0 and the callback returns at once. A forked
 * child writes a profile of its own (pthread_atfork), its counters all zero at the fork: it
 * counts only what it runs itself, as the parent's profile counts only what the parent ran
 * (without that the child's edges would go into its parent's file). A file that already exists
 * (an exec'd program has its parent's pid) is never overwritten: the name gets .1, .2, ...
 * before .sancov.
 *
 * This file is compiled without coverage (it is dlcov's own code, not the framework's).
 */
#define _GNU_SOURCE
#include "sancov_format.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define AREA_BYTES ((size_t)1 << 32)   /* address space only (MAP_NORESERVE): up to 2^30 counters */
#define MAX_MODULES 512
#define SLOTS_PER_PAGE (DLCOV_SANCOV_PAGE_BYTES / sizeof(uint32_t))

struct module {
    uint32_t* guards;
    uint64_t guard_count;
    size_t first_slot;  /* index of its first counter in the area */
    size_t pages;       /* of its counters */
    struct sancov_module_header header;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t* area;                       /* counter i of the process is area[i] */
static size_t next_slot = SLOTS_PER_PAGE;    /* the first page stays unused: guard 0 means "off" */
static int fd = -1;
static off_t file_bytes;
static int disabled;                         /* no DLCOV_SANCOV_FILE, or writing failed */
static int fork_handler_installed;
static struct module modules[MAX_MODULES];
static int module_count;

void __sanitizer_cov_trace_pc_guard(uint32_t* guard) {
    uint32_t slot = *guard;
    if (!slot) return;
    uint32_t* counter = area + slot;
    /* Not atomic: threads may lose increments of a count, never a count's first one (a lost
     * increment still leaves it above zero). Saturates instead of wrapping to 0. */
    if (*counter != UINT32_MAX) ++*counter;
}

/* The pc-table is read from the binary itself by dlcov (coverage/llvm/sancov_debug_info.h). */
void __sanitizer_cov_pcs_init(const uintptr_t* begin, const uintptr_t* end) {
    (void)begin;
    (void)end;
}

static void complain(const char* what, const char* path) {
    fprintf(stderr, "dlcov sancov runtime: %s%s%s: %s; this process's coverage is not recorded\n", what,
            path ? " " : "", path ? path : "", strerror(errno));
}

/* DLCOV_SANCOV_FILE with %p replaced by the pid (%% by %), then .N before ".sancov" until the
 * name is new; opens it O_EXCL. Returns the descriptor or -1. */
static int create_profile(const char* pattern, char* path, size_t path_size) {
    char expanded[4096];
    size_t n = 0;
    for (const char* p = pattern; *p && n + 24 < sizeof expanded; ++p) {
        if (p[0] == '%' && p[1] == 'p') {
            n += (size_t)snprintf(expanded + n, sizeof expanded - n, "%ld", (long)getpid());
            ++p;
        } else if (p[0] == '%' && p[1] == '%') {
            expanded[n++] = '%';
            ++p;
        } else {
            expanded[n++] = *p;
        }
    }
    expanded[n] = 0;
    size_t stem = n;
    if (n >= 7 && strcmp(expanded + n - 7, ".sancov") == 0) stem = n - 7;
    for (int attempt = 0; attempt < 1000; ++attempt) {
        if (attempt == 0) snprintf(path, path_size, "%s", expanded);
        else snprintf(path, path_size, "%.*s.%d%s", (int)stem, expanded, attempt, expanded + stem);
        int f = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (f >= 0 || errno != EEXIST) return f;
    }
    errno = EEXIST;
    return -1;
}

static int write_all(int f, const void* data, size_t size, off_t at) {
    const char* p = (const char*)data;
    while (size) {
        ssize_t w = pwrite(f, p, size, at);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        size -= (size_t)w;
        at += w;
    }
    return 0;
}

static int start_file(const char* pattern) {
    char path[4096];
    fd = create_profile(pattern, path, sizeof path);
    if (fd < 0) {
        complain("cannot create", path);
        return -1;
    }
    struct sancov_file_header header;
    memset(&header, 0, sizeof header);
    memcpy(header.magic, DLCOV_SANCOV_MAGIC, 8);
    header.version = DLCOV_SANCOV_VERSION;
    header.counter_bytes = sizeof(uint32_t);
    header.pid = (uint32_t)getpid();
    file_bytes = DLCOV_SANCOV_FILE_HEADER_BYTES;
    if (ftruncate(fd, file_bytes) != 0 || write_all(fd, &header, sizeof header, 0) != 0) {
        complain("cannot write", path);
        close(fd);
        fd = -1;
        return -1;
    }
    return 0;
}

/* Appends a module's record (its size first, then its header: a process killed in between leaves
 * a zero page the reader knows as the end) and maps its counters at their place in the area. */
static int add_record(struct module* m) {
    off_t at = file_bytes;
    size_t counter_bytes = m->pages * DLCOV_SANCOV_PAGE_BYTES;
    if (ftruncate(fd, at + DLCOV_SANCOV_PAGE_BYTES + (off_t)counter_bytes) != 0) return -1;
    if (write_all(fd, &m->header, sizeof m->header, at) != 0) return -1;
    void* want = area + m->first_slot;
    void* got = mmap(want, counter_bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd,
                     at + DLCOV_SANCOV_PAGE_BYTES);
    if (got != want) return -1;
    file_bytes = at + DLCOV_SANCOV_PAGE_BYTES + (off_t)counter_bytes;
    return 0;
}

struct find_module {
    const void* address;
    struct sancov_module_header* header;
    int found;
};

static void read_build_id(struct dl_phdr_info* info, struct sancov_module_header* h) {
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const char* p = (const char*)(info->dlpi_addr + ph->p_vaddr);
        const char* end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr)* note = (const ElfW(Nhdr)*)p;
            const char* name = p + sizeof *note;
            const char* desc = name + ((note->n_namesz + 3) & ~3u);
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && memcmp(name, "GNU", 4) == 0 &&
                note->n_descsz <= DLCOV_SANCOV_BUILD_ID_MAX) {
                memcpy(h->build_id, desc, note->n_descsz);
                h->build_id_bytes = note->n_descsz;
                return;
            }
            p = desc + ((note->n_descsz + 3) & ~3u);
        }
    }
}

static int find_module_of(struct dl_phdr_info* info, size_t size, void* data) {
    (void)size;
    struct find_module* f = (struct find_module*)data;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)* ph = &info->dlpi_phdr[i];
        uintptr_t begin = info->dlpi_addr + ph->p_vaddr;
        if (ph->p_type != PT_LOAD || (uintptr_t)f->address < begin || (uintptr_t)f->address >= begin + ph->p_memsz)
            continue;
        read_build_id(info, f->header);
        char path[DLCOV_SANCOV_PATH_MAX];
        if (info->dlpi_name && info->dlpi_name[0]) {
            snprintf(path, sizeof path, "%s", info->dlpi_name);
        } else {
            ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
            path[n > 0 ? n : 0] = 0;
        }
        struct stat st;
        if (stat(path, &st) == 0) f->header->file_size = (uint64_t)st.st_size;
        f->header->path_bytes = (uint32_t)strlen(path);
        memcpy(f->header->path, path, f->header->path_bytes);
        f->found = 1;
        return 1;
    }
    return 0;
}

/* fork holds the lock (a module being added in another thread must not be half copied) */
static void before_fork(void) { pthread_mutex_lock(&lock); }
static void in_parent_after_fork(void) { pthread_mutex_unlock(&lock); }

/* After fork, in the child, before fork returns there: the child's counters go to a file of its
 * own (DLCOV_SANCOV_FILE expanded with the child's pid), all of them starting from zero. */
static void forked_child_profile(void) {
    if (disabled || fd < 0) return;
    close(fd);
    fd = -1;
    const char* pattern = getenv("DLCOV_SANCOV_FILE");
    int ok = pattern && *pattern && start_file(pattern) == 0;
    for (int i = 0; i < module_count; ++i) {
        struct module* m = &modules[i];
        if (ok && add_record(m) == 0) continue;
        if (ok) complain("cannot write a module record to the forked child's profile", NULL);
        ok = 0;
        /* Counting into the parent's file would add the child's edges to the parent's. */
        mmap(area + m->first_slot, m->pages * DLCOV_SANCOV_PAGE_BYTES, PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    }
}

static void in_forked_child(void) {
    forked_child_profile();
    pthread_mutex_unlock(&lock);
}

static void switch_off(uint32_t* start, uint32_t* stop) {
    for (uint32_t* g = start; g < stop; ++g) *g = 0;
}

void __sanitizer_cov_trace_pc_guard_init(uint32_t* start, uint32_t* stop) {
    if (start == stop || *start) return;  /* no edges, or this module is done already */
    pthread_mutex_lock(&lock);
    const char* pattern = getenv("DLCOV_SANCOV_FILE");
    if (!disabled && !area) {
        if (!pattern || !*pattern) {
            disabled = 1;
        } else {
            void* reserved = mmap(NULL, AREA_BYTES, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
            if (reserved == MAP_FAILED) {
                complain("cannot reserve address space for counters", NULL);
                disabled = 1;
            } else if (start_file(pattern) != 0) {
                disabled = 1;
            } else {
                area = (uint32_t*)reserved;
            }
        }
    }
    struct module* m = module_count < MAX_MODULES ? &modules[module_count] : NULL;
    size_t count = (size_t)(stop - start);
    size_t pages = (count + SLOTS_PER_PAGE - 1) / SLOTS_PER_PAGE;
    if (!disabled && (!m || (next_slot + pages * SLOTS_PER_PAGE) * sizeof(uint32_t) > AREA_BYTES)) {
        errno = ENOMEM;
        complain("too many instrumented modules or edges", NULL);
        disabled = 1;
    }
    if (disabled) {
        switch_off(start, stop);
        pthread_mutex_unlock(&lock);
        return;
    }
    memset(m, 0, sizeof *m);
    m->guards = start;
    m->guard_count = count;
    m->first_slot = next_slot;
    m->pages = pages;
    m->header.magic = DLCOV_SANCOV_MODULE_MAGIC;
    m->header.header_bytes = DLCOV_SANCOV_PAGE_BYTES;
    m->header.guard_count = count;
    struct find_module f = {start, &m->header, 0};
    dl_iterate_phdr(find_module_of, &f);
    if (add_record(m) != 0) {
        complain("cannot add a module record to the profile", NULL);
        disabled = 1;
        switch_off(start, stop);
        pthread_mutex_unlock(&lock);
        return;
    }
    for (size_t i = 0; i < count; ++i) start[i] = (uint32_t)(m->first_slot + i);
    next_slot += pages * SLOTS_PER_PAGE;
    ++module_count;
    if (!fork_handler_installed) {
        pthread_atfork(before_fork, in_parent_after_fork, in_forked_child);
        fork_handler_installed = 1;
    }
    pthread_mutex_unlock(&lock);
}
