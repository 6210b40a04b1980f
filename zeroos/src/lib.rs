//! `zeroos`: a deterministic Linux syscall layer for zkVM guests.
//!
//! Serves the `ecall`s of a guest that has no trap vector of its own as
//! Linux syscalls (asm-generic numbering, riscv calling convention: number
//! in a7, arguments in a0..a5, result or negative errno in a0). Everything
//! the guest can observe is a function of its ELF, its input and the seed:
//! clocks are derived from the cycle count (1 cycle = 1 ns), randomness
//! comes from ChaCha20 seeded with [`OsConfig::seed`], and the host file
//! system is reachable only through explicit [`Mount`]s.
//!
//! Semantics of each call follow its Linux man page (section 2); calls not
//! implemented return `-ENOSYS` and are counted in [`Stats::unknown`]. A
//! guest pointer to unmapped memory gives `-EFAULT`.

#![warn(missing_docs)]

pub mod table;
mod vfs;

use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};
use table::errno::*;
use table::nr;
pub use table::{
    errno_name, syscall_info, syscall_label, syscall_name, syscall_number, ArgKind, SyscallInfo,
};
use vfs::Vfs;
use zkdbg_emulator::memory::{Perm, GUARD_SIZE, PAGE_SIZE};
use zkdbg_emulator::{Environment, Memory, Program, SyscallRequest, SyscallResult, Xlen};

/// A host directory made visible to the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mount {
    /// Directory on the host.
    pub host: PathBuf,
    /// Absolute guest path it appears at.
    pub guest: String,
    /// Whether the guest may create and modify files (`:rw`).
    pub writable: bool,
}

impl std::str::FromStr for Mount {
    type Err = String;
    /// Parses `HOST_DIR:GUEST_DIR[:rw|:ro]`.
    fn from_str(s: &str) -> Result<Mount, String> {
        let parts: Vec<&str> = s.split(':').collect();
        let (host, guest, writable) = match parts.as_slice() {
            [h, g] => (h, g, false),
            [h, g, "rw"] => (h, g, true),
            [h, g, "ro"] => (h, g, false),
            _ => return Err(format!("mount `{s}` is not HOST_DIR:GUEST_DIR[:rw]")),
        };
        if !guest.starts_with('/') {
            return Err(format!("guest path `{guest}` must be absolute"));
        }
        if !std::path::Path::new(host).is_dir() {
            return Err(format!("host path `{host}` is not a directory"));
        }
        Ok(Mount {
            host: PathBuf::from(host),
            guest: vfs::normalize("/", guest),
            writable,
        })
    }
}

/// Where guest stdout/stderr go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// Written straight to the host's stdout/stderr.
    Inherit,
    /// Kept in memory; read with [`ZeroOs::stdout`] and [`ZeroOs::stderr`].
    Capture,
}

/// Wraps each write of [`Output::Inherit`] output (see
/// [`set_inherit_wrapper`]).
pub type InheritWrapper = Arc<dyn Fn(&mut dyn FnMut()) + Send + Sync>;

static INHERIT_WRAP: RwLock<Option<InheritWrapper>> = RwLock::new(None);

/// Runs every write of the guest's stdout and stderr in [`Output::Inherit`]
/// mode inside `wrap` (process-wide; `None` removes it): a front end that
/// draws a progress line on the terminal (indicatif's
/// `ProgressBar::suspend`) clears it for the write and draws it again
/// after, so guest output never mixes with it.
pub fn set_inherit_wrapper(wrap: Option<InheritWrapper>) {
    if let Ok(mut w) = INHERIT_WRAP.write() {
        *w = wrap;
    }
}

/// Options of the OS layer.
#[derive(Clone, Debug)]
pub struct OsConfig {
    /// Bytes the guest reads from stdin (empty: immediate end of file).
    pub stdin: Vec<u8>,
    /// Host directories visible to the guest.
    pub mounts: Vec<Mount>,
    /// Seed of `getrandom` and `/dev/urandom`.
    pub seed: u64,
    /// Where stdout and stderr go.
    pub output: Output,
}

impl Default for OsConfig {
    fn default() -> Self {
        OsConfig {
            stdin: Vec::new(),
            mounts: Vec::new(),
            seed: 0,
            output: Output::Capture,
        }
    }
}

/// Counters of served syscalls.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Syscalls served, by number (including failed and unknown ones).
    pub by_number: BTreeMap<u64, u64>,
    /// Syscalls that are not implemented (answered `-ENOSYS`), by number.
    pub unknown: BTreeMap<u64, u64>,
    /// Total syscalls.
    pub total: u64,
}

