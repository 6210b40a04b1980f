//! Syscall numbers and names of Linux's asm-generic table
//! (`include/uapi/asm-generic/unistd.h`), as used by riscv64 and riscv32,
//! and errno names (`include/uapi/asm-generic/errno-base.h`, `errno.h`).

use zkdbg_emulator::Xlen;

/// Syscall numbers that zeroos serves or names specially.
#[allow(missing_docs)]
pub mod nr {
    pub const GETCWD: u64 = 17;
    pub const DUP: u64 = 23;
    pub const DUP3: u64 = 24;
    pub const FCNTL: u64 = 25;
    pub const IOCTL: u64 = 29;
    pub const MKDIRAT: u64 = 34;
    pub const UNLINKAT: u64 = 35;
    pub const FACCESSAT: u64 = 48;
    pub const OPENAT: u64 = 56;
    pub const CLOSE: u64 = 57;
    pub const LSEEK: u64 = 62;
    pub const READ: u64 = 63;
    pub const WRITE: u64 = 64;
    pub const READV: u64 = 65;
    pub const WRITEV: u64 = 66;
    pub const PREAD64: u64 = 67;
    pub const PWRITE64: u64 = 68;
    pub const NEWFSTATAT: u64 = 79;
    pub const FSTAT: u64 = 80;
    pub const FSYNC: u64 = 82;
    pub const EXIT: u64 = 93;
    pub const EXIT_GROUP: u64 = 94;
    pub const SET_TID_ADDRESS: u64 = 96;
    pub const FUTEX: u64 = 98;
    pub const SET_ROBUST_LIST: u64 = 99;
    pub const NANOSLEEP: u64 = 101;
    pub const CLOCK_GETTIME: u64 = 113;
    pub const CLOCK_GETRES: u64 = 114;
    pub const SCHED_YIELD: u64 = 124;
    pub const KILL: u64 = 129;
    pub const TGKILL: u64 = 131;
    pub const SIGALTSTACK: u64 = 132;
    pub const RT_SIGACTION: u64 = 134;
    pub const RT_SIGPROCMASK: u64 = 135;
    pub const TIMES: u64 = 153;
    pub const UNAME: u64 = 160;
    pub const GETRLIMIT: u64 = 163;
    pub const GETTIMEOFDAY: u64 = 169;
    pub const GETPID: u64 = 172;
    pub const GETPPID: u64 = 173;
    pub const GETUID: u64 = 174;
    pub const GETEUID: u64 = 175;
    pub const GETGID: u64 = 176;
    pub const GETEGID: u64 = 177;
    pub const GETTID: u64 = 178;
    pub const BRK: u64 = 214;
    pub const MUNMAP: u64 = 215;
    pub const MMAP: u64 = 222;
    pub const MPROTECT: u64 = 226;
    pub const MADVISE: u64 = 233;
    pub const PRLIMIT64: u64 = 261;
    pub const GETRANDOM: u64 = 278;
    pub const STATX: u64 = 291;
    pub const CLOCK_GETTIME64: u64 = 403;
    pub const FUTEX_TIME64: u64 = 422;
}

use ArgKind::*;

