//! The virtual file system: standard streams, a few devices, in-memory files
//! and read-only (or `:rw`) windows onto host directories.
//!
//! Security model of a mount: every path under it is resolved by `cap-std`
//! inside the mounted directory, with the semantics of `openat2(2)`'s
//! `RESOLVE_BENEATH`: `..`, absolute symlinks and symlinks whose target
//! leaves the directory are refused (`EXDEV`/`EACCES`), whichever path
//! syscall the guest makes. Only regular files and directories are
//! reachable (a FIFO, socket or device node under a mount is refused, so a
//! guest cannot block the host on one). In a writable mount, a file with
//! more than one hard link is read-only to the guest, so a hard link placed
//! in the mount cannot carry writes to a file outside it.
//!
//! Files are held in memory while open, in 4 KiB chunks charged against
//! the guest's memory limit ([`Memory::charge`]); holes take no memory.

use crate::table::errno::*;
use crate::Mount;
use cap_std::fs::{Dir, OpenOptions};
use rand_chacha::rand_core::RngCore;
use rand_chacha::ChaCha20Rng;
use std::collections::BTreeMap;
use std::io::Read;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::sync::Arc;
use zkdbg_emulator::Memory;

const O_ACCMODE: u32 = 3;
const O_WRONLY: u32 = 1;
const O_CREAT: u32 = 0o100;
const O_EXCL: u32 = 0o200;
const O_TRUNC: u32 = 0o1000;
const O_APPEND: u32 = 0o2000;

const S_IFCHR: u32 = 0o020000;
const S_IFREG: u32 = 0o100000;

/// Largest file size in bytes (ext4's limit with 4 KiB blocks, 16 TiB);
/// a write past it fails with `EFBIG`.
pub const MAX_FILE_SIZE: u64 = 1 << 44;
/// Chunk size of in-memory files, in bytes.
const CHUNK: u64 = 4096;

/// What an open file descriptor refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    Stdin,
    Stdout,
    Stderr,
    Null,
    Zero,
    Urandom,
    Inode(usize),
}

#[derive(Clone, Debug)]
pub struct OpenFile {
    pub kind: FileKind,
    pub pos: u64,
    pub flags: u32,
}

/// A sparse byte array: `size` bytes, of which only the chunks written
/// hold memory; the rest reads as zeros.
#[derive(Clone, Debug, Default)]
struct Sparse {
    size: u64,
    chunks: BTreeMap<u64, Box<[u8]>>,
}

impl Sparse {
    /// Bytes of host memory held.
    fn held(&self) -> u64 {
        self.chunks.len() as u64 * CHUNK
    }

    /// Chunks `write_at(off, len)` would add.
    fn new_chunks(&self, off: u64, len: u64) -> u64 {
        if len == 0 {
            return 0;
        }
        let (first, last) = (off / CHUNK, (off + len - 1) / CHUNK);
        (first..=last)
            .filter(|c| !self.chunks.contains_key(c))
            .count() as u64
    }

    /// Copies bytes from `off` into `buf`; returns how many (up to the size).
    fn read_at(&self, off: u64, buf: &mut [u8]) -> usize {
        let n = (self.size.saturating_sub(off)).min(buf.len() as u64) as usize;
        buf[..n].fill(0);
        let mut done = 0;
        while done < n {
            let at = off + done as u64;
            let (c, inner) = (at / CHUNK, (at % CHUNK) as usize);
            let k = (CHUNK as usize - inner).min(n - done);
            if let Some(chunk) = self.chunks.get(&c) {
                buf[done..done + k].copy_from_slice(&chunk[inner..inner + k]);
            }
            done += k;
        }
        n
    }

    /// Writes `data` at `off` (the caller has checked size and budget).
    fn write_at(&mut self, off: u64, data: &[u8]) {
        let mut done = 0;
        while done < data.len() {
            let at = off + done as u64;
            let (c, inner) = (at / CHUNK, (at % CHUNK) as usize);
            let k = (CHUNK as usize - inner).min(data.len() - done);
            let chunk = self
                .chunks
                .entry(c)
                .or_insert_with(|| vec![0; CHUNK as usize].into_boxed_slice());
            chunk[inner..inner + k].copy_from_slice(&data[done..done + k]);
            done += k;
        }
        self.size = self.size.max(off + data.len() as u64);
    }