/// The OS state. `Clone` is a snapshot (files, break, random state).
#[derive(Clone)]
pub struct ZeroOs {
    cfg_output: Output,
    vfs: Vfs,
    brk_start: u64,
    brk: u64,
    mmap_next: u64,
    rng: ChaCha20Rng,
    stdout: Vec<u8>,
    /// The last byte written to stdout, if any (either output mode).
    stdout_last: Option<u8>,
    stderr: Vec<u8>,
    stats: Stats,
}

/// A syscall handler's result: the value for a0, or a positive errno.
type SysResult = Result<u64, i64>;

/// What serving one syscall produced.
enum Served {
    /// Return this value in a0.
    Return(u64),
    /// Fail with this (positive) errno: a0 = -errno.
    Error(i64),
    /// The guest exited with this status (`exit`, `exit_group`).
    Exit(i32),
}

impl ZeroOs {
    /// An OS for `program`: the program break starts at the page after its
    /// highest segment, anonymous mappings are placed from 1 GiB (RV32) or
    /// 256 GiB (RV64) upwards.
    pub fn new(program: &Program, cfg: OsConfig) -> ZeroOs {
        let end = program
            .segments
            .iter()
            .map(|s| s.vaddr + s.mem_size)
            .max()
            .unwrap_or(0);
        let brk = end.div_ceil(PAGE_SIZE) * PAGE_SIZE;
        let mmap_next = match program.xlen {
            Xlen::X32 => 0x4000_0000,
            Xlen::X64 => 0x40_0000_0000,
        };
        ZeroOs {
            cfg_output: cfg.output,
            vfs: Vfs::new(cfg.stdin, cfg.mounts),
            brk_start: brk,
            brk,
            mmap_next,
            rng: ChaCha20Rng::seed_from_u64(cfg.seed),
            stdout: Vec::new(),
            stdout_last: None,
            stderr: Vec::new(),
            stats: Stats::default(),
        }
    }

    /// Captured stdout (empty with [`Output::Inherit`]).
    pub fn stdout(&self) -> &[u8] {
        &self.stdout
    }

    /// The last byte the guest wrote to stdout (captured or not), if any:
    /// a front end printing after the guest starts a new line when it is
    /// not `\n`.
    pub fn stdout_last_byte(&self) -> Option<u8> {
        self.stdout_last
    }

    /// Captured stderr (empty with [`Output::Inherit`]).
    pub fn stderr(&self) -> &[u8] {
        &self.stderr
    }

    /// Syscall counters.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The current program break.
    pub fn brk(&self) -> u64 {
        self.brk
    }

    /// Writes back files the guest modified under writable mounts. Called
    /// when the guest closes them; call it at the end of a run for files
    /// left open.
    pub fn sync(&mut self) -> std::io::Result<()> {
        self.vfs.sync_all()
    }

    /// Writes `data` to the guest's stdout (`fd` 1) or stderr (any other
    /// `fd`) on behalf of a platform call (SP1's WRITE), as a `write(2)`
    /// to the console would: captured output is charged to the memory
    /// limit.
    ///
    /// Errors: [`zkdbg_emulator::MemError::Limit`] past the limit (nothing
    /// written).
    pub fn console_output(
        &mut self,
        fd: u32,
        data: &[u8],
        mem: &mut Memory,
    ) -> Result<(), zkdbg_emulator::MemError> {
        if self.cfg_output == Output::Capture {
            mem.charge(data.len() as u64)?;
        }
        self.console(fd, data);
        Ok(())
    }

    /// Console output of a `write`: captured output is charged to the
    /// memory limit (`ENOSPC` past it).
    fn console_write(&mut self, fd: u32, data: &[u8], mem: &mut Memory) -> Result<(), i64> {
        if self.cfg_output == Output::Capture {
            mem.charge(data.len() as u64).map_err(|_| ENOSPC)?;
        }
        self.console(fd, data);
        Ok(())
    }

    fn console(&mut self, fd: u32, data: &[u8]) {
        if self.cfg_output == Output::Inherit {
            // A front end's progress line steps aside for the write.
            let wrap = INHERIT_WRAP.read().ok().and_then(|w| w.clone());
            if let Some(w) = wrap {
                w(&mut || self.console_now(fd, data));
                return;
            }
        }
        self.console_now(fd, data);
    }