/// Every syscall of the asm-generic table, by number: its names, how a
/// trace decodes its arguments, whether its result counts bytes moved.
/// The one place these facts live: zeroos serves by these numbers
/// ([`nr`]), traces decode by [`SyscallInfo::args_for`], profiles count
/// bytes by [`SyscallInfo::moves_bytes`]. Source: Linux
/// `include/uapi/asm-generic/unistd.h`; argument shapes from each call's
/// man page (section 2).
#[rustfmt::skip]
pub const SYSCALLS: &[SyscallInfo] = &[
    s(0, "io_setup"),
    s(1, "io_destroy"),
    s(2, "io_submit"),
    s(3, "io_cancel"),
    s(4, "io_getevents"),
    s(5, "setxattr"),
    s(6, "lsetxattr"),
    s(7, "fsetxattr"),
    s(8, "getxattr"),
    s(9, "lgetxattr"),
    s(10, "fgetxattr"),
    s(11, "listxattr"),
    s(12, "llistxattr"),
    s(13, "flistxattr"),
    s(14, "removexattr"),
    s(15, "lremovexattr"),
    s(16, "fremovexattr"),
    s(17, "getcwd").args(&[Hex, Int]),
    s(18, "lookup_dcookie"),
    s(19, "eventfd2"),
    s(20, "epoll_create1"),
    s(21, "epoll_ctl"),
    s(22, "epoll_pwait"),
    s(23, "dup"),
    s(24, "dup3"),
    s(25, "fcntl").rv32("fcntl64").args(&[Fd, Int, Hex]),
    s(26, "inotify_init1"),
    s(27, "inotify_add_watch"),
    s(28, "inotify_rm_watch"),
    s(29, "ioctl").args(&[Fd, Ioctl, Hex]),
    s(30, "ioprio_set"),
    s(31, "ioprio_get"),
    s(32, "flock"),
    s(33, "mknodat"),
    s(34, "mkdirat").args(&[DirFd, Path, Mode]),
    s(35, "unlinkat").args(&[DirFd, Path, Hex]),
    s(36, "symlinkat"),
    s(37, "linkat"),
    s(38, "renameat"),
    s(39, "umount2"),
    s(40, "mount"),
    s(41, "pivot_root"),
    s(42, "nfsservctl"),
    s(43, "statfs").rv32("statfs64"),
    s(44, "fstatfs").rv32("fstatfs64"),
    s(45, "truncate").rv32("truncate64"),
    s(46, "ftruncate").rv32("ftruncate64"),
    s(47, "fallocate"),
    s(48, "faccessat").args(&[DirFd, Path, Int]),
    s(49, "chdir"),
    s(50, "fchdir"),
    s(51, "chroot"),
    s(52, "fchmod"),
    s(53, "fchmodat"),
    s(54, "fchownat"),
    s(55, "fchown"),
    s(56, "openat").args(&[DirFd, Path, OpenFlags, Mode]),
    s(57, "close").args(&[Fd]),
    s(58, "vhangup"),
    s(59, "pipe2"),
    s(60, "quotactl"),
    s(61, "getdents64"),
    s(62, "lseek").rv32("llseek").args(&[Fd, Int, Whence]).raw_on_rv32(),
    s(63, "read").args(&[Fd, OutBuf, Int]).moves_bytes(),
    s(64, "write").args(&[Fd, InBuf(2), Int]).moves_bytes(),
    s(65, "readv").args(&[Fd, Hex, Int]).moves_bytes(),
    s(66, "writev").args(&[Fd, Hex, Int]).moves_bytes(),
    s(67, "pread64").moves_bytes(),
    s(68, "pwrite64").moves_bytes(),
    s(69, "preadv"),
    s(70, "pwritev"),
    s(71, "sendfile").rv32("sendfile64"),
    s(72, "pselect6"),
    s(73, "ppoll"),
    s(74, "signalfd4"),
    s(75, "vmsplice"),
    s(76, "splice"),
    s(77, "tee"),
    s(78, "readlinkat"),
    s(79, "newfstatat").args(&[DirFd, Path, Hex, Hex]),
    s(80, "fstat").args(&[Fd, Hex]),
    s(81, "sync"),
    s(82, "fsync"),
    s(83, "fdatasync"),
    s(84, "sync_file_range"),
    s(85, "timerfd_create"),
    s(86, "timerfd_settime"),
    s(87, "timerfd_gettime"),
    s(88, "utimensat"),
    s(89, "acct"),
    s(90, "capget"),
    s(91, "capset"),
    s(92, "personality"),
    s(93, "exit").args(&[Int]),
    s(94, "exit_group").args(&[Int]),
    s(95, "waitid"),
    s(96, "set_tid_address").args(&[Hex]),
    s(97, "unshare"),
    s(98, "futex").args(&[Hex, Futex, Int, Hex, Hex, Int]),
    s(99, "set_robust_list").args(&[Hex, Int]),
    s(100, "get_robust_list"),
    s(101, "nanosleep"),
    s(102, "getitimer"),
    s(103, "setitimer"),
    s(104, "kexec_load"),
    s(105, "init_module"),
    s(106, "delete_module"),
    s(107, "timer_create"),
    s(108, "timer_gettime"),
    s(109, "timer_getoverrun"),
    s(110, "timer_settime"),
    s(111, "timer_delete"),
    s(112, "clock_settime"),
    s(113, "clock_gettime").args(&[Clock, Hex]),
    s(114, "clock_getres"),
    s(115, "clock_nanosleep"),
    s(116, "syslog"),
    s(117, "ptrace"),
    s(118, "sched_setparam"),
    s(119, "sched_setscheduler"),
    s(120, "sched_getscheduler"),
    s(121, "sched_getparam"),
    s(122, "sched_setaffinity"),
    s(123, "sched_getaffinity"),
    s(124, "sched_yield").args(&[]),
    s(125, "sched_get_priority_max"),
    s(126, "sched_get_priority_min"),
    s(127, "sched_rr_get_interval"),
    s(128, "restart_syscall"),
    s(129, "kill"),
    s(130, "tkill"),
    s(131, "tgkill"),
    s(132, "sigaltstack"),
    s(133, "rt_sigsuspend"),
    s(134, "rt_sigaction").args(&[Int, Hex, Hex, Int]),
    s(135, "rt_sigprocmask").args(&[SigHow, Hex, Hex, Int]),
    s(136, "rt_sigpending"),
    s(137, "rt_sigtimedwait"),
    s(138, "rt_sigqueueinfo"),
    s(139, "rt_sigreturn"),
    s(140, "setpriority"),
    s(141, "getpriority"),
    s(142, "reboot"),
    s(143, "setregid"),
    s(144, "setgid"),
    s(145, "setreuid"),
    s(146, "setuid"),
    s(147, "setresuid"),
    s(148, "getresuid"),
    s(149, "setresgid"),
    s(150, "getresgid"),
    s(151, "setfsuid"),
    s(152, "setfsgid"),
    s(153, "times"),
    s(154, "setpgid"),
    s(155, "getpgid"),
    s(156, "getsid"),
    s(157, "setsid"),
    s(158, "getgroups"),
    s(159, "setgroups"),
    s(160, "uname").args(&[Hex]),
    s(161, "sethostname"),
    s(162, "setdomainname"),
    s(163, "getrlimit"),
    s(164, "setrlimit"),
    s(165, "getrusage"),
    s(166, "umask"),
    s(167, "prctl"),
    s(168, "getcpu"),
    s(169, "gettimeofday").args(&[Hex, Hex]),
    s(170, "settimeofday"),
    s(171, "adjtimex"),
    s(172, "getpid").args(&[]),
    s(173, "getppid"),
    s(174, "getuid").args(&[]),
    s(175, "geteuid").args(&[]),
    s(176, "getgid").args(&[]),
    s(177, "getegid").args(&[]),
    s(178, "gettid").args(&[]),
    s(179, "sysinfo"),
    s(180, "mq_open"),
    s(181, "mq_unlink"),
    s(182, "mq_timedsend"),
    s(183, "mq_timedreceive"),
    s(184, "mq_notify"),
    s(185, "mq_getsetattr"),
    s(186, "msgget"),
    s(187, "msgctl"),
    s(188, "msgrcv"),
    s(189, "msgsnd"),
    s(190, "semget"),
    s(191, "semctl"),
    s(192, "semtimedop"),
    s(193, "semop"),
    s(194, "shmget"),
    s(195, "shmctl"),
    s(196, "shmat"),
    s(197, "shmdt"),
    s(198, "socket"),
    s(199, "socketpair"),
    s(200, "bind"),
    s(201, "listen"),
    s(202, "accept"),
    s(203, "connect"),
    s(204, "getsockname"),
    s(205, "getpeername"),
    s(206, "sendto"),
    s(207, "recvfrom"),
    s(208, "setsockopt"),
    s(209, "getsockopt"),
    s(210, "shutdown"),
    s(211, "sendmsg"),
    s(212, "recvmsg"),
    s(213, "readahead"),
    s(214, "brk").args(&[Hex]),
    s(215, "munmap").args(&[Hex, Int]),
    s(216, "mremap"),
    s(217, "add_key"),
    s(218, "request_key"),
    s(219, "keyctl"),
    s(220, "clone"),
    s(221, "execve"),
    s(222, "mmap").rv32("mmap2").args(&[Hex, Int, Prot, MapFlags, Fd, Int]),
    s(223, "fadvise64").rv32("fadvise64_64"),
    s(224, "swapon"),
    s(225, "swapoff"),
    s(226, "mprotect").args(&[Hex, Int, Prot]),
    s(227, "msync"),
    s(228, "mlock"),
    s(229, "munlock"),
    s(230, "mlockall"),
    s(231, "munlockall"),
    s(232, "mincore"),
    s(233, "madvise"),
    s(234, "remap_file_pages"),
    s(235, "mbind"),
    s(236, "get_mempolicy"),
    s(237, "set_mempolicy"),
    s(238, "migrate_pages"),
    s(239, "move_pages"),
    s(240, "rt_tgsigqueueinfo"),
    s(241, "perf_event_open"),
    s(242, "accept4"),
    s(243, "recvmmsg"),
    s(258, "riscv_hwprobe"),
    s(259, "riscv_flush_icache"),
    s(260, "wait4"),
    s(261, "prlimit64").args(&[Int, Int, Hex, Hex]),
    s(262, "fanotify_init"),
    s(263, "fanotify_mark"),
    s(264, "name_to_handle_at"),
    s(265, "open_by_handle_at"),
    s(266, "clock_adjtime"),
    s(267, "syncfs"),
    s(268, "setns"),
    s(269, "sendmmsg"),
    s(270, "process_vm_readv"),
    s(271, "process_vm_writev"),
    s(272, "kcmp"),
    s(273, "finit_module"),
    s(274, "sched_setattr"),
    s(275, "sched_getattr"),
    s(276, "renameat2"),
    s(277, "seccomp"),
    s(278, "getrandom").args(&[Hex, Int, Hex]).moves_bytes(),
    s(279, "memfd_create"),
    s(280, "bpf"),
    s(281, "execveat"),
    s(282, "userfaultfd"),
    s(283, "membarrier"),
    s(284, "mlock2"),
    s(285, "copy_file_range"),
    s(286, "preadv2"),
    s(287, "pwritev2"),
    s(288, "pkey_mprotect"),
    s(289, "pkey_alloc"),
    s(290, "pkey_free"),
    s(291, "statx"),
    s(292, "io_pgetevents"),
    s(293, "rseq"),
    s(294, "kexec_file_load"),
    s(403, "clock_gettime64").args(&[Clock, Hex]),
    s(404, "clock_settime64"),
    s(405, "clock_adjtime64"),
    s(406, "clock_getres_time64"),
    s(407, "clock_nanosleep_time64"),
    s(408, "timer_gettime64"),
    s(409, "timer_settime64"),
    s(410, "timerfd_gettime64"),
    s(411, "timerfd_settime64"),
    s(412, "utimensat_time64"),
    s(413, "pselect6_time64"),
    s(414, "ppoll_time64"),
    s(416, "io_pgetevents_time64"),
    s(417, "recvmmsg_time64"),
    s(418, "mq_timedsend_time64"),
    s(419, "mq_timedreceive_time64"),
    s(420, "semtimedop_time64"),
    s(421, "rt_sigtimedwait_time64"),
    s(422, "futex_time64"),
    s(423, "sched_rr_get_interval_time64"),
    s(424, "pidfd_send_signal"),
    s(425, "io_uring_setup"),
    s(426, "io_uring_enter"),
    s(427, "io_uring_register"),
    s(428, "open_tree"),
    s(429, "move_mount"),
    s(430, "fsopen"),
    s(431, "fsconfig"),
    s(432, "fsmount"),
    s(433, "fspick"),
    s(434, "pidfd_open"),
    s(435, "clone3"),
    s(436, "close_range"),
    s(437, "openat2"),
    s(438, "pidfd_getfd"),
    s(439, "faccessat2"),
    s(440, "process_madvise"),
    s(441, "epoll_pwait2"),
    s(442, "mount_setattr"),
    s(443, "quotactl_fd"),
    s(444, "landlock_create_ruleset"),
    s(445, "landlock_add_rule"),
    s(446, "landlock_restrict_self"),
    s(447, "memfd_secret"),
    s(448, "process_mrelease"),
    s(449, "futex_waitv"),
    s(450, "set_mempolicy_home_node"),
    s(451, "cachestat"),
    s(452, "fchmodat2"),
];

