/* The sancov profile file: what one process of a sancov build covered (written by
 * runtime/dlcov_sancov_runtime.c) or what many did (a running total, written by
 * sancov_profile.cpp). C and C++: the runtime is C.
 *
 * Layout (little-endian, the machine's own):
 *   file header        kSancovFileHeaderBytes bytes: struct sancov_file_header
 *   module record 1    kSancovPageBytes bytes of struct sancov_module_header, then its counters
 *                      (guard_count * counter_bytes, padded with zeros to a multiple of a page)
 *   module record 2    ...
 * A record starts on a page so that the runtime can map its counters straight from the file
 * (MAP_SHARED): every counter increment is in the file's pages as it happens, so a process
 * that is killed keeps everything it covered. A module is one binary (the executable or a
 * shared library) named by its GNU build id, its path and its size: a profile is read only
 * onto the binary it was written by.
 */
#ifndef DLCOV_SANCOV_FORMAT_H
#define DLCOV_SANCOV_FORMAT_H

#include <stdint.h>

#define DLCOV_SANCOV_MAGIC "DLCOVSC1"     /* 8 bytes, no terminator in the file */
#define DLCOV_SANCOV_MODULE_MAGIC 0x4c444f4du /* "MODL" */
#define DLCOV_SANCOV_VERSION 1u
#define DLCOV_SANCOV_PAGE_BYTES 4096u
#define DLCOV_SANCOV_BUILD_ID_MAX 64u
#define DLCOV_SANCOV_PATH_MAX 3968u

struct sancov_file_header {
    char magic[8];          /* DLCOV_SANCOV_MAGIC */
    uint32_t version;       /* DLCOV_SANCOV_VERSION */
    uint32_t counter_bytes; /* 4 (a process's profile: saturating 32-bit counters) or 8 (a total) */
    uint32_t pid;           /* the writer; 0 for a total */
    uint32_t reserved[3];
};

struct sancov_module_header {
    uint32_t magic;          /* DLCOV_SANCOV_MODULE_MAGIC */
    uint32_t header_bytes;   /* DLCOV_SANCOV_PAGE_BYTES: the counters follow at this offset */
    uint64_t guard_count;    /* counters in the record: the module's pc-table entries */
    uint64_t file_size;      /* bytes of the binary when it ran */
    uint32_t build_id_bytes; /* of build_id; 0 when the binary has none */
    uint32_t path_bytes;     /* of path, without a terminator */
    uint8_t build_id[DLCOV_SANCOV_BUILD_ID_MAX];
    char path[DLCOV_SANCOV_PATH_MAX];
};

#define DLCOV_SANCOV_FILE_HEADER_BYTES DLCOV_SANCOV_PAGE_BYTES

#ifdef __cplusplus
static_assert(sizeof(sancov_module_header) <= DLCOV_SANCOV_PAGE_BYTES, "a module header fits in a page");
static_assert(sizeof(sancov_file_header) <= DLCOV_SANCOV_FILE_HEADER_BYTES, "the file header fits in a page");
#endif

#endif