    fn console_now(&mut self, fd: u32, data: &[u8]) {
        if fd == 1 {
            if let Some(&b) = data.last() {
                self.stdout_last = Some(b);
            }
        }
        match (self.cfg_output, fd) {
            (Output::Capture, 1) => self.stdout.extend_from_slice(data),
            (Output::Capture, _) => self.stderr.extend_from_slice(data),
            (Output::Inherit, 1) => {
                let mut o = std::io::stdout().lock();
                let _ = o.write_all(data).and_then(|_| o.flush());
            }
            (Output::Inherit, _) => {
                let mut o = std::io::stderr().lock();
                let _ = o.write_all(data).and_then(|_| o.flush());
            }
        }
    }

    /// Serves one syscall by its number ([`table::nr`]; the facts of each
    /// are in [`table::SYSCALLS`]).
    fn serve(&mut self, req: &SyscallRequest, mem: &mut Memory) -> Served {
        let a = req.args;
        let xlen = req.xlen;
        let rv32 = xlen == Xlen::X32;
        let sa = |i: usize| xlen.signed(a[i]);
        let r = match req.nr {
            nr::EXIT | nr::EXIT_GROUP => return Served::Exit(sa(0) as i32),
            nr::READ => self.read(a[0], a[1], a[2], mem),
            nr::WRITE => self.write(a[0], a[1], a[2], mem),
            nr::READV | nr::WRITEV => {
                self.vector_io(req.nr == nr::WRITEV, a[0], a[1], a[2], xlen, mem)
            }
            nr::PREAD64 | nr::PWRITE64 => {
                self.positional_io(req.nr == nr::PWRITE64, a[0], a[1], a[2], a[3], mem)
            }
            nr::OPENAT => self.openat(sa(0), a[1], a[2] as u32, mem),
            nr::CLOSE => self.vfs.close(a[0]).map(|_| 0),
            nr::LSEEK if !rv32 => self.vfs.lseek(a[0], a[1] as i64, a[2] as u32),
            nr::LSEEK => {
                // llseek(fd, offset_high, offset_low, result *, whence)
                let off = ((a[1] << 32) | (a[2] & 0xffff_ffff)) as i64;
                self.vfs
                    .lseek(a[0], off, a[4] as u32)
                    .and_then(|pos| put(mem, a[3], &pos.to_le_bytes()).map(|_| 0))
            }
            nr::FSTAT if !rv32 => self.fstat(a[0], a[1], mem),
            nr::NEWFSTATAT if !rv32 => self
                .path_or_fd(sa(0), a[1], a[3], mem)
                .and_then(|fd| self.with_path_fd(fd, |os, fd| os.fstat(fd, a[2], mem))),
            nr::STATX => self
                .path_or_fd(sa(0), a[1], a[2], mem)
                .and_then(|fd| self.with_path_fd(fd, |os, fd| os.statx(fd, a[4], mem))),
            nr::IOCTL => self.vfs.get(a[0]).map(|_| ()).and(Err(ENOTTY)),
            nr::FCNTL => self.fcntl(a[0], a[1] as u32, a[2]),
            nr::DUP => self.vfs.dup(a[0], None),
            nr::DUP3 => self.vfs.dup(a[0], Some(a[1])),
            nr::GETCWD => {
                if a[1] < 2 {
                    Err(EINVAL)
                } else {
                    put(mem, a[0], b"/\0").map(|_| 2)
                }
            }
            nr::UNLINKAT => self
                .path(mem, a[1])
                .and_then(|p| self.vfs.unlink(&vfs::normalize("/", &p), mem).map(|_| 0)),
            nr::MKDIRAT => self
                .path(mem, a[1])
                .and_then(|p| self.vfs.mkdir(&vfs::normalize("/", &p)).map(|_| 0)),
            nr::FACCESSAT => self
                .path(mem, a[1])
                .and_then(|p| self.vfs.access(&vfs::normalize("/", &p)).map(|_| 0)),
            nr::FSYNC => self.vfs.get(a[0]).map(|_| 0),
            nr::BRK => Ok(self.do_brk(a[0], mem)),
            nr::MMAP => self.mmap(a, rv32, mem),
            nr::MUNMAP => self.munmap(a[0], a[1], mem),
            nr::MPROTECT => self.mprotect(a[0], a[1], a[2], mem),
            nr::MADVISE => Ok(0),
            nr::GETRANDOM => {
                let len = a[1].min(MAX_IO) as usize;
                let mut buf = vec![0u8; len];
                self.rng.fill_bytes(&mut buf);
                put(mem, a[0], &buf).map(|_| len as u64)
            }
            nr::CLOCK_GETTIME | nr::CLOCK_GETTIME64 | nr::CLOCK_GETRES => {
                let field = if req.nr == nr::CLOCK_GETTIME64 {
                    8
                } else {
                    xlen.bytes()
                };
                let ns = if req.nr == nr::CLOCK_GETRES {
                    1
                } else {
                    req.cycle
                };
                if a[1] == 0 {
                    Ok(0)
                } else {
                    put(
                        mem,
                        a[1],
                        &pack(&[ns / 1_000_000_000, ns % 1_000_000_000], field),
                    )
                    .map(|_| 0)
                }
            }
            nr::GETTIMEOFDAY => {
                let us = req.cycle / 1000;
                if a[0] == 0 {
                    Ok(0)
                } else {
                    put(
                        mem,
                        a[0],
                        &pack(&[us / 1_000_000, us % 1_000_000], xlen.bytes()),
                    )
                    .map(|_| 0)
                }
            }
            nr::TIMES => {
                // struct tms in clock ticks (USER_HZ = 100): 10,000,000 cycles a tick.
                let ticks = req.cycle / 10_000_000;
                if a[0] != 0 && put(mem, a[0], &pack(&[ticks, 0, 0, 0], xlen.bytes())).is_err() {
                    return Served::Error(EFAULT);
                }
                Ok(ticks)
            }
            nr::NANOSLEEP | nr::SCHED_YIELD | nr::SET_ROBUST_LIST | nr::SIGALTSTACK => Ok(0),
            nr::SET_TID_ADDRESS | nr::GETPID | nr::GETTID => Ok(1),
            nr::GETPPID | nr::GETUID | nr::GETEUID | nr::GETGID | nr::GETEGID => Ok(0),
            nr::KILL | nr::TGKILL => Err(EPERM),
            nr::UNAME => {
                let mut buf = vec![0u8; 65 * 6];
                let machine = if rv32 { "riscv32" } else { "riscv64" };
                for (i, f) in [
                    "Linux",
                    "zeroos",
                    "6.1.0-zeroos",
                    "#1 zkdbg",
                    machine,
                    "(none)",
                ]
                .iter()
                .enumerate()
                {
                    buf[i * 65..i * 65 + f.len()].copy_from_slice(f.as_bytes());
                }
                put(mem, a[0], &buf).map(|_| 0)
            }
            nr::RT_SIGACTION => {
                // struct sigaction: handler, flags, mask (8 bytes)
                if a[2] != 0 {
                    put(mem, a[2], &vec![0u8; 2 * xlen.bytes() + 8]).map(|_| 0)
                } else {
                    Ok(0)
                }
            }
            nr::RT_SIGPROCMASK => {
                if a[2] != 0 {
                    put(mem, a[2], &[0u8; 8]).map(|_| 0)
                } else {
                    Ok(0)
                }
            }
            nr::FUTEX | nr::FUTEX_TIME64 => self.futex(a[0], a[1] as u32, a[2] as u32, mem),
            nr::PRLIMIT64 | nr::GETRLIMIT => {
                let old = if req.nr == nr::PRLIMIT64 { a[3] } else { a[1] };
                let (cur, max) = match a[if req.nr == nr::PRLIMIT64 { 1 } else { 0 }] {
                    7 => (1024, 1024),         // RLIMIT_NOFILE
                    _ => (u64::MAX, u64::MAX), // RLIM_INFINITY
                };
                let field = if req.nr == nr::PRLIMIT64 {
                    8
                } else {
                    xlen.bytes()
                };
                if old != 0 {
                    put(mem, old, &pack(&[cur, max], field)).map(|_| 0)
                } else {
                    Ok(0)
                }
            }
            other => {
                *self.stats.unknown.entry(other).or_default() += 1;
                Err(ENOSYS)
            }
        };
        match r {
            Ok(v) => Served::Return(v),
            Err(e) => Served::Error(e),
        }
    }