/// The name of syscall `nr` for a hart of the given XLEN, as in Linux's
/// asm-generic table; 32-bit names where riscv32 differs (`llseek`,
/// `mmap2`, `fcntl64`, ...). `None` for numbers the table does not have.
pub fn syscall_name(nr: u64, xlen: Xlen) -> Option<&'static str> {
    syscall_info(nr).map(|i| i.name_for(xlen))
}

/// The facts of syscall `nr`, if the table has it.
pub fn syscall_info(nr: u64) -> Option<&'static SyscallInfo> {
    SYSCALLS
        .binary_search_by_key(&nr, |i| i.nr)
        .ok()
        .map(|i| &SYSCALLS[i])
}

/// [`syscall_name`], or the number in decimal when the table does not
/// have it (for traces and profiles, which never drop a call).
pub fn syscall_label(nr: u64, xlen: Xlen) -> String {
    syscall_name(nr, xlen).map_or_else(|| nr.to_string(), str::to_string)
}

/// The number of the syscall named `name` (either XLEN's spelling; also
/// glibc's `_llseek`).
pub fn syscall_number(name: &str) -> Option<u64> {
    let name = if name == "_llseek" { "llseek" } else { name };
    SYSCALLS
        .iter()
        .find(|i| i.name == name || i.rv32_name == Some(name))
        .map(|i| i.nr)
}

