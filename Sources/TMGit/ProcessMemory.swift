import CLibgit2

/// The process's heap, as the C library keeps it.
public enum ProcessMemory {
    /// Returns the free pages of every malloc arena to the system. Threads that finished a phase
    /// (a walk on two cores) leave their freed memory in their own arenas, where the next phase's
    /// threads do not reuse it: handing it back keeps it out of the peak that follows.
    public static func returnFreePages() {
        tmrepo_malloc_trim()
    }
}
