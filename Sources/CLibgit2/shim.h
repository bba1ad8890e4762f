#ifndef TMREPO_CLIBGIT2_SHIM_H
#define TMREPO_CLIBGIT2_SHIM_H
#include <git2.h>
#if defined(__linux__)
#include <malloc.h>
#endif

/* git_libgit2_opts is variadic, which Swift cannot call; these wrappers fix the argument types. */
static inline int tmrepo_git_set_cache_object_limit(git_object_t type, size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_OBJECT_LIMIT, type, bytes);
}
static inline int tmrepo_git_set_cache_max_size(ssize_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_CACHE_MAX_SIZE, bytes);
}
static inline int tmrepo_git_set_mwindow_size(size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_SIZE, bytes);
}
static inline int tmrepo_git_set_mwindow_mapped_limit(size_t bytes) {
    return git_libgit2_opts(GIT_OPT_SET_MWINDOW_MAPPED_LIMIT, bytes);
}
static inline int tmrepo_git_set_owner_validation(int enabled) {
    return git_libgit2_opts(GIT_OPT_SET_OWNER_VALIDATION, enabled);
}
static inline int tmrepo_git_set_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}
/* Hands pages freed in every malloc arena back to the system (glibc); elsewhere nothing. */
static inline void tmrepo_malloc_trim(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
#endif