/// How a trace shows one syscall argument.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgKind {
    /// A file descriptor (signed decimal).
    Fd,
    /// A directory descriptor of the `*at` calls (`AT_FDCWD` by name).
    DirFd,
    /// A signed decimal number.
    Int,
    /// A number or pointer shown in hex.
    Hex,
    /// A pointer to a NUL-terminated path.
    Path,
    /// A buffer the guest passes in, its length in argument N.
    InBuf(usize),
    /// A buffer the call fills, its length the return value.
    OutBuf,
    /// `O_*` flags of open(2).
    OpenFlags,
    /// A file mode (octal).
    Mode,
    /// `SEEK_*` of lseek(2).
    Whence,
    /// `PROT_*` of mmap(2).
    Prot,
    /// `MAP_*` of mmap(2).
    MapFlags,
    /// `CLOCK_*` of clock_gettime(2).
    Clock,
    /// An ioctl(2) request.
    Ioctl,
    /// `SIG_*` of rt_sigprocmask(2).
    SigHow,
    /// A futex(2) operation.
    Futex,
}

/// The facts of one syscall (an entry of [`SYSCALLS`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SyscallInfo {
    /// Number (a7).
    pub nr: u64,
    /// The asm-generic (riscv64) name.
    pub name: &'static str,
    /// riscv32's name where it differs (`llseek`, `mmap2`, `fcntl64`, ...).
    pub rv32_name: Option<&'static str>,
    /// Argument kinds, as riscv64 passes them; `None`: shown raw (hex).
    pub args: Option<&'static [ArgKind]>,
    /// Whether riscv32 passes other arguments (64-bit values split in
    /// two registers), so a trace shows them raw there.
    pub rv32_raw: bool,
    /// Whether a non-negative result counts bytes moved (read, write, ...).
    pub moves_bytes: bool,
}