    /// Cuts the array to `size` bytes; returns the bytes of memory freed.
    fn truncate(&mut self, size: u64) -> u64 {
        let before = self.held();
        let keep = size.div_ceil(CHUNK);
        self.chunks.split_off(&keep);
        if let Some(last) = self.chunks.get_mut(&(size / CHUNK)) {
            last[(size % CHUNK) as usize..].fill(0);
        }
        self.size = self.size.min(size);
        before - self.held()
    }
}

#[derive(Clone, Debug)]
struct Inode {
    data: Sparse,
    /// The mount and path inside it of the host file behind it.
    host: Option<(usize, String)>,
    writable: bool,
    dirty: bool,
}

pub struct Stat {
    pub ino: u64,
    pub mode: u32,
    pub size: u64,
}

/// A mount with its directory opened as a capability.
#[derive(Clone)]
struct Root {
    mount: Mount,
    /// The opened directory; `None` if it could not be opened (every path
    /// under it is then `EACCES`).
    dir: Option<Arc<Dir>>,
}

#[derive(Clone)]
pub struct Vfs {
    stdin: Vec<u8>,
    fds: Vec<Option<OpenFile>>,
    inodes: Vec<Inode>,
    paths: BTreeMap<String, usize>,
    roots: Vec<Root>,
}