    fn with_path_fd(
        &mut self,
        fd: PathFd,
        f: impl FnOnce(&mut Self, u64) -> SysResult,
    ) -> SysResult {
        match fd {
            PathFd::Existing(fd) => f(self, fd),
            PathFd::Temporary(fd) => {
                let r = f(self, fd);
                let _ = self.vfs.close(fd);
                r
            }
        }
    }

    /// For the `*at` calls: the fd itself with AT_EMPTY_PATH (0x1000) and an
    /// empty path, otherwise a temporary read-only open of the path.
    fn path_or_fd(
        &mut self,
        dirfd: i64,
        path_ptr: u64,
        flags: u64,
        mem: &mut Memory,
    ) -> Result<PathFd, i64> {
        let path = self.path(mem, path_ptr)?;
        if path.is_empty() {
            if flags & 0x1000 == 0 {
                return Err(ENOENT);
            }
            self.vfs.get(dirfd as u64)?;
            return Ok(PathFd::Existing(dirfd as u64));
        }
        let fd = self.vfs.open(&vfs::normalize("/", &path), 0, mem)?;
        Ok(PathFd::Temporary(fd))
    }

    fn path(&self, mem: &Memory, ptr: u64) -> Result<String, i64> {
        match mem.read_cstr(ptr, 4096) {
            Ok(Some(p)) => Ok(String::from_utf8_lossy(&p).into_owned()),
            Ok(None) => Err(ENAMETOOLONG),
            Err(_) => Err(EFAULT),
        }
    }