impl SyscallInfo {
    /// The name for a hart of `xlen`.
    pub fn name_for(&self, xlen: Xlen) -> &'static str {
        match (xlen, self.rv32_name) {
            (Xlen::X32, Some(n)) => n,
            _ => self.name,
        }
    }

    /// The argument kinds for a hart of `xlen`, if known.
    pub fn args_for(&self, xlen: Xlen) -> Option<&'static [ArgKind]> {
        if xlen == Xlen::X32 && self.rv32_raw {
            None
        } else {
            self.args
        }
    }

    const fn rv32(self, name: &'static str) -> Self {
        SyscallInfo {
            rv32_name: Some(name),
            ..self
        }
    }

    const fn args(self, args: &'static [ArgKind]) -> Self {
        SyscallInfo {
            args: Some(args),
            ..self
        }
    }

    const fn raw_on_rv32(self) -> Self {
        SyscallInfo {
            rv32_raw: true,
            ..self
        }
    }

    const fn moves_bytes(self) -> Self {
        SyscallInfo {
            moves_bytes: true,
            ..self
        }
    }
}

/// A table entry with a name only.
const fn s(nr: u64, name: &'static str) -> SyscallInfo {
    SyscallInfo {
        nr,
        name,
        rv32_name: None,
        args: None,
        rv32_raw: false,
        moves_bytes: false,
    }
}