/// Makes `path` absolute (relative to `cwd`) and removes `.`, `..` and
/// repeated slashes.
pub fn normalize(cwd: &str, path: &str) -> String {
    let full = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("{cwd}/{path}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for c in full.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The errno for a host I/O error.
fn errno_of(e: &std::io::Error) -> i64 {
    use std::io::ErrorKind::*;
    if let Some(n) = e.raw_os_error() {
        return n as i64;
    }
    match e.kind() {
        NotFound => ENOENT,
        PermissionDenied => EACCES,
        AlreadyExists => EEXIST,
        IsADirectory => EISDIR,
        NotADirectory => ENOTDIR,
        _ => EIO,
    }
}

impl Vfs {
    pub fn new(stdin: Vec<u8>, mounts: Vec<Mount>) -> Vfs {
        let std = |kind, flags| {
            Some(OpenFile {
                kind,
                pos: 0,
                flags,
            })
        };
        let roots = mounts
            .into_iter()
            .map(|mount| {
                let dir = Dir::open_ambient_dir(&mount.host, cap_std::ambient_authority())
                    .ok()
                    .map(Arc::new);
                Root { mount, dir }
            })
            .collect();
        Vfs {
            stdin,
            fds: vec![
                std(FileKind::Stdin, 0),
                std(FileKind::Stdout, 1),
                std(FileKind::Stderr, 1),
            ],
            inodes: Vec::new(),
            paths: BTreeMap::new(),
            roots,
        }
    }

    pub fn get(&self, fd: u64) -> Result<&OpenFile, i64> {
        usize::try_from(fd)
            .ok()
            .and_then(|fd| self.fds.get(fd))
            .and_then(|f| f.as_ref())
            .ok_or(EBADF)
    }

    fn get_mut(&mut self, fd: u64) -> Result<&mut OpenFile, i64> {
        usize::try_from(fd)
            .ok()
            .and_then(|fd| self.fds.get_mut(fd))
            .and_then(|f| f.as_mut())
            .ok_or(EBADF)
    }

    fn install(&mut self, f: OpenFile, min: usize) -> Result<u64, i64> {
        let slot = (min..self.fds.len()).find(|&i| self.fds[i].is_none());
        let fd = match slot {
            Some(i) => i,
            None if self.fds.len().max(min) < 1024 => {
                let i = self.fds.len().max(min);
                self.fds.resize(i + 1, None);
                i
            }
            None => return Err(EMFILE),
        };
        self.fds[fd] = Some(f);
        Ok(fd as u64)
    }

    /// The mount holding the normalized guest `path`, and the path relative
    /// to the mounted directory (`.` for the directory itself).
    fn mount_for(&self, path: &str) -> Option<(usize, String)> {
        self.roots.iter().enumerate().rev().find_map(|(i, r)| {
            let g = &r.mount.guest;
            let rest = if g == "/" {
                Some(path.trim_start_matches('/'))
            } else if path == g {
                Some("")
            } else {
                path.strip_prefix(&format!("{g}/"))
            };
            rest.map(|r| (i, if r.is_empty() { ".".into() } else { r.into() }))
        })
    }

    fn dir(&self, root: usize) -> Result<&Dir, i64> {
        self.roots[root].dir.as_deref().ok_or(EACCES)
    }

    /// Reads the host file `rel` under mount `root` into an inode, charging
    /// its bytes to `mem`; `Ok(None)` if it does not exist.
    fn load_host(
        &self,
        root: usize,
        rel: &str,
        want_write: bool,
        mem: &mut Memory,
    ) -> Result<Option<Inode>, i64> {
        let dir = self.dir(root)?;
        let writable = self.roots[root].mount.writable;
        let meta = match dir.metadata(rel) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(errno_of(&e)),
        };
        if meta.is_dir() {
            return Err(EISDIR);
        }
        if !meta.is_file() {
            return Err(EACCES); // FIFOs, sockets, devices: never opened on the host
        }
        let file = dir.open(rel).map_err(|e| errno_of(&e))?.into_std();
        let std_meta = file.metadata().map_err(|e| errno_of(&e))?;
        let single_link = std_meta.nlink() <= 1;
        if want_write && writable && !single_link {
            return Err(EPERM);
        }
        let size = std_meta.len();
        if size.div_ceil(CHUNK).saturating_mul(CHUNK) > mem.available_bytes() {
            return Err(ENOMEM);
        }
        let mut bytes = Vec::new();
        file.take(size)
            .read_to_end(&mut bytes)
            .map_err(|e| errno_of(&e))?;
        let mut data = Sparse::default();
        let chunks = (bytes.len() as u64).div_ceil(CHUNK) * CHUNK;
        mem.charge(chunks).map_err(|_| ENOMEM)?;
        data.write_at(0, &bytes);
        Ok(Some(Inode {
            data,
            host: Some((root, rel.to_string())),
            writable: writable && single_link,
            dirty: false,
        }))
    }

    pub fn open(&mut self, path: &str, flags: u32, mem: &mut Memory) -> Result<u64, i64> {
        let wants_write = flags & O_ACCMODE != 0;
        let device = match path {
            "/dev/null" => Some(FileKind::Null),
            "/dev/zero" => Some(FileKind::Zero),
            "/dev/urandom" | "/dev/random" => Some(FileKind::Urandom),
            "/dev/stdin" => Some(FileKind::Stdin),
            "/dev/stdout" => Some(FileKind::Stdout),
            "/dev/stderr" => Some(FileKind::Stderr),
            _ => None,
        };
        if let Some(kind) = device {
            return self.install(
                OpenFile {
                    kind,
                    pos: 0,
                    flags,
                },
                0,
            );
        }
        let ino = match self.paths.get(path) {
            Some(&ino) => {
                if flags & O_CREAT != 0 && flags & O_EXCL != 0 {
                    return Err(EEXIST);
                }
                ino
            }
            None => {
                let inode = match self.mount_for(path) {
                    Some((root, rel)) => match self.load_host(root, &rel, wants_write, mem)? {
                        Some(inode) => inode,
                        None if flags & O_CREAT != 0 => {
                            if !self.roots[root].mount.writable {
                                return Err(EROFS);
                            }
                            Inode {
                                data: Sparse::default(),
                                host: Some((root, rel)),
                                writable: true,
                                dirty: true,
                            }
                        }
                        None => return Err(ENOENT),
                    },
                    None if flags & O_CREAT != 0 => Inode {
                        data: Sparse::default(),
                        host: None,
                        writable: true,
                        dirty: false,
                    },
                    None => return Err(ENOENT),
                };
                self.inodes.push(inode);
                let ino = self.inodes.len() - 1;
                self.paths.insert(path.to_string(), ino);
                ino
            }
        };
        let inode = &mut self.inodes[ino];
        if wants_write && !inode.writable {
            return Err(if inode.host.is_some() { EROFS } else { EACCES });
        }
        if flags & O_TRUNC != 0 && wants_write {
            mem.release(inode.data.truncate(0));
            inode.dirty = true;
        }
        self.install(
            OpenFile {
                kind: FileKind::Inode(ino),
                pos: 0,
                flags,
            },
            0,
        )
    }

    pub fn close(&mut self, fd: u64) -> Result<(), i64> {
        let f = usize::try_from(fd)
            .ok()
            .and_then(|fd| self.fds.get_mut(fd))
            .and_then(|f| f.take())
            .ok_or(EBADF)?;
        if let FileKind::Inode(ino) = f.kind {
            let _ = self.write_back(ino);
        }
        Ok(())
    }

    /// Writes a modified file of a writable mount back to the host, inside
    /// the mounted directory, holes as holes.
    fn write_back(&mut self, ino: usize) -> std::io::Result<()> {
        let inode = &self.inodes[ino];
        let (true, true, Some((root, rel))) = (inode.dirty, inode.writable, &inode.host) else {
            return Ok(());
        };
        let Some(dir) = self.roots[*root].dir.as_deref() else {
            return Err(std::io::ErrorKind::PermissionDenied.into());
        };
        let file = dir
            .open_with(
                rel,
                OpenOptions::new().write(true).create(true).truncate(true),
            )?
            .into_std();
        if file.metadata()?.nlink() > 1 {
            return Err(std::io::ErrorKind::PermissionDenied.into());
        }
        for (c, chunk) in &inode.data.chunks {
            let off = c * CHUNK;
            let n = (inode.data.size - off).min(CHUNK) as usize;
            file.write_all_at(&chunk[..n], off)?;
        }
        file.set_len(inode.data.size)?;
        self.inodes[ino].dirty = false;
        Ok(())
    }

    pub fn sync_all(&mut self) -> std::io::Result<()> {
        for ino in 0..self.inodes.len() {
            self.write_back(ino)?;
        }
        Ok(())
    }

    pub fn dup(&mut self, fd: u64, target: Option<u64>) -> Result<u64, i64> {
        let f = self.get(fd)?.clone();
        match target {
            None => self.install(f, 0),
            Some(t) if t == fd => Err(EINVAL),
            Some(t) if t < 1024 => {
                if (t as usize) >= self.fds.len() {
                    self.fds.resize(t as usize + 1, None);
                }
                self.fds[t as usize] = Some(f);
                Ok(t)
            }
            Some(_) => Err(EBADF),
        }
    }

    pub fn dup_min(&mut self, fd: u64, min: u64) -> Result<u64, i64> {
        let f = self.get(fd)?.clone();
        self.install(f, min.min(1024) as usize)
    }

    /// Reads up to `len` bytes (the caller bounds `len`).
    pub fn read(&mut self, fd: u64, len: usize, rng: &mut ChaCha20Rng) -> Result<Vec<u8>, i64> {
        let f = self.get(fd)?.clone();
        if f.flags & O_ACCMODE == O_WRONLY {
            return Err(EBADF);
        }
        let (data, advance) = match f.kind {
            FileKind::Stdin => {
                let start = usize::try_from(f.pos)
                    .unwrap_or(usize::MAX)
                    .min(self.stdin.len());
                let end = start.saturating_add(len).min(self.stdin.len());
                (self.stdin[start..end].to_vec(), true)
            }
            FileKind::Stdout | FileKind::Stderr => return Err(EBADF),
            FileKind::Null => (Vec::new(), false),
            FileKind::Zero => (vec![0; len], false),
            FileKind::Urandom => {
                let mut v = vec![0; len];
                rng.fill_bytes(&mut v);
                (v, false)
            }
            FileKind::Inode(ino) => {
                let d = &self.inodes[ino].data;
                let mut v = vec![0; (d.size.saturating_sub(f.pos)).min(len as u64) as usize];
                d.read_at(f.pos, &mut v);
                (v, true)
            }
        };
        if advance {
            let pos = &mut self.get_mut(fd)?.pos;
            *pos = pos.saturating_add(data.len() as u64);
        }
        Ok(data)
    }

    /// Copies up to `len` bytes of `fd` from offset `off` into guest memory
    /// at `addr` (for `mmap` of a file; the pages are mapped and zero).
    pub fn copy_to_guest(
        &self,
        fd: u64,
        off: u64,
        len: u64,
        mem: &mut Memory,
        addr: u64,
    ) -> Result<(), i64> {
        match self.get(fd)?.kind {
            FileKind::Inode(ino) => {
                let d = &self.inodes[ino].data;
                let mut buf = vec![0u8; 1 << 16];
                let mut done = 0u64;
                while done < len {
                    let at = off.checked_add(done).ok_or(EINVAL)?;
                    let want = (len - done).min(buf.len() as u64) as usize;
                    let n = d.read_at(at, &mut buf[..want]);
                    if n == 0 {
                        break;
                    }
                    mem.write_bytes(addr + done, &buf[..n])
                        .map_err(|_| EFAULT)?;
                    done += n as u64;
                }
                Ok(())
            }
            FileKind::Zero => Ok(()),
            _ => Err(ENODEV),
        }
    }

    /// Whether writes to `fd` are discarded (`/dev/null`, `/dev/zero`,
    /// `/dev/urandom`), so the bytes need not be copied; `EBADF` if `fd`
    /// is not open.
    pub fn discards(&self, fd: u64) -> Result<bool, i64> {
        Ok(matches!(
            self.get(fd)?.kind,
            FileKind::Null | FileKind::Zero | FileKind::Urandom
        ))
    }

    /// Writes to `fd`; returns `Some(1)`/`Some(2)` when the bytes go to the
    /// console's stdout/stderr, `None` when the VFS consumed them. Growth
    /// of an in-memory file is charged to `mem`: `ENOSPC` past the memory
    /// limit, `EFBIG` past [`MAX_FILE_SIZE`].
    pub fn write(&mut self, fd: u64, data: &[u8], mem: &mut Memory) -> Result<Option<u32>, i64> {
        let f = self.get(fd)?.clone();
        if f.flags & O_ACCMODE == 0 && matches!(f.kind, FileKind::Inode(_)) {
            return Err(EBADF);
        }
        match f.kind {
            FileKind::Stdout => Ok(Some(1)),
            FileKind::Stderr => Ok(Some(2)),
            FileKind::Stdin => Err(EBADF),
            FileKind::Null | FileKind::Zero | FileKind::Urandom => Ok(None),
            FileKind::Inode(ino) => {
                let inode = &mut self.inodes[ino];
                let pos = if f.flags & O_APPEND != 0 {
                    inode.data.size
                } else {
                    f.pos
                };
                let end = pos
                    .checked_add(data.len() as u64)
                    .filter(|&e| e <= MAX_FILE_SIZE)
                    .ok_or(EFBIG)?;
                let grow = inode.data.new_chunks(pos, data.len() as u64) * CHUNK;
                mem.charge(grow).map_err(|_| ENOSPC)?;
                inode.data.write_at(pos, data);
                inode.dirty = true;
                self.get_mut(fd)?.pos = end;
                Ok(None)
            }
        }
    }

    pub fn lseek(&mut self, fd: u64, off: i64, whence: u32) -> Result<u64, i64> {
        let f = self.get(fd)?.clone();
        let size = match f.kind {
            FileKind::Stdin => self.stdin.len() as i64,
            FileKind::Inode(ino) => self.inodes[ino].data.size as i64,
            FileKind::Null | FileKind::Zero | FileKind::Urandom => 0,
            FileKind::Stdout | FileKind::Stderr => return Err(ESPIPE),
        };
        let base = match whence {
            0 => 0,
            1 => i64::try_from(f.pos).map_err(|_| EINVAL)?,
            2 => size,
            _ => return Err(EINVAL),
        };
        let pos = base.checked_add(off).filter(|&p| p >= 0).ok_or(EINVAL)?;
        self.get_mut(fd)?.pos = pos as u64;
        Ok(pos as u64)
    }

    pub fn stat(&self, fd: u64) -> Result<Stat, i64> {
        let f = self.get(fd)?;
        Ok(match f.kind {
            FileKind::Inode(ino) => Stat {
                ino: 1000 + ino as u64,
                mode: S_IFREG | 0o644,
                size: self.inodes[ino].data.size,
            },
            FileKind::Stdin => Stat {
                ino: 1,
                mode: S_IFCHR | 0o620,
                size: 0,
            },
            FileKind::Stdout => Stat {
                ino: 2,
                mode: S_IFCHR | 0o620,
                size: 0,
            },
            FileKind::Stderr => Stat {
                ino: 3,
                mode: S_IFCHR | 0o620,
                size: 0,
            },
            FileKind::Null | FileKind::Zero | FileKind::Urandom => Stat {
                ino: 4,
                mode: S_IFCHR | 0o666,
                size: 0,
            },
        })
    }

    /// Removes `path`; an in-memory file's memory is given back once no
    /// descriptor refers to it.
    pub fn unlink(&mut self, path: &str, mem: &mut Memory) -> Result<(), i64> {
        if let Some((root, rel)) = self.mount_for(path) {
            if !self.roots[root].mount.writable {
                return Err(EROFS);
            }
            self.dir(root)?
                .remove_file(&rel)
                .map_err(|e| errno_of(&e))?;
            if let Some(ino) = self.paths.remove(path) {
                self.forget_if_closed(ino, mem);
            }
            return Ok(());
        }
        let ino = self.paths.remove(path).ok_or(ENOENT)?;
        self.forget_if_closed(ino, mem);
        Ok(())
    }

    fn forget_if_closed(&mut self, ino: usize, mem: &mut Memory) {
        let open = self
            .fds
            .iter()
            .flatten()
            .any(|f| f.kind == FileKind::Inode(ino));
        if !open {
            let inode = &mut self.inodes[ino];
            mem.release(inode.data.truncate(0));
            inode.dirty = false;
            inode.host = None;
        }
    }

    pub fn mkdir(&mut self, path: &str) -> Result<(), i64> {
        match self.mount_for(path) {
            Some((root, rel)) if self.roots[root].mount.writable => {
                self.dir(root)?.create_dir(&rel).map_err(|e| errno_of(&e))
            }
            Some(_) => Err(EROFS),
            None => Ok(()),
        }
    }

    pub fn access(&self, path: &str) -> Result<(), i64> {
        if self.paths.contains_key(path) || path.starts_with("/dev/") || path == "/" {
            return Ok(());
        }
        match self.mount_for(path) {
            Some((root, rel)) => self
                .dir(root)?
                .metadata(&rel)
                .map(|_| ())
                .map_err(|e| errno_of(&e)),
            None => Err(ENOENT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zkdbg_emulator::Xlen;

    fn mem(limit: u64) -> Memory {
        Memory::new(Xlen::X64, limit)
    }

    fn temp_dir(tag: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("zeroos-vfs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn normalize_paths() {
        assert_eq!(normalize("/", "a/b/../c"), "/a/c");
        assert_eq!(normalize("/", "/x//y/./z"), "/x/y/z");
        assert_eq!(normalize("/", "../../.."), "/");
    }

    #[test]
    fn in_memory_file_round_trip() {
        let mut m = mem(1 << 20);
        let mut v = Vfs::new(b"in".to_vec(), vec![]);
        let mut rng = <ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(0);
        assert_eq!(v.open("/tmp/x", 0, &mut m), Err(ENOENT));
        let fd = v.open("/tmp/x", O_CREAT | 2, &mut m).unwrap();
        assert_eq!(fd, 3);
        assert_eq!(v.write(fd, b"hello", &mut m), Ok(None));
        assert_eq!(m.used_bytes(), CHUNK);
        assert_eq!(v.lseek(fd, 0, 0), Ok(0));
        assert_eq!(v.read(fd, 100, &mut rng).unwrap(), b"hello");
        assert_eq!(v.read(0, 100, &mut rng).unwrap(), b"in");
        assert_eq!(v.read(0, 100, &mut rng).unwrap(), b"");
        v.close(fd).unwrap();
        assert_eq!(v.close(fd), Err(EBADF));
        let fd = v.open("/tmp/x", 0, &mut m).unwrap();
        assert_eq!(v.write(fd, b"no", &mut m), Err(EBADF));
        assert_eq!(v.lseek(1, 0, 0), Err(ESPIPE));
        v.close(fd).unwrap();
        v.unlink("/tmp/x", &mut m).unwrap();
        assert_eq!(
            m.used_bytes(),
            0,
            "an unlinked closed file gives its memory back"
        );
    }

    #[test]
    fn sparse_files_hold_only_written_chunks_and_respect_the_budget() {
        let mut m = mem(64 * 1024);
        let mut v = Vfs::new(vec![], vec![]);
        let mut rng = <ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(0);
        let fd = v.open("/f", O_CREAT | 2, &mut m).unwrap();
        // a write at 1 TiB: one chunk held, size 1 TiB + 1
        assert_eq!(v.lseek(fd, 1 << 40, 0), Ok(1 << 40));
        assert_eq!(v.write(fd, b"x", &mut m), Ok(None));
        assert_eq!(m.used_bytes(), CHUNK);
        assert_eq!(v.stat(fd).unwrap().size, (1 << 40) + 1);
        // holes read as zeros
        assert_eq!(v.lseek(fd, (1 << 40) - 2, 0), Ok((1 << 40) - 2));
        assert_eq!(v.read(fd, 10, &mut rng).unwrap(), b"\0\0x");
        // past the largest file size, and past i64: EFBIG, no panic
        assert_eq!(v.lseek(fd, i64::MAX, 0), Ok(i64::MAX as u64));
        assert_eq!(v.write(fd, b"x", &mut m), Err(EFBIG));
        assert_eq!(v.lseek(fd, i64::MAX, 1), Err(EINVAL));
        // more than the budget: ENOSPC, nothing written
        assert_eq!(v.lseek(fd, 0, 0), Ok(0));
        assert_eq!(v.write(fd, &vec![1u8; 128 * 1024], &mut m), Err(ENOSPC));
        assert_eq!(m.used_bytes(), CHUNK);
    }

    #[test]
    fn read_only_mount() {
        let dir = temp_dir("ro");
        std::fs::write(dir.join("f.txt"), b"host data").unwrap();
        let mount = Mount {
            host: dir.clone(),
            guest: "/data".into(),
            writable: false,
        };
        let mut m = mem(1 << 20);
        let mut v = Vfs::new(vec![], vec![mount]);
        let mut rng = <ChaCha20Rng as rand_chacha::rand_core::SeedableRng>::seed_from_u64(0);
        let fd = v.open("/data/f.txt", 0, &mut m).unwrap();
        assert_eq!(v.read(fd, 4, &mut rng).unwrap(), b"host");
        assert_eq!(v.open("/data/f.txt", 1, &mut m), Err(EROFS));
        assert_eq!(v.open("/data/new.txt", O_CREAT | 1, &mut m), Err(EROFS));
        assert_eq!(v.open("/other/f.txt", 0, &mut m), Err(ENOENT));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn symlinks_and_hard_links_cannot_leave_a_mount() {
        use std::os::unix::fs::symlink;
        let outside = temp_dir("outside");
        std::fs::write(outside.join("secret"), b"secret").unwrap();
        let dir = temp_dir("jail");
        std::fs::create_dir(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/inside"), b"inside").unwrap();
        symlink(&outside, dir.join("out")).unwrap();
        symlink(outside.join("secret"), dir.join("abs")).unwrap();
        symlink("../../", dir.join("sub/up")).unwrap();
        symlink("sub/inside", dir.join("rel")).unwrap();
        std::fs::hard_link(outside.join("secret"), dir.join("hard")).unwrap();
        let mount = Mount {
            host: dir.clone(),
            guest: "/m".into(),
            writable: true,
        };
        let mut m = mem(1 << 20);
        let mut v = Vfs::new(vec![], vec![mount]);
        // a symlink inside the mount to a file inside it works
        assert!(v.open("/m/rel", 0, &mut m).is_ok());
        // symlinks out of it are refused, for every path call
        for p in ["/m/out/secret", "/m/abs", "/m/sub/up/secret"] {
            assert!(v.open(p, 0, &mut m).is_err(), "{p}");
            assert!(v.open(p, O_CREAT | 1 | O_TRUNC, &mut m).is_err(), "{p}");
            assert!(v.access(p).is_err(), "{p}");
        }
        assert!(v.mkdir("/m/out/newdir").is_err());
        assert!(v.unlink("/m/out/secret", &mut m).is_err());
        let fd = v.open("/m/out/created", O_CREAT | 1, &mut m);
        if let Ok(fd) = fd {
            let _ = v.write(fd, b"x", &mut m);
            let _ = v.close(fd);
        }
        let _ = v.sync_all();
        assert!(!outside.join("created").exists());
        assert!(!outside.join("newdir").exists());
        // a hard link to an outside file is read-only to the guest
        assert_eq!(v.open("/m/hard", 1, &mut m), Err(EPERM));
        assert_eq!(std::fs::read(outside.join("secret")).unwrap(), b"secret");
        std::fs::remove_dir_all(dir).unwrap();
        std::fs::remove_dir_all(outside).unwrap();
    }
}