    fn openat(&mut self, dirfd: i64, path_ptr: u64, flags: u32, mem: &mut Memory) -> SysResult {
        let path = self.path(mem, path_ptr)?;
        if !path.starts_with('/') && dirfd != -100 {
            return Err(ENOTDIR); // only AT_FDCWD is a directory here
        }
        self.vfs.open(&vfs::normalize("/", &path), flags, mem)
    }

    /// read(2) of at most [`MAX_IO`] bytes; the buffer must be writable.
    fn read(&mut self, fd: u64, buf: u64, len: u64, mem: &mut Memory) -> SysResult {
        let len = len.min(MAX_IO);
        mem.check(buf, len, Perm::W).map_err(|_| EFAULT)?;
        let data = self.vfs.read(fd, len as usize, &mut self.rng)?;
        put(mem, buf, &data)?;
        Ok(data.len() as u64)
    }

    /// write(2) of at most [`MAX_IO`] bytes.
    fn write(&mut self, fd: u64, buf: u64, len: u64, mem: &mut Memory) -> SysResult {
        let len = len.min(MAX_IO);
        if self.vfs.discards(fd)? {
            mem.check(buf, len, Perm::NONE).map_err(|_| EFAULT)?;
            return Ok(len);
        }
        let data = mem.read_vec(buf, len as usize).map_err(|_| EFAULT)?;
        if let Some(console_fd) = self.vfs.write(fd, &data, mem)? {
            self.console_write(console_fd, &data, mem)?;
        }
        Ok(data.len() as u64)
    }

    fn vector_io(
        &mut self,
        write: bool,
        fd: u64,
        iov: u64,
        cnt: u64,
        xlen: Xlen,
        mem: &mut Memory,
    ) -> SysResult {
        if cnt > 1024 {
            return Err(EINVAL);
        }
        let w = xlen.bytes() as u64;
        let raw = mem
            .read_vec(iov, (cnt * 2 * w) as usize)
            .map_err(|_| EFAULT)?;
        let field = |i: usize| {
            let mut b = [0u8; 8];
            b[..w as usize].copy_from_slice(&raw[i * w as usize..(i + 1) * w as usize]);
            u64::from_le_bytes(b)
        };
        // At most MAX_IO bytes per call (a short transfer, as Linux caps one
        // call at MAX_RW_COUNT); an error after some bytes moved returns
        // their count.
        let mut total = 0u64;
        for i in 0..cnt as usize {
            let (base, len) = (field(2 * i), field(2 * i + 1).min(MAX_IO - total));
            if len == 0 {
                continue;
            }
            let r = if write {
                self.write(fd, base, len, mem)
            } else {
                self.read(fd, base, len, mem)
            };
            let n = match r {
                Ok(n) => n,
                Err(e) if total == 0 => return Err(e),
                Err(_) => break,
            };
            total += n;
            if n < len || total >= MAX_IO {
                break;
            }
        }
        Ok(total)
    }

    fn positional_io(
        &mut self,
        write: bool,
        fd: u64,
        buf: u64,
        len: u64,
        off: u64,
        mem: &mut Memory,
    ) -> SysResult {
        let old = self.vfs.lseek(fd, 0, 1)?;
        self.vfs.lseek(fd, off as i64, 0)?;
        let r = if write {
            self.write(fd, buf, len, mem)
        } else {
            self.read(fd, buf, len, mem)
        };
        self.vfs.lseek(fd, old as i64, 0)?;
        r
    }