/// Errno values (asm-generic).
#[allow(missing_docs)]
pub mod errno {
    pub const EPERM: i64 = 1;
    pub const ENOENT: i64 = 2;
    pub const EIO: i64 = 5;
    pub const EBADF: i64 = 9;
    pub const EAGAIN: i64 = 11;
    pub const ENOMEM: i64 = 12;
    pub const EACCES: i64 = 13;
    pub const EFAULT: i64 = 14;
    pub const EEXIST: i64 = 17;
    pub const EXDEV: i64 = 18;
    pub const ENODEV: i64 = 19;
    pub const ENOTDIR: i64 = 20;
    pub const EISDIR: i64 = 21;
    pub const EINVAL: i64 = 22;
    pub const EMFILE: i64 = 24;
    pub const ENOTTY: i64 = 25;
    pub const EFBIG: i64 = 27;
    pub const ENOSPC: i64 = 28;
    pub const ESPIPE: i64 = 29;
    pub const EROFS: i64 = 30;
    pub const ENAMETOOLONG: i64 = 36;
    pub const ENOSYS: i64 = 38;
    pub const ELOOP: i64 = 40;
    pub const EOVERFLOW: i64 = 75;
    pub const ETIMEDOUT: i64 = 110;
}

const ERRNO_NAMES: &[&str] = &[
    "",
    "EPERM",
    "ENOENT",
    "ESRCH",
    "EINTR",
    "EIO",
    "ENXIO",
    "E2BIG",
    "ENOEXEC",
    "EBADF",
    "ECHILD",
    "EAGAIN",
    "ENOMEM",
    "EACCES",
    "EFAULT",
    "ENOTBLK",
    "EBUSY",
    "EEXIST",
    "EXDEV",
    "ENODEV",
    "ENOTDIR",
    "EISDIR",
    "EINVAL",
    "ENFILE",
    "EMFILE",
    "ENOTTY",
    "ETXTBSY",
    "EFBIG",
    "ENOSPC",
    "ESPIPE",
    "EROFS",
    "EMLINK",
    "EPIPE",
    "EDOM",
    "ERANGE",
    "EDEADLK",
    "ENAMETOOLONG",
    "ENOLCK",
    "ENOSYS",
    "ENOTEMPTY",
    "ELOOP",
];

/// The symbolic name of errno `e` (positive), e.g. `ENOENT` for 2.
pub fn errno_name(e: i64) -> Option<&'static str> {
    match e {
        75 => Some("EOVERFLOW"),
        110 => Some("ETIMEDOUT"),
        1..=40 => Some(ERRNO_NAMES[e as usize]),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_every_served_syscall_with_consistent_facts() {
        for i in SYSCALLS {
            let args = i.args.unwrap_or(&[]);
            assert!(args.len() <= 6, "{}", i.name);
            for k in args {
                if let ArgKind::InBuf(n) = k {
                    assert!(*n < args.len(), "{}: length argument {n}", i.name);
                }
            }
        }
        for n in [
            nr::READ,
            nr::WRITE,
            nr::READV,
            nr::WRITEV,
            nr::PREAD64,
            nr::PWRITE64,
            nr::GETRANDOM,
        ] {
            assert!(syscall_info(n).unwrap().moves_bytes, "{n}");
        }
        assert!(!syscall_info(nr::CLOSE).unwrap().moves_bytes);
        // riscv32's llseek splits its offset: no rv64 shape for it.
        let lseek = syscall_info(nr::LSEEK).unwrap();
        assert!(lseek.args_for(Xlen::X64).is_some() && lseek.args_for(Xlen::X32).is_none());
        assert_eq!(syscall_info(nr::MMAP).unwrap().name_for(Xlen::X32), "mmap2");
        assert!(syscall_info(nr::CLOCK_GETTIME64).unwrap().args.is_some());
    }

    #[test]
    fn table_is_sorted_and_known_numbers_match() {
        assert!(SYSCALLS.windows(2).all(|w| w[0].nr < w[1].nr));
        assert_eq!(syscall_name(64, Xlen::X64), Some("write"));
        assert_eq!(syscall_name(93, Xlen::X64), Some("exit"));
        assert_eq!(syscall_name(222, Xlen::X64), Some("mmap"));
        assert_eq!(syscall_name(222, Xlen::X32), Some("mmap2"));
        assert_eq!(syscall_name(62, Xlen::X32), Some("llseek"));
        assert_eq!(syscall_name(278, Xlen::X64), Some("getrandom"));
        assert_eq!(syscall_name(1000, Xlen::X64), None);
        assert_eq!(syscall_number("write"), Some(64));
        assert_eq!(syscall_number("exit_group"), Some(94));
        assert_eq!(syscall_number("_llseek"), Some(62));
        assert_eq!(errno_name(2), Some("ENOENT"));
        assert_eq!(errno_name(38), Some("ENOSYS"));
    }
}