    fn fcntl(&mut self, fd: u64, cmd: u32, arg: u64) -> SysResult {
        let f = self.vfs.get(fd)?;
        match cmd {
            0 | 1030 => self.vfs.dup_min(fd, arg), // F_DUPFD, F_DUPFD_CLOEXEC
            1 | 2 => Ok(0),                        // F_GETFD, F_SETFD
            3 => Ok(f.flags as u64),               // F_GETFL
            4 => Ok(0),                            // F_SETFL
            _ => Err(EINVAL),
        }
    }

    fn fstat(&mut self, fd: u64, buf: u64, mem: &mut Memory) -> SysResult {
        let st = self.vfs.stat(fd)?;
        // asm-generic struct stat (128 bytes)
        let mut b = [0u8; 128];
        b[0..8].copy_from_slice(&1u64.to_le_bytes());
        b[8..16].copy_from_slice(&st.ino.to_le_bytes());
        b[16..20].copy_from_slice(&st.mode.to_le_bytes());
        b[20..24].copy_from_slice(&1u32.to_le_bytes());
        b[48..56].copy_from_slice(&st.size.to_le_bytes());
        b[56..60].copy_from_slice(&(PAGE_SIZE as u32).to_le_bytes());
        b[64..72].copy_from_slice(&st.size.div_ceil(512).to_le_bytes());
        put(mem, buf, &b).map(|_| 0)
    }

    fn statx(&mut self, fd: u64, buf: u64, mem: &mut Memory) -> SysResult {
        let st = self.vfs.stat(fd)?;
        // struct statx (256 bytes)
        let mut b = [0u8; 256];
        b[0..4].copy_from_slice(&0x7ffu32.to_le_bytes()); // STATX_BASIC_STATS
        b[4..8].copy_from_slice(&(PAGE_SIZE as u32).to_le_bytes());
        b[16..20].copy_from_slice(&1u32.to_le_bytes());
        b[28..30].copy_from_slice(&(st.mode as u16).to_le_bytes());
        b[32..40].copy_from_slice(&st.ino.to_le_bytes());
        b[40..48].copy_from_slice(&st.size.to_le_bytes());
        b[48..56].copy_from_slice(&st.size.div_ceil(512).to_le_bytes());
        put(mem, buf, &b).map(|_| 0)
    }

    /// brk(2) as the Linux system call: the new break, or the old one if
    /// `want` is below the start, beyond the address space or not mappable.
    fn do_brk(&mut self, want: u64, mem: &mut Memory) -> u64 {
        if want < self.brk_start || want > mem.address_space_end() {
            return self.brk;
        }
        let (Some(old_top), Some(new_top)) = (page_round_up(self.brk), page_round_up(want)) else {
            return self.brk;
        };
        if new_top > old_top {
            if mem.map_with(old_top, new_top - old_top, Perm::RW).is_err() {
                return self.brk;
            }
        } else if new_top < old_top {
            mem.unmap(new_top, old_top - new_top);
        }
        self.brk = want;
        want
    }

    /// mmap(2)/mmap2(2): anonymous or file-backed (in-memory files and
    /// `/dev/zero`), private, with the protection asked for. The address
    /// range, offset and length are checked as Linux checks them; the
    /// next free address moves only when a mapping succeeds.
    fn mmap(&mut self, a: [u64; 6], rv32: bool, mem: &mut Memory) -> SysResult {
        let (hint, len, prot, flags, fd) = (a[0], a[1], a[2], a[3] as u32, a[4]);
        const MAP_TYPE: u32 = 0x03; // MAP_SHARED | MAP_PRIVATE
        const MAP_FIXED: u32 = 0x10;
        const MAP_ANONYMOUS: u32 = 0x20;
        let off = if rv32 {
            a[5].checked_mul(PAGE_SIZE).ok_or(EINVAL)?
        } else {
            a[5]
        };
        if len == 0 || flags & MAP_TYPE == 0 || !off.is_multiple_of(PAGE_SIZE) {
            return Err(EINVAL);
        }
        let len = page_round_up(len)
            .filter(|&l| fits(mem, 0, l))
            .ok_or(ENOMEM)?;
        let file = flags & MAP_ANONYMOUS == 0;
        if file {
            self.vfs.get(fd)?;
            off.checked_add(len).ok_or(EOVERFLOW)?;
        }
        let addr = if flags & MAP_FIXED != 0 {
            if !hint.is_multiple_of(PAGE_SIZE) {
                return Err(EINVAL);
            }
            if hint < GUARD_SIZE || !fits(mem, hint, len) {
                return Err(ENOMEM);
            }
            mem.unmap(hint, len);
            hint
        } else if fits(mem, self.mmap_next, len) {
            self.mmap_next
        } else {
            return Err(ENOMEM);
        };
        mem.map_with(addr, len, Perm::from_prot(prot))
            .map_err(|_| ENOMEM)?;
        if file {
            if let Err(e) = self.vfs.copy_to_guest(fd, off, len, mem, addr) {
                mem.unmap(addr, len);
                return Err(e);
            }
        }
        if flags & MAP_FIXED == 0 {
            self.mmap_next = addr + len;
        }
        Ok(addr)
    }

    /// munmap(2): work is bounded by what is mapped.
    fn munmap(&mut self, addr: u64, len: u64, mem: &mut Memory) -> SysResult {
        if !addr.is_multiple_of(PAGE_SIZE) || len == 0 {
            return Err(EINVAL);
        }
        let len = page_round_up(len)
            .filter(|&l| fits(mem, addr, l))
            .ok_or(EINVAL)?;
        mem.unmap(addr, len);
        Ok(0)
    }

    /// mprotect(2): `ENOMEM` if part of the range is not mapped.
    fn mprotect(&mut self, addr: u64, len: u64, prot: u64, mem: &mut Memory) -> SysResult {
        if !addr.is_multiple_of(PAGE_SIZE) || prot & !7 != 0 {
            return Err(EINVAL);
        }
        if len == 0 {
            return Ok(0);
        }
        // Memory::protect refuses the guard region, ranges past the address
        // space and unmapped pages alike: all ENOMEM.
        let len = page_round_up(len).ok_or(ENOMEM)?;
        mem.protect(addr, len, Perm::from_prot(prot))
            .map(|_| 0)
            .map_err(|_| ENOMEM)
    }

    fn futex(&mut self, uaddr: u64, op: u32, val: u32, mem: &Memory) -> SysResult {
        match op & 0x7f {
            0 | 9 => {
                // FUTEX_WAIT, FUTEX_WAIT_BITSET: with one thread nobody can wake us.
                let cur = mem.read_vec(uaddr, 4).map_err(|_| EFAULT)?;
                if u32::from_le_bytes(cur.try_into().unwrap()) != val {
                    Err(EAGAIN)
                } else {
                    Err(ETIMEDOUT)
                }
            }
            1 | 10 => Ok(0), // FUTEX_WAKE: no waiters
            _ => Err(ENOSYS),
        }
    }
}

enum PathFd {
    Existing(u64),
    Temporary(u64),
}

/// Most bytes one `read`, `write` or iovec entry moves (16 MiB): a larger
/// request is a short read or write, as Linux allows.
const MAX_IO: u64 = 1 << 24;

/// Writes `data` to guest memory as the guest would (the pages must be
/// writable), or `-EFAULT`.
fn put(mem: &mut Memory, addr: u64, data: &[u8]) -> Result<(), i64> {
    mem.write_user(addr, data).map_err(|_| EFAULT)
}

/// Whether `addr..addr+len` lies within the guest address space.
fn fits(mem: &Memory, addr: u64, len: u64) -> bool {
    addr.checked_add(len)
        .is_some_and(|end| end <= mem.address_space_end())
}

/// `len` rounded up to whole pages, `None` if that overflows.
fn page_round_up(len: u64) -> Option<u64> {
    len.checked_next_multiple_of(PAGE_SIZE)
}

/// Little-endian fields of `width` bytes each.
fn pack(fields: &[u64], width: usize) -> Vec<u8> {
    fields
        .iter()
        .flat_map(|f| f.to_le_bytes()[..width].to_vec())
        .collect()
}

impl Environment for ZeroOs {
    fn syscall(&mut self, req: &SyscallRequest, mem: &mut Memory) -> SyscallResult {
        self.stats.total += 1;
        *self.stats.by_number.entry(req.nr).or_default() += 1;
        match self.serve(req, mem) {
            Served::Exit(code) => SyscallResult::Exit(code),
            Served::Return(v) => SyscallResult::Return(req.xlen.truncate(v)),
            Served::Error(e) => SyscallResult::Return(req.xlen.truncate((-e) as u64)),
        }
    }

    fn host_print(&mut self, text: &[u8], newline: bool) {
        self.console(1, text);
        if newline {
            self.console(1, b"\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkdbg_emulator::Environment;

    fn setup(xlen: Xlen) -> (ZeroOs, Memory) {
        let program = Program::flat(xlen, 0x8000_0000, vec![0; 16], 0x2000);
        let mut mem = Memory::new(xlen, 1 << 24);
        program.load_into(&mut mem).unwrap();
        (
            ZeroOs::new(
                &program,
                OsConfig {
                    stdin: b"input".to_vec(),
                    ..OsConfig::default()
                },
            ),
            mem,
        )
    }

    fn call(os: &mut ZeroOs, mem: &mut Memory, xlen: Xlen, nr: u64, args: [u64; 6]) -> i64 {
        let req = SyscallRequest {
            nr,
            args,
            pc: 0,
            cycle: 2_500_000_000,
            instret: 0,
            xlen,
        };
        match os.syscall(&req, mem) {
            SyscallResult::Return(v) => xlen.signed(v),
            SyscallResult::Exit(c) => panic!("exit {c}"),
        }
    }

    #[test]
    fn bad_pointers_give_efault_and_unknown_calls_enosys() {
        let (mut os, mut mem) = setup(Xlen::X64);
        assert_eq!(
            call(
                &mut os,
                &mut mem,
                Xlen::X64,
                nr::WRITE,
                [1, 0x10, 4, 0, 0, 0]
            ),
            -EFAULT
        );
        assert_eq!(
            call(
                &mut os,
                &mut mem,
                Xlen::X64,
                nr::READ,
                [0, 0x9000_0000, 4, 0, 0, 0]
            ),
            -EFAULT
        );
        assert_eq!(
            call(
                &mut os,
                &mut mem,
                Xlen::X64,
                nr::OPENAT,
                [-100i64 as u64, 0, 0, 0, 0, 0]
            ),
            -EFAULT
        );
        assert_eq!(call(&mut os, &mut mem, Xlen::X64, 1000, [0; 6]), -ENOSYS);
        assert_eq!(call(&mut os, &mut mem, Xlen::X64, 1000, [0; 6]), -ENOSYS);
        assert_eq!(os.stats().unknown.get(&1000), Some(&2));
        assert_eq!(os.stats().total, 5);
        // a good read works
        assert_eq!(
            call(
                &mut os,
                &mut mem,
                Xlen::X64,
                nr::READ,
                [0, 0x8000_1000, 64, 0, 0, 0]
            ),
            5
        );
        assert_eq!(mem.read_vec(0x8000_1000, 5).unwrap(), b"input");
    }

    #[test]
    fn clocks_count_cycles_and_brk_grows_the_heap() {
        let (mut os, mut mem) = setup(Xlen::X64);
        assert_eq!(
            call(
                &mut os,
                &mut mem,
                Xlen::X64,
                nr::CLOCK_GETTIME,
                [1, 0x8000_1000, 0, 0, 0, 0]
            ),
            0
        );
        let ts = mem.read_vec(0x8000_1000, 16).unwrap();
        assert_eq!(
            u64::from_le_bytes(ts[0..8].try_into().unwrap()),
            2,
            "2.5e9 cycles at 1 GHz: 2 s"
        );
        assert_eq!(
            u64::from_le_bytes(ts[8..16].try_into().unwrap()),
            500_000_000
        );
        let start = call(&mut os, &mut mem, Xlen::X64, nr::BRK, [0; 6]) as u64;
        assert_eq!(start, 0x8000_2000);
        assert!(!mem.is_mapped(start, 1));
        assert_eq!(
            call(
                &mut os,
                &mut mem,
                Xlen::X64,
                nr::BRK,
                [start + 10_000, 0, 0, 0, 0, 0]
            ) as u64,
            start + 10_000
        );
        assert!(mem.is_mapped(start, 10_000));
        // more than the memory limit: the break stays
        assert_eq!(
            call(
                &mut os,
                &mut mem,
                Xlen::X64,
                nr::BRK,
                [start + (1 << 30), 0, 0, 0, 0, 0]
            ) as u64,
            start + 10_000
        );
    }

    #[test]
    fn getrandom_is_seeded_and_deterministic() {
        let draw = |seed| {
            let (mut os, mut mem) = setup(Xlen::X32);
            os.rng = ChaCha20Rng::seed_from_u64(seed);
            assert_eq!(
                call(
                    &mut os,
                    &mut mem,
                    Xlen::X32,
                    nr::GETRANDOM,
                    [0x8000_1000, 16, 0, 0, 0, 0]
                ),
                16
            );
            mem.read_vec(0x8000_1000, 16).unwrap()
        };
        assert_eq!(draw(0), draw(0));
        assert_ne!(draw(0), draw(1));
    }
}
